package verifier_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/observe"
	"github.com/vcodekit/vcode/store"
	"github.com/vcodekit/vcode/vcodetest"
	"github.com/vcodekit/vcode/verifier"
)

var errReleaseDown = errors.New("limiter down for releases")

// lapsingLimiter is a Limiter (without AllowAll, so that the verifier
// gives back each hold itself) whose Release fails. Not being a
// limiter.GuardLimiter, it needs the pumping guard off.
type lapsingLimiter struct {
	mem          *limiter.Memory
	failVerified bool
}

func (l lapsingLimiter) Allow(ctx context.Context, key string, rules ...limiter.Rule) (limiter.Decision, error) {
	return l.mem.Allow(ctx, key, rules...)
}

func (l lapsingLimiter) Release(context.Context, string, time.Time) error { return errReleaseDown }

// batchLapsingLimiter is lapsingLimiter with AllowAll and the pumping
// guard's calls (whose own give-back inside a refused batch is the
// limiter's business, not the verifier's): its ReleaseSend fails, and its
// Verified when failVerified is set.
type batchLapsingLimiter struct{ lapsingLimiter }

func (l batchLapsingLimiter) AllowAll(ctx context.Context, reqs []limiter.Request, ds []limiter.Decision) (int, error) {
	return l.mem.AllowAll(ctx, reqs, ds)
}

func (l batchLapsingLimiter) AllowSend(ctx context.Context, reqs []limiter.Request, s limiter.GuardSend, ds []limiter.Decision) (limiter.SendDecision, error) {
	return l.mem.AllowSend(ctx, reqs, s, ds)
}

func (l batchLapsingLimiter) ReleaseSend(context.Context, limiter.GuardKey, time.Time) error {
	return errReleaseDown
}

func (l batchLapsingLimiter) Verified(ctx context.Context, key limiter.GuardKey, at time.Time) error {
	if l.failVerified {
		return errDown
	}
	return l.mem.Verified(ctx, key, at)
}

// TestBestEffortWritesReported: a give-back of limits, a withdrawal of an
// undelivered code and the guard's count of a verified code that fail are
// reported to the Observer (Event.Lapses), one way for them all, and never
// change the call's answer.
func TestBestEffortWritesReported(t *testing.T) {
	refuse := delivery.NotifierFunc(func(context.Context, delivery.Message) error {
		return delivery.Undelivered(errors.New("gateway refused"))
	})
	for _, tt := range []struct {
		name    string
		n       delivery.Notifier // nil: the fixture's recorder
		lim     func(*limiter.Memory) limiter.Limiter
		store   func(store.CodeStore) store.CodeStore
		do      func(f fixture) error
		outcome observe.Outcome
		want    []observe.Lapse
	}{
		{"an undelivered send's limits", refuse,
			func(m *limiter.Memory) limiter.Limiter { return batchLapsingLimiter{lapsingLimiter{mem: m}} }, nil,
			func(f fixture) error { return sendErr(f.v, req(phone)) },
			observe.OutcomeDeliveryFailed, []observe.Lapse{observe.LapseRelease}},
		{"a refused send's earlier limits", nil,
			func(m *limiter.Memory) limiter.Limiter { return lapsingLimiter{mem: m} }, nil,
			func(f fixture) error {
				f.send(t, req(phone))
				return sendErr(f.v, req(phone)) // the cooldown refuses, after the subject's quota took
			},
			observe.OutcomeCooldown, []observe.Lapse{observe.LapseRelease}},
		{"an undelivered code", refuse, nil,
			func(s store.CodeStore) store.CodeStore { return brokenStore{CodeStore: s, del: errDown} },
			func(f fixture) error { return sendErr(f.v, req(phone)) },
			observe.OutcomeDeliveryFailed, []observe.Lapse{observe.LapseWithdraw}},
		{"both at once", refuse,
			func(m *limiter.Memory) limiter.Limiter { return batchLapsingLimiter{lapsingLimiter{mem: m}} },
			func(s store.CodeStore) store.CodeStore { return brokenStore{CodeStore: s, del: errDown} },
			func(f fixture) error { return sendErr(f.v, req(phone)) },
			observe.OutcomeDeliveryFailed, []observe.Lapse{observe.LapseWithdraw, observe.LapseRelease}},
		{"the guard's count of a verify", nil,
			func(m *limiter.Memory) limiter.Limiter {
				return batchLapsingLimiter{lapsingLimiter{mem: m, failVerified: true}}
			}, nil,
			// On a Limiter other than Memory the count is written just
			// after the verify's answer: the next call reports it, or
			// the verify's own event when the write failed before that
			// event was made (a fast failure): see the check below.
			func(f fixture) error {
				if err := f.verify(req(phone), f.send(t, req(phone))); err != nil {
					return err
				}
				f.v.Flush(context.Background())
				return f.verify(req(phone), "000000")
			},
			observe.OutcomeWrongCode, []observe.Lapse{observe.LapseGuardCount}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			log := &eventLog{}
			f := fixture{rec: &notify.Recorder{}, clk: vcodetest.NewClock(start)}
			opts := []verifier.Option{verifier.WithObserver(log), verifier.WithClock(f.clk.Now), testSecret}
			mem := limiter.NewMemory(limiter.WithClock(f.clk.Now))
			t.Cleanup(func() { mem.Close() })
			if tt.lim != nil {
				lim := tt.lim(mem)
				opts = append(opts, verifier.WithLimiter(lim))
				if _, ok := lim.(limiter.GuardLimiter); !ok {
					opts = append(opts, verifier.WithGuard(verifier.Guard{}))
				}
			}
			if tt.store != nil {
				opts = append(opts, verifier.WithStore(tt.store(store.NewMemory(store.WithClock(f.clk.Now)))))
			}
			var n delivery.Notifier = f.rec
			if tt.n != nil {
				n = tt.n
			}
			var err error
			if f.v, err = verifier.New(n, opts...); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { f.v.Close() })
			err = tt.do(f)
			if errors.Is(err, errReleaseDown) || (tt.store != nil && errors.Is(err, errDown)) {
				t.Fatalf("the call's answer carries the lapse: %v", err)
			}
			e := log.last()
			if tt.name == "the guard's count of a verify" && len(e.Lapses) == 0 {
				// Reported once, by whichever call came first after the
				// failure: the verify itself, if the writer was quick.
				log.mu.Lock()
				e.Lapses = log.events[len(log.events)-2].Lapses
				log.mu.Unlock()
			}
			if e.Outcome != tt.outcome || !slices.Equal(e.Lapses, tt.want) {
				t.Fatalf("event %s, lapses %v; want %s, %v (error %v)", e.Outcome, e.Lapses, tt.outcome, tt.want, err)
			}
		})
	}
	// A call whose writes all succeed reports none.
	log := &eventLog{}
	f := newFixture(t, verifier.WithObserver(log))
	f.verify(req(phone), f.send(t, req(phone)))
	for _, e := range log.events {
		if e.Lapses != nil {
			t.Fatalf("%s %s: lapses %v", e.Op, e.Outcome, e.Lapses)
		}
	}
}
