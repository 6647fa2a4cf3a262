// Package notifyhook lets package vcodetest give verifier.New a notifier
// through an option (vcodetest.WithNotifier) without the verifier
// exporting one: a notifier is New's argument, and one way to give it is
// enough for everybody else.
package notifyhook

import "github.com/vcodekit/vcode/delivery"

// Wrap is set by package verifier when it is initialised: it returns a
// verifier.Option, as an any, that makes New deliver through wrap(n),
// where n is the notifier given to New.
var Wrap func(wrap func(n delivery.Notifier) delivery.Notifier) any
