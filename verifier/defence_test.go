package verifier_test

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/store"
	"github.com/vcodekit/vcode/verifier"
)

// seeded gives deterministic, distinct codes.
func seeded() verifier.Option { return verifier.WithRandomForTest(rand.NewChaCha8([32]byte{7})) }

func TestResendSameCode(t *testing.T) {
	f := newFixture(t, verifier.WithResendSameCode(), verifier.WithValidity(5*time.Minute), seeded())
	first := f.send(t, req(phone))
	f.clk.Advance(90 * time.Second)
	second := f.send(t, req(phone))
	if second != first {
		t.Fatalf("resend gave %q, want the pending %q", second, first)
	}
	m, _ := f.rec.Last(phone)
	if m.Validity != 210*time.Second || !m.ExpiresAt.Equal(start.Add(5*time.Minute)) {
		t.Fatalf("re-sent message: validity %v, expires %v; want the time left and the first expiry", m.Validity, m.ExpiresAt)
	}
	// With under a minute left, a fresh code replaces it.
	f.clk.Advance(150 * time.Second) // 60 s left
	if third := f.send(t, req(phone)); third != first {
		t.Fatalf("with exactly a minute left: %q, want the pending code", third)
	}
	f.clk.Advance(time.Minute + time.Second) // expired
	fourth := f.send(t, req(phone))
	if fourth == first {
		t.Fatal("an expired code was re-sent")
	}
	if err := f.verify(req(phone), fourth); err != nil {
		t.Fatal(err)
	}
}

func TestResendSameCodeOffByDefault(t *testing.T) {
	f := newFixture(t, verifier.WithValidity(5*time.Minute), seeded())
	first := f.send(t, req(phone))
	f.clk.Advance(90 * time.Second)
	if second := f.send(t, req(phone)); second == first {
		t.Fatal("the same code was re-sent without WithResendSameCode")
	}
	if err := f.verify(req(phone), first); !errors.Is(err, verifier.ErrWrongCode) {
		t.Fatalf("replaced code: %v", err)
	}
}

// TestResendNeedsPeeker: WithResendSameCode needs a store that can peek,
// and New says so; without the option any CodeStore does.
func TestResendNeedsPeeker(t *testing.T) {
	mem := store.NewMemory()
	defer mem.Close()
	plain := struct{ store.CodeStore }{mem} // Save, Consume, Delete only
	v, err := verifier.New(&notify.Recorder{}, verifier.WithStore(plain), testSecret, verifier.WithResendSameCode())
	if err == nil || !strings.Contains(err.Error(), "store.Peeker") {
		t.Fatalf("New with a store that cannot peek: %v", err)
	}
	if v != nil {
		t.Fatal("New returned a Verifier with its error")
	}
	v, err = verifier.New(&notify.Recorder{}, verifier.WithStore(plain), testSecret)
	if err != nil {
		t.Fatalf("New without the option: %v", err)
	}
	defer v.Close()
	if _, err := v.Send(context.Background(), req(phone)); err != nil {
		t.Fatalf("Send on a store that cannot peek: %v", err)
	}
}

// TestResendSealedNotPlaintext: the kept copy of the code is encrypted and
// bound to its key.
func TestResendSealedNotPlaintext(t *testing.T) {
	spy := &spyStore{CodeStore: store.NewMemory()}
	rec := &notify.Recorder{}
	v, err := verifier.New(rec, verifier.WithStore(spy), testSecret, verifier.WithResendSameCode(), verifier.WithValidity(5*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Send(context.Background(), req(phone)); err != nil {
		t.Fatal(err)
	}
	code, _ := rec.LastCode(phone)
	if len(spy.saved) != 3 {
		t.Fatalf("store got %d values, want key, digest and sealed code", len(spy.saved))
	}
	for _, b := range spy.saved {
		if bytes.Contains(b, []byte(code)) || bytes.Contains(b, []byte(phone[1:])) {
			t.Fatalf("store value %x holds the code or the number", b)
		}
	}
}

// TestResendFailedDeliveryKeepsCode: a re-send the gateway refused leaves
// the pending code (its first delivery worked) and gives the limits back.
func TestResendFailedDeliveryKeepsCode(t *testing.T) {
	rec := &notify.Recorder{}
	fail := false
	n := delivery.NotifierFunc(func(ctx context.Context, m delivery.Message) error {
		if fail {
			return delivery.Undelivered(errDown)
		}
		return rec.Notify(ctx, m)
	})
	f := newFixture(t)
	v, err := verifier.New(n, verifier.WithClock(f.clk.Now), verifier.WithResendSameCode(), verifier.WithValidity(5*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := v.Send(ctx, req(phone)); err != nil {
		t.Fatal(err)
	}
	code, _ := rec.LastCode(phone)
	f.clk.Advance(time.Minute)
	fail = true
	if _, err := v.Send(ctx, req(phone)); !errors.Is(err, verifier.ErrBackend) {
		t.Fatalf("failed re-send: %v", err)
	}
	fail = false
	if _, err := v.Send(ctx, req(phone)); err != nil {
		t.Fatalf("send after a refused re-send is held: %v", err)
	}
	if _, err := v.Verify(ctx, req(phone), code); err != nil {
		t.Fatalf("the pending code died with a failed re-send: %v", err)
	}
}

func TestRegionDailyCap(t *testing.T) {
	f := newFixture(t, withLimits(func(l *verifier.Limits) { l.RegionDaily, l.RegionDailyBy = 2, map[string]int{"HK": 1} }))
	ctx := context.Background()
	send := func(contact string) error {
		_, err := f.v.Send(ctx, verifier.Request{Contact: contact, Subject: contact})
		return err
	}
	for _, c := range []string{"+8613600000001", "+8613600000002", "+85251234567"} {
		if err := send(c); err != nil {
			t.Fatalf("%s: %v", c, err)
		}
	}
	f.clk.Advance(time.Hour)
	if got := retryAfter(t, send("+8613600000003"), verifier.ErrTooFrequent); got != 23*time.Hour {
		t.Fatalf("CN cap: retry after %v, want 23h", got)
	}
	retryAfter(t, send("+85251234568"), verifier.ErrTooFrequent)
	// Other regions, and email, have their own counts.
	for _, c := range []string{"+14155552671", "a@example.com", "b@example.com", "c@example.com"} {
		if err := send(c); err != nil {
			t.Fatalf("%s: %v", c, err)
		}
	}
	// The window rolls.
	f.clk.Advance(23 * time.Hour)
	if err := send("+8613600000003"); err != nil {
		t.Fatalf("after 24 h: %v", err)
	}
}

// emailOnly is a ChannelNotifier that routes email only.
type emailOnly struct{ notify.Recorder }

func (*emailOnly) Supports(ch delivery.Channel) bool { return ch == delivery.Email }

func TestUnroutableChannelRefusedEarly(t *testing.T) {
	spy := &spyStore{CodeStore: store.NewMemory()}
	n := &emailOnly{}
	v, err := verifier.New(n, verifier.WithStore(spy), testSecret)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := v.Send(ctx, req(phone)); !errors.Is(err, delivery.ErrNotAllowed) {
		t.Fatalf("SMS through an email-only notifier: %v", err)
	}
	if len(spy.saved) != 0 || n.Len() != 0 {
		t.Fatal("a refused channel stored or sent something")
	}
	if _, err := v.Send(ctx, req("a@example.com")); err != nil {
		t.Fatal(err)
	}
}
