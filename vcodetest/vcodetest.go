// Package vcodetest helps test code that uses vcode, without sleeping and
// without a network: a manual Clock, a ready Verifier on in-memory backends
// that delivers into a notify.Recorder, and Limits and options that never
// refuse, for benchmarks.
//
//	func TestLogin(t *testing.T) {
//		v, outbox, clock := vcodetest.New(t)
//		v.Send(ctx, verifier.Request{Contact: "+8613612345678", Subject: "user-42"})
//		code, _ := outbox.LastCode("+8613612345678")
//		clock.Advance(2 * time.Minute) // the code has expired
//		...
//	}
package vcodetest

import (
	"context"
	"testing"
	"time"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/internal/clock"
	"github.com/vcodekit/vcode/internal/notifyhook"
	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/verifier"
)

// Clock is a manual clock: it stands still until Advance moves it (Now
// returns its time; Advance(d) moves it by d). Pass its Now method
// wherever vcode takes a clock (verifier.WithClock, store.WithClock,
// limiter.WithClock). It is safe for concurrent use. It is the clock the
// conformance suites move, which lives below them, in a package that
// imports nothing of vcode.
type Clock = clock.Manual

// NewClock returns a clock set to start.
func NewClock(start time.Time) *Clock { return clock.NewManual(start) }

// Start is where the clocks of New start: a fixed time, so that tests
// print the same times on every run.
var Start = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// New returns a Verifier for t: in-memory store and limiter on a manual
// clock starting at Start, delivering into a Recorder, closed when the
// test ends. opts come after New's own, so they win (give verifier.WithLimits
// to change the policy, WithClock to use another clock, WithNotifier to
// deliver through a provider's notifier as well). The policy is the
// default one, the SMS pumping guard included: a test that sends many
// codes to one prefix and never verifies them will see it refuse them
// (verifier.WithGuard(verifier.Guard{}) switches it off).
func New(t testing.TB, opts ...verifier.Option) (*verifier.Verifier, *notify.Recorder, *Clock) {
	t.Helper()
	clock := NewClock(Start)
	outbox := &notify.Recorder{}
	v, err := verifier.New(outbox, append([]verifier.Option{verifier.WithClock(clock.Now)}, opts...)...)
	if err != nil {
		t.Fatalf("vcodetest.New: %v", err)
	}
	t.Cleanup(func() { v.Close() })
	return v, outbox, clock
}

// WithNotifier makes the Verifier of New deliver through n, such as a
// provider's notifier pointed at its fake (twiliotest, snstest,
// huaweicloudtest), while keeping New's manual clock, in-memory backends
// and outbox: a message n accepts is recorded in the outbox too, so
// outbox.LastCode still works; one it refuses is not, and its error is
// the verifier's to classify, as in production (a refused number is
// contact.ErrInvalid, a throttled provider a *BackendError whose
// limits were given back). A channel n does not support (a
// delivery.ChannelNotifier, such as an SMS provider for email) is refused
// as not allowed before any code is made, as it would be in production.
//
// It is an option of New like the verifier's own, and only New's: given
// to verifier.New it delivers through n as well.
func WithNotifier(n delivery.Notifier) verifier.Option {
	return notifyhook.Wrap(func(outbox delivery.Notifier) delivery.Notifier {
		if n == nil {
			return nil // verifier.New reports it
		}
		t := &tee{first: n, then: outbox}
		if cn, ok := n.(delivery.ChannelNotifier); ok {
			return &channelTee{tee: t, supports: cn.Supports}
		}
		return t
	}).(verifier.Option)
}

// tee delivers through first and, once first accepted the message, into
// then (the outbox).
type tee struct{ first, then delivery.Notifier }

func (t *tee) Notify(ctx context.Context, m delivery.Message) error {
	if err := t.first.Notify(ctx, m); err != nil {
		return err
	}
	return t.then.Notify(ctx, m)
}

// channelTee is a tee whose first notifier delivers only some channels.
type channelTee struct {
	*tee
	supports func(delivery.Channel) bool
}

func (t *channelTee) Supports(ch delivery.Channel) bool { return t.supports(ch) }

// Unlimited returns Limits that no test or benchmark reaches: a billion
// of everything, no cooldown, no per-subject or per-IP quota. The SMS
// pumping guard is not a limit and stays on: a benchmark wants
// BenchOptions, which switches it off too.
func Unlimited() verifier.Limits {
	const lots = 1 << 30
	return verifier.Limits{
		Guesses:    lots,
		Verify:     limiter.Rule{Limit: lots, Window: time.Minute},
		Send:       limiter.Rule{Limit: lots, Window: time.Hour},
		Deliveries: limiter.Rule{Limit: lots, Window: time.Minute},
	}
}

// BenchOptions returns the options a benchmark of the whole pipeline
// needs: Unlimited limits, and the SMS pumping guard off, since a
// benchmark sends thousands of codes to one prefix and verifies none of
// them, which is what the guard exists to refuse. Options given after
// them win.
func BenchOptions() []verifier.Option {
	return []verifier.Option{verifier.WithLimits(Unlimited()), verifier.WithGuard(verifier.Guard{})}
}
