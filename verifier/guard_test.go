package verifier_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/vcodetest"
	"github.com/vcodekit/vcode/verifier"
)

// guardFixture: the standard guard, the quotas out of the way so that
// only the guard refuses, and a log of events.
func guardFixture(t *testing.T, g verifier.Guard) (fixture, *eventLog) {
	log := &eventLog{}
	l := verifier.DefaultLimits()
	l.Subject, l.IP = verifier.ClientLimits{}, verifier.ClientLimits{}
	return newFixture(t, verifier.WithGuard(g), verifier.WithLimits(l), verifier.WithObserver(log)), log
}

func num(prefix string, i int) string { return fmt.Sprintf("%s%08d", prefix, i) }

// TestGuardBlocksWhatDoesNotConvert: sends to a prefix that are never
// verified earn it a block (403 ErrPumping, one event naming the prefix);
// another prefix, converting, is untouched; codes sent before still
// verify; the block ends by itself.
func TestGuardBlocksWhatDoesNotConvert(t *testing.T) {
	f, log := guardFixture(t, verifier.DefaultGuard())
	ctx := context.Background()
	var refused int
	var blocked []string
	for i := range 60 {
		// A pumped prefix, +86138, never verified; a real one, +86139,
		// verified, a send each 20 s.
		pumped := verifier.Request{Contact: num("+86138", i), Subject: fmt.Sprint("p", i)}
		_, err := f.v.Send(ctx, pumped)
		switch {
		case errors.Is(err, verifier.ErrPumping):
			refused++
			if e := log.last(); e.Outcome != verifier.OutcomePumpingBlocked {
				t.Fatalf("outcome %q", e.Outcome)
			} else if e.Blocked != "" {
				blocked = append(blocked, e.Blocked)
			}
		case err != nil:
			t.Fatal(err)
		}
		real := verifier.Request{Contact: num("+86139", i), Subject: fmt.Sprint("r", i)}
		code := f.send(t, real)
		if err := f.verify(real, code); err != nil {
			t.Fatal(err)
		}
		f.clk.Advance(20 * time.Second)
	}
	if refused == 0 || len(blocked) != 1 || blocked[0] != "+86138" {
		t.Fatalf("%d refused, blocks started %v; want a block of +86138", refused, blocked)
	}
	if !errors.Is(sendErr(f.v, verifier.Request{Contact: num("+86138", 99), Subject: "x"}), verifier.ErrNotAllowed) {
		t.Fatal("a guard refusal does not match ErrNotAllowed")
	}
	// Verifying is never refused by the guard.
	if err := f.verify(verifier.Request{Contact: num("+86138", 0), Subject: "p0"}, "000000"); !errors.Is(err, verifier.ErrWrongCode) {
		t.Fatalf("verify on a blocked prefix: %v, want the usual wrong-code answer", err)
	}
	// When the block runs out, the sends that earned it do not renew it
	// (they are still in the six-hour and day windows)...
	f.clk.Advance(time.Hour)
	for i := range 2 {
		if err := sendErr(f.v, verifier.Request{Contact: num("+86138", 200+i), Subject: fmt.Sprint("again", i)}); err != nil {
			t.Fatalf("send %d after the block ran out, no new traffic before: %v", i, err)
		}
	}
	// ...but new unverified traffic (two sends) lets the old evidence
	// block it again.
	f.clk.Advance(4 * time.Minute)
	if err := sendErr(f.v, verifier.Request{Contact: num("+86138", 210), Subject: "again"}); !errors.Is(err, verifier.ErrPumping) {
		t.Fatalf("2 new unverified sends after a block: %v, want blocked again", err)
	}
	// A day later, its history gone, it is open.
	f.clk.Advance(25 * time.Hour)
	if err := sendErr(f.v, verifier.Request{Contact: num("+86138", 201), Subject: "late"}); err != nil {
		t.Fatalf("a day after: %v", err)
	}
}

// TestGuardCodesSentBeforeABlockVerify: a code sent to a prefix before it
// was blocked still verifies while the block lasts; a pinned prefix is
// refused from its first send.
func TestGuardCodesSentBeforeABlockVerify(t *testing.T) {
	l := verifier.DefaultLimits()
	l.Subject, l.IP = verifier.ClientLimits{}, verifier.ClientLimits{}
	g := verifier.DefaultGuard()
	g.Block = []string{"+86137"}
	f := newFixture(t, verifier.WithGuard(g), verifier.WithLimits(l), verifier.WithValidity(10*time.Minute))
	ctx := context.Background()
	for i := 1; i <= 25; i++ { // never verified
		if err := sendErr(f.v, verifier.Request{Contact: num("+86138", i), Subject: fmt.Sprint("p", i)}); err != nil {
			t.Fatalf("pumped send %d: %v", i, err)
		}
	}
	f.clk.Advance(9 * time.Minute)
	first := verifier.Request{Contact: num("+86138", 0), Subject: "alice"}
	code := f.send(t, first)
	f.clk.Advance(2 * time.Minute) // the pumped codes expired unverified
	if err := sendErr(f.v, verifier.Request{Contact: num("+86138", 26), Subject: "p26"}); !errors.Is(err, verifier.ErrPumping) {
		t.Fatalf("26 unverified sends, then: %v, want the prefix blocked", err)
	}
	if _, err := f.v.Verify(ctx, first, code); err != nil {
		t.Fatalf("verify of a code sent before the block: %v", err)
	}
	if err := sendErr(f.v, verifier.Request{Contact: num("+86137", 1), Subject: "bob"}); !errors.Is(err, verifier.ErrPumping) {
		t.Fatalf("a pinned-blocked prefix: %v", err)
	}
}

// TestGuardPinsAndLevels: Allow exempts a prefix however it converts;
// Block refuses even with the guard off; bad settings are refused.
func TestGuardPinsAndLevels(t *testing.T) {
	f, _ := guardFixture(t, verifier.Guard{Level: verifier.GuardMax, PrefixDigits: 3, BlockFor: time.Hour, Allow: []string{"+86138"}})
	for i := range 100 {
		if err := sendErr(f.v, verifier.Request{Contact: num("+86138", i), Subject: fmt.Sprint("p", i)}); err != nil {
			t.Fatalf("an allowed prefix, send %d: %v", i, err)
		}
		f.clk.Advance(30 * time.Second)
	}
	off, _ := guardFixture(t, verifier.Guard{Block: []string{"+86135"}, PrefixDigits: 3, BlockFor: time.Hour})
	if err := sendErr(off.v, verifier.Request{Contact: "+8613512345678", Subject: "x"}); !errors.Is(err, verifier.ErrPumping) {
		t.Fatalf("Block with the guard off: %v", err)
	}
	if err := sendErr(off.v, verifier.Request{Contact: "+8613612345678", Subject: "x"}); err != nil {
		t.Fatalf("another prefix with the guard off: %v", err)
	}
	for name, g := range map[string]verifier.Guard{
		"level":  {Level: 7, PrefixDigits: 3, BlockFor: time.Hour},
		"digits": {Level: verifier.GuardBasic, PrefixDigits: 0, BlockFor: time.Hour},
		"block":  {Level: verifier.GuardBasic, PrefixDigits: 3, BlockFor: time.Second},
		"prefix": {Level: verifier.GuardBasic, PrefixDigits: 3, BlockFor: time.Hour, Allow: []string{"86138"}},
	} {
		if _, err := verifier.New(f.rec, verifier.WithGuard(g)); err == nil {
			t.Errorf("%s: a bad guard was accepted", name)
		}
	}
}

// TestGuardBurstAfterWarmUp: a burst to a prefix with no history is
// blocked before the burst can convert, once the guard has a day of
// history; before (a fresh store would see every prefix as new), only a
// burst four times as large.
func TestGuardBurstAfterWarmUp(t *testing.T) {
	f, _ := guardFixture(t, verifier.DefaultGuard())
	burst := func(prefix string) (refusedAt int) {
		for i := range 60 {
			if errors.Is(sendErr(f.v, verifier.Request{Contact: num(prefix, i), Subject: fmt.Sprint(prefix, i)}), verifier.ErrPumping) {
				return i
			}
		}
		return -1
	}
	if at := burst("+86135"); at >= 0 {
		t.Fatalf("a burst on a fresh store was blocked at send %d", at)
	}
	// On a fresh store, only a burst far beyond real users' peak: four
	// times the level's, 120 in five minutes at standard.
	cold := -1
	for i := range 150 {
		if errors.Is(sendErr(f.v, verifier.Request{Contact: num("+86137", i), Subject: fmt.Sprint("c", i)}), verifier.ErrPumping) {
			cold = i
			break
		}
	}
	if cold != 119 {
		t.Fatalf("a burst on a fresh store: refused at send %d, want the 120th (index 119)", cold)
	}
	f.clk.Advance(25 * time.Hour)
	if at := burst("+86136"); at < 0 || at > 30 {
		t.Fatalf("a burst after warm-up: refused at send %d, want by the 30th", at)
	}
}

// TestGuardOnByDefault: a Verifier given no guard has the standard one
// (unverified traffic to a prefix gets it blocked); with a Limiter that
// keeps no counts the default guard is off, and asking for one is an error.
func TestGuardOnByDefault(t *testing.T) {
	l := verifier.DefaultLimits()
	l.Subject, l.IP = verifier.ClientLimits{}, verifier.ClientLimits{}
	f := newFixture(t, verifier.WithLimits(l))
	refused := -1
	for i := range 60 {
		if errors.Is(sendErr(f.v, verifier.Request{Contact: num("+86138", i), Subject: fmt.Sprint("p", i)}), verifier.ErrPumping) {
			refused = i
			break
		}
		f.clk.Advance(20 * time.Second)
	}
	if refused < 0 || refused > 50 {
		t.Fatalf("default verifier: unverified sends to one prefix refused at %d, want within 50", refused)
	}

	plain := limiterOnly{limiter.NewMemory(limiter.WithClock(f.clk.Now))}
	t.Cleanup(func() { plain.Limiter.(*limiter.Memory).Close() })
	g := newFixture(t, verifier.WithLimits(l), verifier.WithLimiter(plain))
	for i := range 60 {
		if err := sendErr(g.v, verifier.Request{Contact: num("+86138", i), Subject: fmt.Sprint("p", i)}); err != nil {
			t.Fatalf("a Limiter without counts, send %d: %v (the default guard must be off)", i, err)
		}
		g.clk.Advance(20 * time.Second)
	}
	if _, err := verifier.New(g.rec, verifier.WithLimiter(plain), testSecret, verifier.WithGuard(verifier.DefaultGuard())); err == nil {
		t.Fatal("WithGuard with a Limiter that keeps no counts was accepted")
	}
}

// limiterOnly hides every interface of a Limiter but Limiter's own.
type limiterOnly struct{ limiter.Limiter }

// TestGuardCountsOnlyWhatLeft: sends that certainly did not leave (the
// notifier says Undelivered) are given back to the guard with the limits,
// so a gateway outage does not make a prefix look unconverting; the same
// number of sends that did leave blocks it.
func TestGuardCountsOnlyWhatLeft(t *testing.T) {
	l := verifier.DefaultLimits()
	l.Subject, l.IP = verifier.ClientLimits{}, verifier.ClientLimits{}
	down := true
	clk := vcodetest.NewClock(start)
	v, err := verifier.New(verifier.NotifierFunc(func(context.Context, verifier.Message) error {
		if down {
			return verifier.Undelivered(errors.New("gateway down"))
		}
		return nil
	}), verifier.WithClock(clk.Now), verifier.WithLimits(l))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	for i := range 60 {
		if err := sendErr(v, verifier.Request{Contact: num("+86138", i), Subject: fmt.Sprint("p", i)}); !errors.Is(err, verifier.ErrUndelivered) {
			t.Fatalf("send %d during the outage: %v", i, err)
		}
		clk.Advance(20 * time.Second)
	}
	down = false
	if err := sendErr(v, verifier.Request{Contact: num("+86138", 100), Subject: "after"}); err != nil {
		t.Fatalf("after an outage of undelivered sends: %v, want the prefix open", err)
	}
}

// TestGuardTallyNeverRefuses: when the guard's tally of a prefix fills
// between its read and the send's limits (concurrent sends to a busy
// prefix), the send goes out, untallied, instead of being refused.
func TestGuardTallyNeverRefuses(t *testing.T) {
	mem := limiter.NewMemory()
	t.Cleanup(func() { mem.Close() })
	full := &tallyFull{Memory: mem}
	f := newFixture(t, verifier.WithLimiter(full))
	if err := sendErr(f.v, req("+8613812345678")); err != nil {
		t.Fatalf("a send whose tally was refused: %v", err)
	}
	if full.refused != 1 {
		t.Fatalf("the tally was refused %d times, want 1 (the send must have carried it)", full.refused)
	}
	if f.rec.Len() != 1 {
		t.Fatalf("%d messages, want 1", f.rec.Len())
	}
}

// tallyFull is a Memory whose AllowAll refuses the guard's tally (the one
// request with a 24-hour rule) once, as a tally filled by concurrent
// sends would be.
type tallyFull struct {
	*limiter.Memory
	refused int
}

func (l *tallyFull) AllowAll(ctx context.Context, reqs []limiter.Request, ds []limiter.Decision) (int, error) {
	for i, r := range reqs {
		if l.refused == 0 && len(r.Rules) == 1 && r.Rules[0].Window == 24*time.Hour {
			l.refused++
			clear(ds)
			ds[i] = limiter.Decision{RetryAfter: time.Minute}
			return i, nil
		}
	}
	return l.Memory.AllowAll(ctx, reqs, ds)
}

// TestGuardRegionBurst: once warm, a burst spread thin over many prefixes
// of a region rarely sent to (three sends each, far below any prefix's
// thresholds) blocks the region, named once by its ISO code; another region is
// untouched; the block ends by itself. Before warm-up it is not judged.
func TestGuardRegionBurst(t *testing.T) {
	f, log := guardFixture(t, verifier.DefaultGuard())
	prefixes := []string{"+86130", "+86131", "+86132", "+86133", "+86135", "+86136", "+86137", "+86138", "+86139",
		"+86150", "+86151", "+86152", "+86153", "+86155", "+86156", "+86157", "+86158", "+86159",
		"+86180", "+86181", "+86182", "+86183", "+86185", "+86186", "+86187", "+86188", "+86189"}
	spread := func(round int) (refusedAt int) {
		for i := range 3 * len(prefixes) {
			r := verifier.Request{Contact: num(prefixes[i%len(prefixes)], round*1000+i), Subject: fmt.Sprint("s", round, "-", i)}
			if errors.Is(sendErr(f.v, r), verifier.ErrPumping) {
				return i
			}
		}
		return -1
	}
	if at := spread(0); at >= 0 {
		t.Fatalf("a spread burst on a fresh store was blocked at send %d", at)
	}
	f.clk.Advance(25 * time.Hour)
	at := spread(1)
	if at < 0 || at > 60 {
		t.Fatalf("a spread burst after warm-up: refused at send %d, want by the 60th", at)
	}
	var blocked []string
	for _, e := range log.events {
		if e.Blocked != "" {
			blocked = append(blocked, e.Blocked)
		}
	}
	if len(blocked) != 1 || blocked[0] != "CN" {
		t.Fatalf("blocks started %v, want one of region CN", blocked)
	}
	if err := sendErr(f.v, verifier.Request{Contact: "+8619912345678", Subject: "other-prefix"}); !errors.Is(err, verifier.ErrPumping) {
		t.Fatalf("a prefix of the blocked region not sent to before: %v, want refused", err)
	}
	if err := sendErr(f.v, verifier.Request{Contact: "+16502530000", Subject: "us"}); err != nil {
		t.Fatalf("another region: %v", err)
	}
	f.clk.Advance(time.Hour + time.Minute)
	if err := sendErr(f.v, verifier.Request{Contact: "+8619912345679", Subject: "later"}); err != nil {
		t.Fatalf("after the block: %v", err)
	}

	// A region sent to every day (600 sends over the last day) is not
	// judged on its bursts: they are its real users' peaks.
	busy, _ := guardFixture(t, verifier.DefaultGuard())
	for i := range 600 {
		r := verifier.Request{Contact: num(prefixes[i%len(prefixes)], 500000+i), Subject: fmt.Sprint("day", i)}
		if err := sendErr(busy.v, r); err != nil {
			t.Fatalf("a day of traffic, send %d: %v", i, err)
		}
		busy.clk.Advance(24 * time.Hour / 600)
	}
	for i := range 3 * len(prefixes) {
		r := verifier.Request{Contact: num(prefixes[i%len(prefixes)], 700000+i), Subject: fmt.Sprint("peak", i)}
		if err := sendErr(busy.v, r); err != nil {
			t.Fatalf("a busy region's peak, send %d: %v", i, err)
		}
	}
}

// TestGuardWaitsForTheValidity: with codes valid for ten minutes, sends
// are not judged unverified until they are older than the validity: users
// who verify after five minutes do not get their prefix blocked.
func TestGuardWaitsForTheValidity(t *testing.T) {
	l := verifier.DefaultLimits()
	l.Subject, l.IP = verifier.ClientLimits{}, verifier.ClientLimits{}
	f := newFixture(t, verifier.WithLimits(l), verifier.WithValidity(10*time.Minute))
	var reqs []verifier.Request
	var codes []string
	for i := range 40 {
		r := verifier.Request{Contact: num("+86138", i), Subject: fmt.Sprint("u", i)}
		reqs, codes = append(reqs, r), append(codes, f.send(t, r))
		f.clk.Advance(3 * time.Second)
	}
	f.clk.Advance(5 * time.Minute) // all 40 older than three minutes, none verified yet
	if err := sendErr(f.v, verifier.Request{Contact: num("+86138", 100), Subject: "next"}); err != nil {
		t.Fatalf("a send while 40 codes valid for 10 min wait to be verified: %v", err)
	}
	for i, r := range reqs {
		if err := f.verify(r, codes[i]); err != nil {
			t.Fatalf("verify %d after 5 min: %v", i, err)
		}
	}
	f.clk.Advance(6 * time.Minute)
	if err := sendErr(f.v, verifier.Request{Contact: num("+86138", 101), Subject: "later"}); err != nil {
		t.Fatalf("after they were verified: %v", err)
	}
}
