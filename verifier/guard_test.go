package verifier_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/observe"
	"github.com/vcodekit/vcode/vcodetest"
	"github.com/vcodekit/vcode/verifier"
)

// guardFixture: the guard g, the quotas out of the way so that only the
// guard refuses, and a log of events.
func guardFixture(t *testing.T, g verifier.Guard, opts ...verifier.Option) (fixture, *eventLog) {
	log := &eventLog{}
	l := verifier.DefaultLimits()
	l.Subject, l.IP = verifier.ClientLimits{}, verifier.ClientLimits{}
	return newFixture(t, append([]verifier.Option{verifier.WithGuard(g), verifier.WithLimits(l), verifier.WithObserver(log)}, opts...)...), log
}

func num(prefix string, i int) string { return fmt.Sprintf("%s%08d", prefix, i) }

// blocks lists the blocks log's events started, prefixes and regions.
func blocks(log *eventLog) (started []string) {
	log.mu.Lock()
	defer log.mu.Unlock()
	for _, e := range log.events {
		if e.BlockedPrefix != "" {
			started = append(started, e.BlockedPrefix)
		}
		if e.BlockedRegion != "" {
			started = append(started, e.BlockedRegion)
		}
	}
	return started
}

// TestGuardAllowance: a prefix whose codes are never verified gets its
// base, 20 SMS at standard, then ErrPumping (one event naming the
// prefix); another prefix, converting, is untouched; a verify is never
// refused; a code sent before the refusal still verifies; nothing resets
// with time: no send passes until the first have left the day, and the
// refusal, made when the prefix had verified nothing, halved its base for
// the week.
func TestGuardAllowance(t *testing.T) {
	f, log := guardFixture(t, verifier.DefaultGuard())
	ctx := context.Background()
	var delivered []verifier.Request
	var codes []string
	refusedAt := -1
	for i := range 60 {
		// A pumped prefix, +86138, never verified; a real one, +86139,
		// verified, a send each 20 s.
		pumped := verifier.Request{Contact: num("+86138", i), Subject: fmt.Sprint("p", i)}
		_, err := f.v.Send(ctx, pumped)
		switch {
		case errors.Is(err, verifier.ErrPumping):
			if e := log.last(); e.Outcome != observe.OutcomePumpingBlocked {
				t.Fatalf("outcome %q", e.Outcome)
			}
			if refusedAt < 0 {
				refusedAt = i
				// The code delivered 20 s ago verifies.
				if err := f.verify(delivered[19], codes[19]); err != nil {
					t.Fatalf("a code sent before the refusal: %v", err)
				}
			}
		case err != nil:
			t.Fatal(err)
		case refusedAt >= 0:
			t.Fatalf("send %d delivered after a refusal", i)
		default:
			code, _ := f.rec.LastCode(pumped.Contact)
			delivered, codes = append(delivered, pumped), append(codes, code)
		}
		real := verifier.Request{Contact: num("+86139", i), Subject: fmt.Sprint("r", i)}
		code := f.send(t, real)
		if err := f.verify(real, code); err != nil {
			t.Fatal(err)
		}
		f.clk.Advance(20 * time.Second)
	}
	if refusedAt != 20 {
		t.Fatalf("first refusal at send %d, want the 21st (index 20)", refusedAt)
	}
	if b := blocks(log); len(b) != 1 || b[0] != "+86138" {
		t.Fatalf("blocks started %v, want one of +86138", b)
	}
	if !errors.Is(sendErr(f.v, verifier.Request{Contact: num("+86138", 99), Subject: "x"}), delivery.ErrNotAllowed) {
		t.Fatal("a guard refusal does not match ErrNotAllowed")
	}
	// Verifying is never refused by the guard.
	if err := f.verify(delivered[0], "000000"); !errors.Is(err, verifier.ErrWrongCode) {
		t.Fatalf("a wrong code on a refused prefix: %v, want the usual wrong-code answer", err)
	}
	// Hours later: still refused, however the sends are timed.
	for h := range 23 {
		f.clk.Advance(time.Hour)
		if err := sendErr(f.v, verifier.Request{Contact: num("+86138", 200+h), Subject: fmt.Sprint("again", h)}); !errors.Is(err, verifier.ErrPumping) {
			t.Fatalf("%d h on: %v, want still refused", h+1, err)
		}
	}
	// A day after the first sends (10:00, the start of their hour) they
	// have left; the first refusal halved the base (the later ones came
	// after a verified code: no strike): 10 more.
	f.clk.Advance(40 * time.Minute)
	for i := range 10 {
		if err := sendErr(f.v, verifier.Request{Contact: num("+86138", 300+i), Subject: fmt.Sprint("late", i)}); err != nil {
			t.Fatalf("a day later, send %d: %v", i+1, err)
		}
	}
	if err := sendErr(f.v, verifier.Request{Contact: num("+86138", 310), Subject: "late"}); !errors.Is(err, verifier.ErrPumping) {
		t.Fatalf("a day later, the 11th: %v, want refused", err)
	}
}

// TestGuardEarns: verified codes earn unverified sends, two per three up
// to 150 a day at standard, three each beyond: a busy prefix's real users
// keep room that an attacker must spend first.
func TestGuardEarns(t *testing.T) {
	for _, tt := range []struct {
		users, want int
	}{
		{100, 100*2/3 + 20},
		{200, 150*2/3 + 3*50 + 20},
	} {
		f, _ := guardFixture(t, verifier.DefaultGuard())
		// Users who verify, over the day before.
		for i := range tt.users {
			r := verifier.Request{Contact: num("+86137", i), Subject: fmt.Sprint("u", i)}
			if err := f.verify(r, f.send(t, r)); err != nil {
				t.Fatal(err)
			}
			f.clk.Advance(20 * time.Hour / time.Duration(tt.users))
		}
		sent := 0
		for i := range 1000 {
			if err := sendErr(f.v, verifier.Request{Contact: num("+86137", 10000+i), Subject: fmt.Sprint("p", i)}); errors.Is(err, verifier.ErrPumping) {
				break
			} else if err != nil {
				t.Fatal(err)
			}
			sent++
		}
		if sent != tt.want {
			t.Errorf("a prefix with %d verified codes took %d unverified sends, want %d", tt.users, sent, tt.want)
		}
	}
}

// TestGuardCodesSentBeforeABlockVerify: a code sent to a prefix before it
// was refused still verifies; a pinned prefix is refused from its first
// send.
func TestGuardCodesSentBeforeABlockVerify(t *testing.T) {
	g := verifier.DefaultGuard()
	g.Block = []string{"+86137"}
	f, _ := guardFixture(t, g, verifier.WithValidity(10*time.Minute))
	ctx := context.Background()
	first := verifier.Request{Contact: num("+86138", 0), Subject: "alice"}
	code := f.send(t, first)
	for i := 1; i <= 19; i++ { // never verified
		if err := sendErr(f.v, verifier.Request{Contact: num("+86138", i), Subject: fmt.Sprint("p", i)}); err != nil {
			t.Fatalf("pumped send %d: %v", i, err)
		}
	}
	f.clk.Advance(9 * time.Minute)
	if err := sendErr(f.v, verifier.Request{Contact: num("+86138", 26), Subject: "p26"}); !errors.Is(err, verifier.ErrPumping) {
		t.Fatalf("21st unverified send: %v, want the prefix refused", err)
	}
	if _, err := f.v.Verify(ctx, first, code); err != nil {
		t.Fatalf("verify of a code sent before the refusal: %v", err)
	}
	if err := sendErr(f.v, verifier.Request{Contact: num("+86137", 1), Subject: "bob"}); !errors.Is(err, verifier.ErrPumping) {
		t.Fatalf("a pinned-blocked prefix: %v", err)
	}
}

// TestGuardPinsAndLevels: Allow exempts a prefix however it converts;
// Block refuses even with the guard off, and Guard{Block: ...}, as the
// doc shows it, is accepted; bad settings are refused.
func TestGuardPinsAndLevels(t *testing.T) {
	f, _ := guardFixture(t, verifier.Guard{Level: verifier.GuardMax, PrefixDigits: 3, Allow: []string{"+86138"}})
	for i := range 100 {
		if err := sendErr(f.v, verifier.Request{Contact: num("+86138", i), Subject: fmt.Sprint("p", i)}); err != nil {
			t.Fatalf("an allowed prefix, send %d: %v", i, err)
		}
		f.clk.Advance(30 * time.Second)
	}
	// Allow's sends are not counted: the rest of the region is untouched.
	if err := sendErr(f.v, verifier.Request{Contact: "+8613912345678", Subject: "x"}); err != nil {
		t.Fatalf("another prefix after 100 allowed sends: %v", err)
	}
	for name, g := range map[string]verifier.Guard{
		"off, with Block":   {Block: []string{"+86135"}},
		"digits by default": {Level: verifier.GuardOff, Block: []string{"+86135"}, PrefixDigits: 0},
	} {
		off, _ := guardFixture(t, g)
		if err := sendErr(off.v, verifier.Request{Contact: "+8613512345678", Subject: "x"}); !errors.Is(err, verifier.ErrPumping) {
			t.Fatalf("%s: a blocked prefix: %v", name, err)
		}
		for i := range 60 {
			if err := sendErr(off.v, verifier.Request{Contact: num("+86136", i), Subject: fmt.Sprint("p", i)}); err != nil {
				t.Fatalf("%s: another prefix with the guard off, send %d: %v", name, i, err)
			}
		}
	}
	// Guard{Block: ...} with a standard level and no PrefixDigits: 3.
	std, _ := guardFixture(t, verifier.Guard{Level: verifier.GuardStandard, Block: []string{"+1900"}})
	for i := range 21 {
		err := sendErr(std.v, verifier.Request{Contact: num("+86136", i), Subject: fmt.Sprint("p", i)})
		if i < 20 && err != nil || i == 20 && !errors.Is(err, verifier.ErrPumping) {
			t.Fatalf("standard, digits by default, send %d: %v", i+1, err)
		}
	}
	if err := sendErr(std.v, verifier.Request{Contact: num("+86137", 0), Subject: "q"}); err != nil {
		t.Fatalf("the next prefix, +86137, is its own: %v", err)
	}
	for name, g := range map[string]verifier.Guard{
		"level":  {Level: 7, PrefixDigits: 3},
		"digits": {Level: verifier.GuardBasic, PrefixDigits: 9},
		"minus":  {Level: verifier.GuardBasic, PrefixDigits: -1},
		"prefix": {Level: verifier.GuardBasic, PrefixDigits: 3, Allow: []string{"86138"}},
		"block":  {Block: []string{"+86 138"}},
	} {
		if _, err := verifier.New(f.rec, verifier.WithGuard(g)); err == nil {
			t.Errorf("%s: a bad guard was accepted", name)
		}
	}
}

// TestGuardAllowPins: an Allow pin wider than a guard prefix (a whole
// calling code, an operator's range) would switch the guard off for all
// of it: New refuses it, naming Guard.Allow, unless Guard.AllowWide says
// so; guard prefixes, narrower pins and wide Block pins are accepted.
func TestGuardAllowPins(t *testing.T) {
	rec := &notify.Recorder{}
	for name, g := range map[string]verifier.Guard{
		"allow a calling code":      {Level: verifier.GuardStandard, PrefixDigits: 3, Allow: []string{"+1"}},
		"allow an operator's range": {Level: verifier.GuardStandard, PrefixDigits: 3, Allow: []string{"+8613"}},
		"allow beyond the digits":   {Level: verifier.GuardStandard, PrefixDigits: 5, Allow: []string{"+86138"}},
		"allow no calling code":     {Level: verifier.GuardStandard, PrefixDigits: 3, Allow: []string{"+999123"}},
	} {
		_, err := verifier.New(rec, verifier.WithGuard(g))
		switch {
		case err == nil:
			t.Errorf("%s: a bad guard was accepted", name)
		case !strings.Contains(err.Error(), "Guard.Allow"):
			t.Errorf("%s: %v, want an error naming Guard.Allow", name, err)
		}
	}
	// A zero Level is GuardOff: a Guard that sets anything but Block
	// without a Level looks configured and would be off.
	for name, g := range map[string]verifier.Guard{
		"off with an Allow pin":  {Allow: []string{"+86138"}},
		"off with the safe list": {SafeList: true},
		"off with 4 digits":      {PrefixDigits: 4},
	} {
		if _, err := verifier.New(rec, verifier.WithGuard(g)); err == nil || !strings.Contains(err.Error(), "GuardOff") {
			t.Errorf("%s: %v, want an error naming GuardOff", name, err)
		}
	}
	if v, err := verifier.New(rec, verifier.WithGuard(verifier.Guard{Block: []string{"+1900"}})); err != nil {
		t.Errorf("the guard off with a Block pin: %v", err)
	} else {
		v.Close()
	}
	for name, g := range map[string]verifier.Guard{
		"a guard prefix":       {Level: verifier.GuardStandard, PrefixDigits: 3, Allow: []string{"+86138", "+1650", "+44794"}},
		"a narrower range":     {Level: verifier.GuardStandard, PrefixDigits: 3, Allow: []string{"+8613800"}},
		"wide, said so":        {Level: verifier.GuardStandard, PrefixDigits: 3, Allow: []string{"+1"}, AllowWide: true},
		"a wide Block":         {Level: verifier.GuardStandard, PrefixDigits: 3, Block: []string{"+1900", "+7"}},
		"default digits, +1xx": {Level: verifier.GuardStandard, Allow: []string{"+1650"}},
	} {
		if v, err := verifier.New(rec, verifier.WithGuard(g)); err != nil {
			t.Errorf("%s: %v", name, err)
		} else {
			v.Close()
		}
	}
	// Said so, a calling code is off: +1 numbers are neither judged nor
	// counted.
	wide, err := verifier.New(rec, verifier.WithGuard(verifier.Guard{Level: verifier.GuardMax, Allow: []string{"+1"}, AllowWide: true}))
	if err != nil {
		t.Fatal(err)
	}
	defer wide.Close()
	for i := range 30 {
		if err := sendErr(wide, verifier.Request{Contact: fmt.Sprintf("+1650555%04d", i), Subject: fmt.Sprint("w", i)}); err != nil {
			t.Fatalf("a +1 number under AllowWide, send %d: %v", i+1, err)
		}
	}
}

// TestGuardOnByDefault: a Verifier given no guard has the standard one;
// a Limiter that cannot keep the guard's counts is an error from New,
// default guard or not, unless the guard is switched off explicitly.
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
	if refused != 20 {
		t.Fatalf("default verifier: unverified sends to one prefix refused at %d, want 20", refused)
	}

	for name, lim := range map[string]limiter.Limiter{
		"Limiter only":      limiterOnly{limiter.NewMemory()},
		"BatchLimiter only": batchOnly{limiter.NewMemory()},
	} {
		t.Cleanup(func() { lim.(interface{ Close() error }).Close() })
		for _, opts := range [][]verifier.Option{{}, {verifier.WithGuard(verifier.DefaultGuard())}} {
			_, err := verifier.New(f.rec, append(opts, verifier.WithLimiter(lim), verifier.WithSecrets([]byte("0123456789abcdef")))...)
			if err == nil || !strings.Contains(err.Error(), "GuardLimiter") || !strings.Contains(err.Error(), "WithGuard(verifier.Guard{})") {
				t.Fatalf("%s: New = %v, want an error naming limiter.GuardLimiter and how to switch the guard off", name, err)
			}
		}
		g, err := verifier.New(f.rec, verifier.WithLimiter(lim), verifier.WithGuard(verifier.Guard{}), verifier.WithLimits(l), verifier.WithSecrets([]byte("0123456789abcdef")))
		if err != nil {
			t.Fatalf("%s, the guard switched off: %v", name, err)
		}
		for i := range 60 {
			if err := sendErr(g, verifier.Request{Contact: num("+86138", i), Subject: fmt.Sprint(name, i)}); err != nil {
				t.Fatalf("%s, the guard off, send %d: %v", name, i, err)
			}
		}
	}
}

// limiterOnly hides every interface of a Limiter but Limiter's own;
// batchOnly all but BatchLimiter's.
type (
	limiterOnly struct{ limiter.Limiter }
	batchOnly   struct{ limiter.BatchLimiter }
)

func (l limiterOnly) Close() error { return l.Limiter.(*limiter.Memory).Close() }
func (l batchOnly) Close() error   { return l.BatchLimiter.(*limiter.Memory).Close() }

// TestGuardCountsOnlyWhatLeft: sends that certainly did not leave (the
// notifier says Undelivered) are given back to the guard with the limits,
// so a gateway outage does not make a prefix look unconverting; the same
// number of sends that did leave spends its allowance.
func TestGuardCountsOnlyWhatLeft(t *testing.T) {
	l := verifier.DefaultLimits()
	l.Subject, l.IP = verifier.ClientLimits{}, verifier.ClientLimits{}
	down := true
	clk := vcodetest.NewClock(start)
	v, err := verifier.New(delivery.NotifierFunc(func(context.Context, delivery.Message) error {
		if down {
			return delivery.Undelivered(errors.New("gateway down"))
		}
		return nil
	}), verifier.WithClock(clk.Now), verifier.WithLimits(l))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	for i := range 60 {
		if err := sendErr(v, verifier.Request{Contact: num("+86138", i), Subject: fmt.Sprint("p", i)}); !errors.Is(err, delivery.ErrUndelivered) {
			t.Fatalf("send %d during the outage: %v", i, err)
		}
		clk.Advance(20 * time.Second)
	}
	down = false
	for i := range 20 {
		if err := sendErr(v, verifier.Request{Contact: num("+86138", 100+i), Subject: fmt.Sprint("after", i)}); err != nil {
			t.Fatalf("after an outage of undelivered sends, send %d: %v, want the prefix's whole base", i+1, err)
		}
	}
	if err := sendErr(v, verifier.Request{Contact: num("+86138", 200), Subject: "after"}); !errors.Is(err, verifier.ErrPumping) {
		t.Fatalf("the 21st delivered unverified send: %v, want refused", err)
	}
}

// TestGuardRefusedSendsNotCounted: sends refused by a limit (a subject
// past its quota, a number within its cooldown) are never counted by the
// guard, so they cannot spend a prefix's allowance for others.
func TestGuardRefusedSendsNotCounted(t *testing.T) {
	l := verifier.DefaultLimits()
	l.IP = verifier.ClientLimits{}
	f, _ := guardFixture(t, verifier.DefaultGuard(), verifier.WithLimits(l))
	// One subject spends its 20 sends an hour on other prefixes, then
	// tries +86138 100 times; one number is asked for 100 times.
	for i := range 20 {
		if err := sendErr(f.v, verifier.Request{Contact: num("+86150", i), Subject: "spent"}); err != nil {
			t.Fatal(err)
		}
	}
	var rl *verifier.RateLimitError
	for i := range 100 {
		if err := sendErr(f.v, verifier.Request{Contact: num("+86138", i), Subject: "spent"}); !errors.As(err, &rl) || rl.Limit != "subject" {
			t.Fatalf("a spent subject's send %d: %v", i, err)
		}
		if err := sendErr(f.v, verifier.Request{Contact: num("+86138", 999), Subject: fmt.Sprint("s", i)}); i > 0 && (!errors.As(err, &rl) || rl.Limit != "contact") {
			t.Fatalf("one number's send %d: %v", i, err)
		}
	}
	// One send of the 200 left: 19 more for others, then refused.
	for i := range 19 {
		if err := sendErr(f.v, verifier.Request{Contact: num("+86138", 1000+i), Subject: fmt.Sprint("o", i)}); err != nil {
			t.Fatalf("another subject's send %d: %v, want the prefix's base untouched by refused sends", i+1, err)
		}
	}
	if err := sendErr(f.v, verifier.Request{Contact: num("+86138", 2000), Subject: "o"}); !errors.Is(err, verifier.ErrPumping) {
		t.Fatalf("beyond the base: %v", err)
	}
}

// TestGuardTrusted: a send the host vouches for passes a prefix that spent
// its allowance, and is counted.
func TestGuardTrusted(t *testing.T) {
	f, _ := guardFixture(t, verifier.DefaultGuard())
	for i := range 20 {
		if err := sendErr(f.v, verifier.Request{Contact: num("+86138", i), Subject: fmt.Sprint("p", i)}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 10 {
		r := verifier.Request{Contact: num("+86138", 100+i), Subject: fmt.Sprint("known", i), Trusted: true}
		if err := sendErr(f.v, r); err != nil {
			t.Fatalf("a trusted send to a spent prefix, %d: %v", i+1, err)
		}
		if err := sendErr(f.v, verifier.Request{Contact: num("+86138", 200+i), Subject: fmt.Sprint("q", i)}); !errors.Is(err, verifier.ErrPumping) {
			t.Fatalf("an untrusted one: %v", err)
		}
	}
}

// TestGuardRegion: sends spread thin over many prefixes of a region, each
// under its prefix's base, spend the region's (300 at standard): the 301st
// is refused, one event names the region; another region is untouched; a
// prefix whose own verified codes earned its sends still passes.
func TestGuardRegion(t *testing.T) {
	f, log := guardFixture(t, verifier.DefaultGuard())
	prefixes := []string{"+86130", "+86131", "+86132", "+86133", "+86135", "+86136", "+86137", "+86138", "+86139",
		"+86150", "+86151", "+86152", "+86153", "+86155", "+86156", "+86157", "+86158", "+86159",
		"+86180", "+86181", "+86182", "+86183", "+86185", "+86186", "+86187", "+86188", "+86189"}
	// A prefix with real users who verify, before.
	for i := range 5 {
		r := verifier.Request{Contact: num("+86199", i), Subject: fmt.Sprint("u", i)}
		if err := f.verify(r, f.send(t, r)); err != nil {
			t.Fatal(err)
		}
	}
	// 5 verified codes: room for 5 more in the region.
	refusedAt := -1
	for i := range 400 {
		r := verifier.Request{Contact: num(prefixes[i%len(prefixes)], i), Subject: fmt.Sprint("s", i)}
		if err := sendErr(f.v, r); errors.Is(err, verifier.ErrPumping) {
			refusedAt = i
			break
		} else if err != nil {
			t.Fatal(err)
		}
		f.clk.Advance(5 * time.Second)
	}
	if refusedAt != 305 {
		t.Fatalf("a spread over %d prefixes refused at send %d, want the 306th (300 and 5 verified)", len(prefixes), refusedAt+1)
	}
	if b := blocks(log); len(b) != 1 || b[0] != "CN" {
		t.Fatalf("blocks started %v, want one of region CN", b)
	}
	if err := sendErr(f.v, verifier.Request{Contact: "+8617012345678", Subject: "other-prefix"}); !errors.Is(err, verifier.ErrPumping) {
		t.Fatalf("a prefix of the refused region not sent to before: %v, want refused", err)
	}
	if err := sendErr(f.v, verifier.Request{Contact: "+16502530000", Subject: "us"}); err != nil {
		t.Fatalf("another region: %v", err)
	}
	if err := sendErr(f.v, verifier.Request{Contact: num("+86199", 100), Subject: "earned"}); err != nil {
		t.Fatalf("a prefix whose verified codes earned the send: %v", err)
	}
}

// TestGuardPendingCodes: with codes valid for ten minutes, 40 sends to a
// busy prefix in two minutes whose users verify after five are not
// refused: its pending codes fit the room its verified codes earned.
func TestGuardPendingCodes(t *testing.T) {
	f, _ := guardFixture(t, verifier.DefaultGuard(), verifier.WithValidity(10*time.Minute))
	// A day of history: 200 users who verified.
	for i := range 200 {
		r := verifier.Request{Contact: num("+86138", 5000+i), Subject: fmt.Sprint("h", i)}
		if err := f.verify(r, f.send(t, r)); err != nil {
			t.Fatal(err)
		}
		f.clk.Advance(5 * time.Minute)
	}
	var reqs []verifier.Request
	var codes []string
	for i := range 40 {
		r := verifier.Request{Contact: num("+86138", i), Subject: fmt.Sprint("u", i)}
		reqs, codes = append(reqs, r), append(codes, f.send(t, r))
		f.clk.Advance(3 * time.Second)
	}
	f.clk.Advance(5 * time.Minute)
	for i, r := range reqs {
		if err := f.verify(r, codes[i]); err != nil {
			t.Fatalf("verify %d after 5 min: %v", i, err)
		}
	}
}
