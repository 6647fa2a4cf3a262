package verifier_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/observe"
	"github.com/vcodekit/vcode/vcodetest"
	"github.com/vcodekit/vcode/verifier"
)

// providerError is a provider's refusal of a number that says so with an
// Is method, as twilio.APIError does, wrapped with Undelivered or not.
type providerError struct{}

func (providerError) Error() string {
	return "provider: HTTP 400, error 21211: not a valid phone number"
}
func (providerError) Is(target error) bool { return target == delivery.ErrInvalidRecipient }

// TestInvalidRecipient: a provider's certain refusal of the number is
// the user's invalid contact, not a backend failure: Send's error matches
// ErrInvalidContact and the provider's error, Classify says so, the code
// is withdrawn and the limits given back (the user may send again at
// once, to a number typed anew), and the Observer tells it from the
// verifier's own refusals. Any other certain refusal stays a backend
// error.
func TestInvalidRecipient(t *testing.T) {
	for _, tt := range []struct {
		name    string
		refusal func() error
		invalid bool
	}{
		{"InvalidRecipient", func() error { return delivery.InvalidRecipient(errors.New("gateway: E200023")) }, true},
		{"a provider's error in Undelivered", func() error { return delivery.Undelivered(providerError{}) }, true},
		{"a provider's error alone", func() error { return providerError{} }, true},
		{"Undelivered", func() error { return delivery.Undelivered(errors.New("gateway: 400 region not enabled")) }, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var last delivery.Message
			n := delivery.NotifierFunc(func(_ context.Context, m delivery.Message) error {
				last = m
				return tt.refusal()
			})
			obs := &eventLog{}
			clk := vcodetest.NewClock(start)
			v, err := verifier.New(n, verifier.WithClock(clk.Now), verifier.WithObserver(obs))
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			ctx := context.Background()
			r := req(phone)
			_, err = v.Send(ctx, r)
			if got := errors.Is(err, contact.ErrInvalid); got != tt.invalid {
				t.Fatalf("Send: %v; matches ErrInvalidContact %v, want %v", err, got, tt.invalid)
			}
			if got := errors.Is(err, verifier.ErrBackend); got == tt.invalid {
				t.Errorf("Send: %v; matches ErrBackend %v", err, got)
			}
			want := verifier.ErrBackend
			outcome := observe.OutcomeDeliveryFailed
			if tt.invalid {
				want, outcome = contact.ErrInvalid, observe.OutcomeInvalidRecipient
				if !errors.Is(err, delivery.ErrInvalidRecipient) {
					t.Errorf("Send: %v does not match delivery.ErrInvalidRecipient", err)
				}
			}
			if got := verifier.Classify(err); got != want {
				t.Errorf("Classify(%v) = %v, want %v", err, got, want)
			}
			if got := obs.last().Outcome; got != outcome {
				t.Errorf("outcome %q, want %q", got, outcome)
			}
			if _, err := v.Verify(ctx, r, last.Code); !errors.Is(err, verifier.ErrWrongCode) {
				t.Errorf("the refused code verifies: %v", err)
			}
			// The cooldown was given back: another send reaches the
			// notifier at once.
			last = delivery.Message{}
			v.Send(ctx, r)
			if last.To != phone {
				t.Error("a second send at once did not reach the notifier: the limits were kept")
			}
			clk.Advance(time.Second)
		})
	}
}
