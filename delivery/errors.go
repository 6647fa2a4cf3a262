package delivery

import "errors"

// ErrUndelivered marks a notifier error that is certain: the message did
// not leave. The gateway refused it before accepting it (connection
// refused, a 4xx answer, an SMTP rejection before the final 250 of DATA),
// or the notifier never tried (no route, a recipient it cannot take).
// The verifier then withdraws the new code and gives back every limit the
// send took.
//
// Any other notifier error is ambiguous (a timeout, a connection reset
// after the request was written, a 5xx answer after retries, a panic): the
// message may have left, so the send keeps counting against every limit,
// and its code stays valid, since the user may be reading it. The send
// still fails (verifier.ErrBackend), as the delivery was not confirmed.
//
// Notifiers mark certain failures with Undelivered.
var ErrUndelivered = errors.New("delivery: message not delivered")

// ErrNotAllowed says that codes may not be sent to a destination. A
// notifier returns it (wrapped) for a message it has no way to take, such
// as a channel without a route: the verifier treats it as certainly not
// delivered, and answers the request as a refused destination (403
// USG.201060008 over HTTP), not as a failure. The verifier returns it too,
// for destinations its own policy refuses (verifier.ErrPumping wraps it).
var ErrNotAllowed = errors.New("delivery: destination not allowed")

// Undelivered wraps err to say that the message certainly did not leave:
// errors.Is(Undelivered(err), ErrUndelivered) and errors.Is(…, err) both
// hold. A nil err stays nil.
func Undelivered(err error) error {
	if err == nil {
		return nil
	}
	return &undeliveredError{err}
}

type undeliveredError struct{ err error }

func (e *undeliveredError) Error() string        { return e.err.Error() }
func (e *undeliveredError) Unwrap() error        { return e.err }
func (e *undeliveredError) Is(target error) bool { return target == ErrUndelivered }

// ErrInvalidRecipient says that the provider refused the recipient
// itself as one it cannot deliver to: not a valid number, or not a mobile
// one (Twilio's 21211 and 21614, Huawei Cloud's E200023, SNS's
// InvalidParameter on the PhoneNumber). It is the user's to fix, not the
// service's: the verifier answers it as an invalid contact
// (contact.ErrInvalid, 400 USG.201060002 over HTTP) and, as the
// message certainly did not leave, withdraws the code and gives the
// limits back, as for ErrUndelivered.
//
// Return it only for a refusal that is certain and names the recipient:
// a provider's account or configuration fault answered to every number
// would turn every send into the users' mistake.
var ErrInvalidRecipient = errors.New("delivery: recipient refused as invalid")

// InvalidRecipient wraps err to say that the provider refused the
// recipient as invalid: errors.Is(InvalidRecipient(err), …) holds for
// ErrInvalidRecipient, ErrUndelivered and err. A nil err stays nil.
func InvalidRecipient(err error) error {
	if err == nil {
		return nil
	}
	return &invalidRecipientError{err}
}

type invalidRecipientError struct{ err error }

func (e *invalidRecipientError) Error() string { return e.err.Error() }
func (e *invalidRecipientError) Unwrap() error { return e.err }
func (e *invalidRecipientError) Is(target error) bool {
	return target == ErrInvalidRecipient || target == ErrUndelivered
}
