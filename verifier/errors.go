package verifier

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/delivery"
)

// Errors returned by Send and Verify, checkable with errors.Is. Rate limits
// come as a *RateLimitError and backend failures as a *BackendError, which
// match ErrTooManyAttempts / ErrTooFrequent and ErrBackend respectively.
//
// Send and Verify return the errors of the packages that decide them too,
// under their own names: [contact.ErrInvalid] (the contact is empty, too
// long, or neither a valid mobile number nor a valid email address),
// [contact.ErrUnknownCountry] and [contact.ErrCountryMismatch] for a
// contact that does not parse, and [delivery.ErrNotAllowed] for a
// destination codes may not be sent to (channel disabled, region not on
// the allow-list, a notifier without a route for it), whether the
// verifier or the notifier refused it.
var (
	// ErrInvalidCode: the code is missing or not of the configured format.
	ErrInvalidCode = errors.New("verifier: code missing or malformed")
	// ErrWrongCode: the code is wrong, expired, already used, killed by too
	// many wrong guesses, or was never sent. One error for all, so that a
	// caller cannot learn which.
	ErrWrongCode = errors.New("verifier: wrong or expired code")
	// ErrTooManyAttempts: too many verification attempts for the contact.
	ErrTooManyAttempts = errors.New("verifier: too many verification attempts")
	// ErrTooFrequent: codes for the contact were requested too often.
	ErrTooFrequent = errors.New("verifier: codes requested too often")
	// ErrNoSubject: the request has no Subject. A code is bound to its
	// subject and the per-subject quotas key on it, so an empty one would
	// let every caller without a subject verify the others' codes and
	// share one quota with them: it is refused, not guessed. Give anonymous
	// callers a subject of their own (a session id, a device id).
	ErrNoSubject = errors.New("verifier: request has no subject")
	// ErrInvalidClientIP: Request.ClientIP is neither empty nor an IP
	// address (see Request.ClientIP for the forms taken). It is the
	// caller's mistake, never the client's: Classify does not class it,
	// so httpmw (which always sets an address) would answer it as an
	// internal error, and the Observer sees observe.OutcomeBackendError.
	ErrInvalidClientIP = errors.New("verifier: Request.ClientIP is not an IP address")
	// ErrBackend: the store, limiter or notifier failed. The request failed
	// closed: nothing was verified, and no code was left valid undelivered.
	ErrBackend = errors.New("verifier: backend failure")
)

// RateLimitError is returned when a limit refuses a request.
type RateLimitError struct {
	// Reason is ErrTooManyAttempts or ErrTooFrequent.
	Reason error
	// Limit says which limit refused: "contact" (the contact's cooldown,
	// hourly cap or attempts), "subject", "ip" or "region" (the region's
	// daily cap).
	Limit string
	// RetryAfter is how long until the limit lets the request through.
	RetryAfter time.Duration
}

// Error implements error.
func (e *RateLimitError) Error() string {
	return fmt.Sprintf("%v (%s limit): retry after %v", e.Reason, e.Limit, e.RetryAfter)
}

// Unwrap returns Reason, so errors.Is(err, ErrTooFrequent) works.
func (e *RateLimitError) Unwrap() error { return e.Reason }

// BackendError is returned when a store, limiter or notifier fails.
type BackendError struct {
	// Op names the failed step: "store", "limiter", "notify" or
	// "random".
	Op string
	// Err is the backend's own error.
	Err error
}

// Error implements error: "verifier: store: ...", the step once even
// when the backend's own message starts with it ("notify: twilio: ...").
func (e *BackendError) Error() string {
	msg := fmt.Sprint(e.Err)
	if strings.HasPrefix(msg, e.Op+": ") {
		return "verifier: " + msg
	}
	return "verifier: " + e.Op + ": " + msg
}

// Unwrap returns ErrBackend and the backend's error, so that errors.Is
// matches both.
func (e *BackendError) Unwrap() []error { return []error{ErrBackend, e.Err} }

func backendErr(op string, err error) error { return &BackendError{Op: op, Err: err} }

// classes is the order in which errors are told apart: the first sentinel
// an error matches decides. A notifier's delivery.ErrNotAllowed inside a
// *BackendError is a refusal of the destination, not a failure.
var classes = []error{
	ErrNoSubject,
	contact.ErrInvalid, contact.ErrUnknownCountry, contact.ErrCountryMismatch, ErrInvalidCode,
	ErrWrongCode,
	ErrTooManyAttempts, ErrTooFrequent,
	delivery.ErrNotAllowed,
	ErrBackend,
}

// Classify returns the sentinel error that decides how err is answered:
// one of ErrNoSubject, [contact.ErrInvalid], [contact.ErrUnknownCountry],
// [contact.ErrCountryMismatch], ErrInvalidCode, ErrWrongCode,
// ErrTooManyAttempts, ErrTooFrequent, [delivery.ErrNotAllowed] or
// ErrBackend, tried in that order with
// errors.Is; nil for a nil error or one that matches none (an unexpected
// error, to be answered as an internal one). It is the one classifier: the
// Observer's outcomes and httpmw's error table both use it, so that a
// metric and an HTTP status never disagree about an error.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	// The sentinels wrap nothing, so a sentinel itself, or a
	// RateLimitError whose Reason is one (the attack path's answer), is of
	// its own class: the same answer the errors.Is walk below gives, found
	// without walking each class.
	e := err
	if rl, ok := err.(*RateLimitError); ok {
		e = rl.Reason
	}
	for _, c := range classes {
		if e == c {
			return c
		}
	}
	for _, c := range classes {
		if errors.Is(err, c) {
			return c
		}
	}
	return nil
}
