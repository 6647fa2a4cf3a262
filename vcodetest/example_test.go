package vcodetest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/vcodetest"
	"github.com/vcodekit/vcode/verifier"
)

// A test of a login flow: send, read the code from the outbox, let it
// expire by moving the clock.
func Example() {
	t := &testing.T{} // in a real test, the test's own t
	v, outbox, clock := vcodetest.New(t)
	ctx := context.Background()
	req := verifier.Request{Contact: "+86 136 1234 5678", Subject: "user-42"}

	v.Send(ctx, req)
	code, _ := outbox.LastCode(req.Contact) // as typed, or normalised
	clock.Advance(2 * time.Minute)          // past the one-minute validity
	_, err := v.Verify(ctx, req, code)
	fmt.Println(errors.Is(err, verifier.ErrWrongCode))
	// Output: true
}

// A provider's notifier in a vcodetest Verifier: with a provider's fake
// (twiliotest, snstest, huaweicloudtest) the notifier is the provider
// module's, pointed at the fake; here a function stands for it. The
// manual clock and the outbox stay New's.
func ExampleWithNotifier() {
	t := &testing.T{} // in a real test, the test's own t
	provider := delivery.NotifierFunc(func(_ context.Context, m delivery.Message) error {
		if m.To == "+8613600000000" {
			return delivery.InvalidRecipient(errors.New("fake: not a valid number"))
		}
		return nil // taken
	})
	v, outbox, clock := vcodetest.New(t, vcodetest.WithNotifier(provider))
	ctx := context.Background()

	_, err := v.Send(ctx, verifier.Request{Contact: "+8613600000000", Subject: "user-42"})
	fmt.Println("refused number:", errors.Is(err, contact.ErrInvalid))

	req := verifier.Request{Contact: "+8613612345678", Subject: "user-42"}
	v.Send(ctx, req)
	code, _ := outbox.LastCode(req.Contact) // what the provider took
	clock.Advance(30 * time.Second)
	_, err = v.Verify(ctx, req, code)
	fmt.Println("verify:", err)
	// Output:
	// refused number: true
	// verify: <nil>
}
