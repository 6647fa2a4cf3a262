package verifier

import "github.com/vcodekit/vcode/delivery"

// The delivery contract is package delivery's, which imports no other
// vcode package, so that a notifier needs it and not the verifier. The
// names below keep code written against verifier.Message and the rest
// compiling; new code uses delivery's.

// Channel is delivery.Channel, how a code travels.
type Channel = delivery.Channel

// SMS and Email are delivery.SMS and delivery.Email.
const (
	SMS   = delivery.SMS
	Email = delivery.Email
)

// Message is delivery.Message, one code to deliver.
type Message = delivery.Message

// Notifier is delivery.Notifier, what delivers codes.
type Notifier = delivery.Notifier

// NotifierFunc is delivery.NotifierFunc, a function as a Notifier.
type NotifierFunc = delivery.NotifierFunc

// ChannelNotifier is delivery.ChannelNotifier, a Notifier that delivers
// only some channels.
type ChannelNotifier = delivery.ChannelNotifier

// ErrUndelivered is delivery.ErrUndelivered: a notifier error that says
// the message certainly did not leave.
var ErrUndelivered = delivery.ErrUndelivered

// Undelivered is delivery.Undelivered: it wraps err to say that the
// message certainly did not leave.
func Undelivered(err error) error { return delivery.Undelivered(err) }
