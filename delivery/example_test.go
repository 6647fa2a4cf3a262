package delivery_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/vcodekit/vcode/delivery"
)

// A notifier for a gateway of one's own needs this package only. It says
// whether a failure is certain: Undelivered when the gateway refused the
// message, InvalidRecipient when it refused the number as not one, a plain
// error when it may have sent it.
func Example() {
	errRefused := errors.New("gateway: 400 invalid number")
	var gateway delivery.Notifier = delivery.NotifierFunc(func(ctx context.Context, m delivery.Message) error {
		if m.Channel != delivery.SMS {
			return fmt.Errorf("gateway: no %s: %w", m.Channel, delivery.ErrNotAllowed)
		}
		if m.To == "+10000000000" {
			return delivery.Undelivered(errRefused)
		}
		if m.To == "+19999999999" {
			// The gateway says the number is not one: the user's to fix.
			return delivery.InvalidRecipient(errors.New("gateway: 400 not a mobile number"))
		}
		return nil
	})
	for _, m := range []delivery.Message{
		{Channel: delivery.SMS, To: "+8613612345678", Text: "Your code is 123456"},
		{Channel: delivery.SMS, To: "+10000000000", Text: "Your code is 123456"},
		{Channel: delivery.SMS, To: "+19999999999", Text: "Your code is 123456"},
		{Channel: delivery.Email, To: "alice@example.com"},
	} {
		err := gateway.Notify(context.Background(), m)
		fmt.Println(m.To, err == nil, errors.Is(err, delivery.ErrUndelivered), errors.Is(err, delivery.ErrNotAllowed), errors.Is(err, delivery.ErrInvalidRecipient))
	}
	// Output:
	// +8613612345678 true false false false
	// +10000000000 false true false false
	// +19999999999 false true false true
	// alice@example.com false false true false
}

// A notifier of your own says that its provider refused the number itself
// with InvalidRecipient: the verifier then answers the user that the
// contact is invalid (400 USG.201060002 over HTTP), withdraws the code and
// gives the limits back, as for any certain non-delivery.
func ExampleInvalidRecipient() {
	gateway := delivery.NotifierFunc(func(ctx context.Context, m delivery.Message) error {
		// The gateway answered "no such subscriber" for m.To.
		return delivery.InvalidRecipient(errors.New("gateway: 21211 not a valid number"))
	})
	err := gateway.Notify(context.Background(), delivery.Message{Channel: delivery.SMS, To: "+15005550001", Code: "123456"})
	fmt.Println(errors.Is(err, delivery.ErrInvalidRecipient), errors.Is(err, delivery.ErrUndelivered))
	// Output: true true
}
