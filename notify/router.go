package notify

import (
	"context"
	"fmt"

	"github.com/vcodekit/vcode/verifier"
)

// Router sends each message to the notifier of its channel: SMS to an SMS
// gateway, email to a mail server. A channel without a route is not
// supported: the verifier refuses such contacts with ErrNotAllowed (403
// USG.201060008) before it makes a code.
type Router struct {
	routes map[verifier.Channel]verifier.Notifier
}

var _ verifier.ChannelNotifier = (*Router)(nil)

// NewRouter returns a Router over routes; nil notifiers are left out.
func NewRouter(routes map[verifier.Channel]verifier.Notifier) *Router {
	r := &Router{routes: map[verifier.Channel]verifier.Notifier{}}
	for ch, n := range routes {
		if n != nil {
			r.routes[ch] = n
		}
	}
	return r
}

// Supports reports whether ch has a route.
func (r *Router) Supports(ch verifier.Channel) bool { return r.routes[ch] != nil }

// Notify implements verifier.Notifier.
func (r *Router) Notify(ctx context.Context, m verifier.Message) error {
	n := r.routes[m.Channel]
	if n == nil {
		return fmt.Errorf("notify: no route for channel %q: %w", m.Channel, verifier.ErrNotAllowed)
	}
	return n.Notify(ctx, m)
}
