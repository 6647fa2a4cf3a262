package delivery

import (
	"context"
	"time"

	"golang.org/x/text/language"
)

// Channel is how a code travels.
type Channel string

// The channels, one per kind of contact.
const (
	SMS   Channel = "sms"
	Email Channel = "email"
)

// Message is one code to deliver.
type Message struct {
	// Channel is SMS for phone numbers and Email for email addresses.
	Channel Channel
	// To is the normalised destination: E.164 or a lower-case address.
	To string
	// Region is the ISO region of a phone number; empty for email.
	Region string
	// Code is the code in plaintext: the one place it exists outside the
	// user's hands. Notifiers must not log it.
	Code string
	// Validity is how long the code is valid; ExpiresAt is when it dies.
	Validity  time.Duration
	ExpiresAt time.Time
	// Language is the language of Text and Subject: one of the verifier's
	// catalog (verifier.WithCatalog), such as zh-CN or en-US.
	Language language.Tag
	// Text is the localised SMS text, or the email's plain-text body.
	Text string
	// Subject is the localised email subject; empty for SMS.
	Subject string
	// RequestID is the HTTP request's id, when the code was asked for over
	// HTTP, for tracing a delivery back to its request.
	RequestID string
}

// Notifier delivers codes. Notify returns once the message is handed over
// (to an SMS gateway, a mail server). An error wrapped with Undelivered
// says the message certainly did not leave: the verifier then withdraws
// the code and gives the limits back. Any other error says it may have
// left: the code stays valid and the limits counted (see ErrUndelivered).
// Implementations must be safe for concurrent use and honour ctx's
// deadline.
type Notifier interface {
	Notify(ctx context.Context, m Message) error
}

// NotifierFunc adapts a function to Notifier.
type NotifierFunc func(ctx context.Context, m Message) error

// Notify calls f.
func (f NotifierFunc) Notify(ctx context.Context, m Message) error { return f(ctx, m) }

// ChannelNotifier is a Notifier that delivers only some channels, such as
// notify.Router. The verifier refuses a contact whose channel it does not
// support with ErrNotAllowed, before any code is made or any limit is
// counted.
type ChannelNotifier interface {
	Notifier
	Supports(ch Channel) bool
}
