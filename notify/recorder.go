package notify

import (
	"context"
	"sync"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/delivery"
)

// Recorder keeps every message it is given, for tests. The zero value is
// ready to use and safe for concurrent use.
type Recorder struct {
	mu   sync.Mutex
	msgs []delivery.Message
}

var _ delivery.Notifier = (*Recorder)(nil)

// Notify implements delivery.Notifier.
func (r *Recorder) Notify(_ context.Context, m delivery.Message) error {
	r.mu.Lock()
	r.msgs = append(r.msgs, m)
	r.mu.Unlock()
	return nil
}

// Messages returns a copy of the messages received, oldest first.
func (r *Recorder) Messages() []delivery.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery.Message(nil), r.msgs...)
}

// Last returns the newest message sent to to: the destination as a user
// would type it ("136 1234 5678", a national number read as Chinese;
// "Alice@Example.COM") or normalised ("+8613612345678").
func (r *Recorder) Last(to string) (delivery.Message, bool) {
	if c, err := contact.Parse(to, ""); err == nil {
		to = c.Value
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.msgs) - 1; i >= 0; i-- {
		if r.msgs[i].To == to {
			return r.msgs[i], true
		}
	}
	return delivery.Message{}, false
}

// LastCode returns the newest code sent to to, typed or normalised as for
// Last.
func (r *Recorder) LastCode(to string) (string, bool) {
	m, ok := r.Last(to)
	return m.Code, ok
}

// Len returns the number of messages received.
func (r *Recorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.msgs)
}
