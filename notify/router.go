package notify

import (
	"context"
	"fmt"

	"github.com/vcodekit/vcode/delivery"
)

// Router sends each message to the notifier of its channel: SMS to an SMS
// gateway, email to a mail server. A channel without a route is not
// supported: the verifier refuses such contacts with ErrNotAllowed (403
// USG.201060008) before it makes a code.
type Router struct {
	routes map[delivery.Channel]delivery.Notifier
}

var _ delivery.ChannelNotifier = (*Router)(nil)

// NewRouter returns a Router over routes; nil notifiers are left out.
func NewRouter(routes map[delivery.Channel]delivery.Notifier) *Router {
	r := &Router{routes: map[delivery.Channel]delivery.Notifier{}}
	for ch, n := range routes {
		if n != nil {
			r.routes[ch] = n
		}
	}
	return r
}

// Supports reports whether ch has a route.
func (r *Router) Supports(ch delivery.Channel) bool { return r.routes[ch] != nil }

// Notify implements delivery.Notifier.
func (r *Router) Notify(ctx context.Context, m delivery.Message) error {
	n := r.routes[m.Channel]
	if n == nil {
		return fmt.Errorf("notify: no route for channel %q: %w", m.Channel, delivery.ErrNotAllowed)
	}
	return n.Notify(ctx, m)
}
