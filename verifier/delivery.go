package verifier

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/delivery"
)

// defaultDeliveryTimeout bounds one delivery unless WithDeliveryTimeout
// says otherwise: long enough for a webhook's retries or an SMTP
// conversation, shorter than cmd/vcoded's write timeout.
const defaultDeliveryTimeout = 15 * time.Second

// deliver hands msg to the notifier on a context detached from ctx's
// cancellation and bounded by the delivery timeout, and reports whether
// the message certainly did not leave.
//
// A notifier that panics is a failed delivery like any other rather than
// a crash for the HTTP layer to recover; as nobody knows how far it got,
// the failure is ambiguous.
func (v *Verifier) deliver(ctx context.Context, msg delivery.Message) (undelivered bool, err error) {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), v.cfg.deliveryTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			undelivered, err = false, fmt.Errorf("verifier: notifier panicked: %v", p)
		}
	}()
	err = v.notifier.Notify(dctx, msg)
	// ErrNotAllowed from a notifier (a Router without the route) means it
	// never tried; ErrInvalidRecipient that the provider refused the
	// number.
	return err != nil && (errors.Is(err, delivery.ErrUndelivered) || errors.Is(err, delivery.ErrNotAllowed) || errors.Is(err, delivery.ErrInvalidRecipient)), err
}

// refusedRecipient is the error of a send whose notifier refused the
// recipient as invalid (delivery.ErrInvalidRecipient): the contact is
// invalid, so it matches contact.ErrInvalid, and the notifier's error
// stays inside for errors.As. It is not a *BackendError: nothing failed
// but the user's number.
func refusedRecipient(err error) error {
	return fmt.Errorf("verifier: the provider refused the contact: %w: %w", contact.ErrInvalid, err)
}
