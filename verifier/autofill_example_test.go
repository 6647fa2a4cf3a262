package verifier_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/verifier"
	"golang.org/x/text/language"
)

// The message's last line lets Safari and Chrome (WebOTP) fill the code
// into example.com's form, and the Android app with that hash read it:
// in every language of the catalog.
func ExampleWithSMSAutofill() {
	outbox := &notify.Recorder{}
	v, err := verifier.New(outbox, verifier.WithBrand("Acme"), verifier.WithSMSAutofill("example.com", "FA+9qCX9VSu"))
	if err != nil {
		panic(err)
	}
	defer v.Close()
	for _, to := range []string{"+8613612345678", "+14155550100"} {
		lang := language.English
		if strings.HasPrefix(to, "+86") {
			lang = language.Chinese
		}
		v.Send(context.Background(), verifier.Request{Contact: to, Subject: "user-42", Language: lang})
		m, _ := outbox.Last(to)
		fmt.Println(strings.ReplaceAll(m.Text, m.Code, "123456"))
	}
	// Output:
	// 【Acme】您的验证码为123456，1分钟内有效。请勿将验证码告知他人。
	// @example.com #123456 FA+9qCX9VSu
	// [Acme] Your verification code is 123456. It is valid for 1 minute. Do not share it with anyone.
	// @example.com #123456 FA+9qCX9VSu
}
