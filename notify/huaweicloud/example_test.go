package huaweicloud_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/text/language"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/notify/huaweicloud"
	"github.com/vcodekit/vcode/notify/huaweicloud/huaweicloudtest"
)

// A Notifier for the fake's application (in a program, the console's
// access address, app key and secret, channel number and templates),
// sending a code with the zh-CN template, then a number the service
// refuses: certain, so the verifier gives the limits back.
func Example() {
	srv := huaweicloudtest.Start() // in a test, huaweicloudtest.NewServer(t)
	defer srv.Close()
	n, err := huaweicloud.New(huaweicloud.App{
		URL:        srv.URL(), // https://smsapi.cn-north-4.myhuaweicloud.com:443
		AppKey:     srv.AppKey,
		AppSecret:  srv.AppSecret,
		Sender:     srv.Sender,
		TemplateID: srv.TemplateID,
	}, huaweicloud.WithTemplates(srv.TemplateIDs))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer n.Close()
	msg := delivery.Message{
		Channel:  delivery.SMS,
		To:       "+8613612345678",
		Code:     "753927",
		Validity: 5 * time.Minute,
		Language: language.MustParse("zh-CN"),
	}
	fmt.Println("sent:", n.Notify(context.Background(), msg))
	got := srv.Messages()[0]
	fmt.Println(got.To, got.Params, got.TemplateID == srv.TemplateIDs["zh-CN"])

	srv.SetAnswer(huaweicloudtest.RejectInvalidNumber)
	err = n.Notify(context.Background(), msg)
	fmt.Println("certainly not sent:", errors.Is(err, delivery.ErrUndelivered))
	fmt.Println(err)
	// Output:
	// sent: <nil>
	// +8613612345678 [753927 5] true
	// certainly not sent: true
	// notify: huaweicloud: HTTP 400 E000510 "The SMS fails to be sent. For details, see status.", number status E200023: refused (the number matches no operator of the channel)
}
