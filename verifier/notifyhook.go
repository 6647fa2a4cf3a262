package verifier

import (
	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/internal/notifyhook"
)

// notifierWrap is vcodetest.WithNotifier's: New delivers through the
// notifier it returns for the one New was given.
type notifierWrap = func(delivery.Notifier) delivery.Notifier

// The option behind vcodetest.WithNotifier: New delivers through
// wrap(n) instead of n. Internal, so that the verifier's API keeps one way
// to give a notifier.
func init() {
	notifyhook.Wrap = func(wrap func(delivery.Notifier) delivery.Notifier) any {
		return Option(func(o *options) { o.wrapNotifier = wrap })
	}
}
