package twilio_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/i18n"
	"github.com/vcodekit/vcode/notify/twilio"
	"github.com/vcodekit/vcode/notify/twilio/twiliotest"
	"github.com/vcodekit/vcode/verifier"
)

// A verifier sending its SMS through Twilio, here the fake one. In
// production the Account holds the account's SID, auth token (or API key)
// and sender, from wherever the program keeps its secrets, and
// WithAPIURL is left out.
func Example() {
	fake := twiliotest.Start() // in a test: twiliotest.NewServer(t)
	defer fake.Close()

	sms, err := twilio.New(twilio.Account{
		SID:       twiliotest.AccountSID,
		AuthToken: twiliotest.AuthToken,
		From:      twiliotest.From,
	}, twilio.WithAPIURL(fake.URL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sms.Close()
	v, _ := verifier.New(sms)
	defer v.Close()

	ctx := context.Background()
	req := verifier.Request{Contact: "+8613612345678", Subject: "user-42", Language: i18n.EnUS}
	_, err = v.Send(ctx, req)
	fmt.Println("send:", err)
	code, _ := fake.LastCode("+8613612345678")
	_, err = v.Verify(ctx, req, code)
	fmt.Println("verify:", err)

	// Twilio refusing a number as not one: certainly not sent, so the
	// verifier gives the limits back, and the user's to fix (400
	// USG.201060002 over HTTP, not a 500).
	fake.SetAnswer(twiliotest.RejectInvalidNumber)
	err = sms.Notify(ctx, delivery.Message{
		Channel: delivery.SMS, To: "+8613612345678", Code: "123456", Validity: time.Minute,
		Text: "Your verification code is 123456.",
	})
	fmt.Println(errors.Is(err, delivery.ErrUndelivered), errors.Is(err, delivery.ErrInvalidRecipient))
	fmt.Println(err)
	// Output:
	// send: <nil>
	// verify: <nil>
	// true true
	// notify: twilio: HTTP 400, error 21211: The 'To' number +86*********78 is not a valid phone number. (https://www.twilio.com/docs/errors/21211)
}
