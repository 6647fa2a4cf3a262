package verifier_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/iotest"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/observe"
	"github.com/vcodekit/vcode/store"
	"github.com/vcodekit/vcode/verifier"
)

type eventLog struct {
	mu     sync.Mutex
	events []observe.Event
}

func (l *eventLog) Observe(_ context.Context, e observe.Event) {
	l.mu.Lock()
	l.events = append(l.events, e)
	l.mu.Unlock()
}

func (l *eventLog) last() observe.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.events[len(l.events)-1]
}

// TestObserverOutcomes: every call reports exactly one event with the right
// outcome, channel and region, and never the contact or the code.
func TestObserverOutcomes(t *testing.T) {
	log := &eventLog{}
	f := newFixture(t, verifier.WithObserver(log), withLimits(func(l *verifier.Limits) { l.Verify.Limit = 3 }),
		verifier.WithAllowedRegions("CN"))
	ctx := context.Background()
	code := f.send(t, req(phone))
	steps := []struct {
		name    string
		do      func() error
		op      string
		outcome observe.Outcome
		channel delivery.Channel
		region  string
	}{
		{"sent", func() error { return nil }, "send", observe.OutcomeSent, delivery.SMS, "CN"},
		{"cooldown", func() error { _, err := f.v.Send(ctx, req(phone)); return err }, "send", observe.OutcomeCooldown, delivery.SMS, "CN"},
		{"not allowed", func() error { _, err := f.v.Send(ctx, req("+14155552671")); return err }, "send", observe.OutcomeNotAllowed, delivery.SMS, "US"},
		{"invalid contact", func() error { _, err := f.v.Send(ctx, req("nope")); return err }, "send", observe.OutcomeInvalid, "", ""},
		{"invalid code", func() error { _, err := f.v.Verify(ctx, req(phone), "x"); return err }, "verify", observe.OutcomeInvalid, delivery.SMS, "CN"},
		{"wrong code", func() error { _, err := f.v.Verify(ctx, req(phone), wrong(code)); return err }, "verify", observe.OutcomeWrongCode, delivery.SMS, "CN"},
		{"verified", func() error { _, err := f.v.Verify(ctx, req(phone), code); return err }, "verify", observe.OutcomeVerified, delivery.SMS, "CN"},
		{"wrong again", func() error { _, err := f.v.Verify(ctx, req(phone), code); return err }, "verify", observe.OutcomeWrongCode, delivery.SMS, "CN"},
		{"rate limited", func() error { _, err := f.v.Verify(ctx, req(phone), code); return err }, "verify", observe.OutcomeRateLimited, delivery.SMS, "CN"},
		{"email sent", func() error { _, err := f.v.Send(ctx, req("a@example.com")); return err }, "send", observe.OutcomeSent, delivery.Email, ""},
		{"no subject", func() error { r := req(phone); r.Subject = ""; _, err := f.v.Send(ctx, r); return err }, "send", observe.OutcomeInvalid, "", ""},
	}
	for i, s := range steps {
		if i > 0 {
			s.do()
		}
		e := log.last()
		if e.Op != s.op || e.Outcome != s.outcome || e.Channel != s.channel || e.Region != s.region || e.Latency <= 0 {
			t.Fatalf("%s: event %+v", s.name, e)
		}
		if strings.Contains(strings.ToLower(fmtEvent(e)), "13612345678") {
			t.Fatalf("%s: event holds the number", s.name)
		}
	}
	if len(log.events) != len(steps) {
		t.Fatalf("%d events for %d calls", len(log.events), len(steps))
	}
}

func fmtEvent(e observe.Event) string {
	return e.Op + string(e.Outcome) + string(e.Channel) + e.Region
}

func TestObserverFailures(t *testing.T) {
	for _, tt := range []struct {
		name string
		opt  verifier.Option
		n    delivery.Notifier
		want observe.Outcome
	}{
		{"store down", verifier.WithStore(brokenStore{CodeStore: store.NewMemory(), save: errDown}), nil, observe.OutcomeBackendError},
		{"delivery refused", nil, delivery.NotifierFunc(func(context.Context, delivery.Message) error { return delivery.Undelivered(errDown) }), observe.OutcomeDeliveryFailed},
		{"delivery unknown", nil, delivery.NotifierFunc(func(context.Context, delivery.Message) error { return errDown }), observe.OutcomeDeliveryUnknown},
		{"random down", verifier.WithRandomForTest(iotest.ErrReader(errDown)), nil, observe.OutcomeBackendError},
	} {
		log := &eventLog{}
		opts := []verifier.Option{verifier.WithObserver(log), testSecret}
		if tt.opt != nil {
			opts = append(opts, tt.opt)
		}
		n := tt.n
		if n == nil {
			n = delivery.NotifierFunc(func(context.Context, delivery.Message) error { return nil })
		}
		v, _ := verifier.New(n, opts...)
		if _, err := v.Send(context.Background(), req(phone)); !errors.Is(err, verifier.ErrBackend) {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := log.last().Outcome; got != tt.want {
			t.Fatalf("%s: outcome %s, want %s", tt.name, got, tt.want)
		}
	}
}

type pingStore struct {
	store.CodeStore
	err error
}

func (p pingStore) Ping(context.Context) error { return p.err }

func TestReady(t *testing.T) {
	v, _ := verifier.New(delivery.NotifierFunc(nil))
	if err := v.Ready(context.Background()); err != nil {
		t.Fatalf("memory backends not ready: %v", err)
	}
	v, _ = verifier.New(delivery.NotifierFunc(nil), verifier.WithStore(pingStore{store.NewMemory(), errDown}), testSecret)
	if err := v.Ready(context.Background()); !errors.Is(err, errDown) {
		t.Fatalf("Ready with a failing store: %v", err)
	}
}
