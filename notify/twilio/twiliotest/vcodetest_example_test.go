package twiliotest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/notify/twilio"
	"github.com/vcodekit/vcode/notify/twilio/twiliotest"
	"github.com/vcodekit/vcode/vcodetest"
	"github.com/vcodekit/vcode/verifier"
)

// A test of a signup flow through Twilio's fake, on vcodetest's manual
// clock: the code Twilio received verifies, expires when the clock says
// so, and a number Twilio refuses is the user's invalid contact.
func Example_vcodetest() {
	t := &testing.T{} // in a real test, the test's own t
	fake := twiliotest.NewServer(t)
	defer fake.Close()
	sms, _ := twilio.New(twilio.Account(fake.Account()), twilio.WithAPIURL(fake.URL()))
	defer sms.Close()

	v, _, clock := vcodetest.New(t, vcodetest.WithNotifier(sms))
	ctx := context.Background()
	req := verifier.Request{Contact: "+14155550100", Subject: "user-42"}

	v.Send(ctx, req)
	code, _ := fake.LastCode("+14155550100") // as Twilio received it
	clock.Advance(2 * time.Minute)           // past the one-minute validity
	_, err := v.Verify(ctx, req, code)
	fmt.Println("expired:", errors.Is(err, verifier.ErrWrongCode))

	fake.SetAnswer(twiliotest.RejectInvalidNumber)
	_, err = v.Send(ctx, req)
	fmt.Println("invalid number:", errors.Is(err, contact.ErrInvalid))
	// Output:
	// expired: true
	// invalid number: true
}
