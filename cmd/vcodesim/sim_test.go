package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/verifier"
)

// small is a scenario small enough for a test: 1,000 users a day after a
// 6-hour warm-up, and a fifth of each campaign.
var small = []string{"-users", "5000", "-scale", "0.2", "-warmup", "6h"}

func runArgs(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(append(append([]string(nil), small...), args...), &out, &errOut)
	if code == 2 {
		t.Fatalf("run %q: usage error: %s", args, errOut.String())
	}
	return code, out.String()
}

// TestDeterministic: the same seed prints the same tables; another seed
// does not.
func TestDeterministic(t *testing.T) {
	_, a := runArgs(t, "-seed", "7", "-levels", "off,standard", "-campaigns", "burst,spread")
	_, b := runArgs(t, "-seed", "7", "-levels", "off,standard", "-campaigns", "burst,spread")
	if a != b {
		t.Fatalf("two runs with one seed differ:\n%s\n---\n%s", a, b)
	}
	_, c := runArgs(t, "-seed", "8", "-levels", "off,standard", "-campaigns", "burst,spread")
	if a == c {
		t.Fatal("seeds 7 and 8 printed the same tables")
	}
	// The adaptive runs' determinism: TestAdaptiveDeterministic, and
	// TestCheckExit (run's parallel runs against the same runs made one
	// after another).
}

// TestCheckExit: -check exits 1, saying why, when the judged level misses
// a target, and 0 when it meets them all.
func TestCheckExit(t *testing.T) {
	// With the guard off nothing is ever detected: every burst prefix
	// takes its 100 pumped messages.
	code, out := runArgs(t, "-campaigns", "burst", "-levels", "off", "-check", "-check-level", "off")
	if code != 1 || !strings.Contains(out, "check FAILED (off): +371291 (burst) never detected: 100 pumped messages delivered") {
		t.Fatalf("guard off: exit %d, output:\n%s", code, out)
	}
	// Legitimate traffic only, at the standard level: nothing to detect,
	// and no false positive.
	code, out = runArgs(t, "-campaigns", "none", "-levels", "standard", "-check")
	if code != 0 || !strings.Contains(out, "check passed (standard)") {
		t.Fatalf("legitimate only: exit %d, output:\n%s", code, out)
	}
	// Whatever the standard level does with the pre-generated campaigns
	// and an adaptive one, the exit status says what check says, and the
	// figures in its words are those of the same runs made here one
	// after another.
	sc, err := newScenario(scenarioConfig{seed: 1, users: 5000, scale: 0.2, warmup: 6 * time.Hour, campaigns: defaultCampaigns})
	if err != nil {
		t.Fatal(err)
	}
	res, err := runLevel(sc, levels[2])
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range attacks([]string{"rounds"}, time.Minute, 2*time.Minute, 0) {
		cfg := scenarioConfig{seed: 1, users: 5000, scale: 0.2, warmup: 6 * time.Hour}
		if a.fresh {
			cfg.warmup = 0
		}
		asc, err := newScenario(cfg)
		if err != nil {
			t.Fatal(err)
		}
		ar, err := runAttack(asc, levels[2], a)
		if err != nil {
			t.Fatal(err)
		}
		res.Adaptive = append(res.Adaptive, ar)
	}
	failures := append(check(res), checkAdaptive(res)...)
	code, out = runArgs(t, "-levels", "standard", "-check", "-campaigns", "burst,spread,rounds", "-pace", "1m")
	if want := map[bool]int{true: 0, false: 1}[len(failures) == 0]; code != want {
		t.Fatalf("check found %q, but the exit status is %d", failures, code)
	}
	for _, f := range failures {
		if !strings.Contains(out, f) {
			t.Errorf("output does not say %q", f)
		}
	}
}

// TestLegitimateOnly: a day of legitimate traffic alone at the standard
// level is (nearly) never refused by the guard, and no user is kept from
// verifying.
func TestLegitimateOnly(t *testing.T) {
	sc, err := newScenario(scenarioConfig{seed: 3, users: 20000, scale: 0.25, warmup: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	res, err := runLevel(sc, levels[2])
	if err != nil {
		t.Fatal(err)
	}
	l := res.Legit
	t.Logf("%d users, %d sends, %d verified; guard refused %d sends, %d users failed", l.Users, l.Sends, l.Verified, l.GuardRefused, l.FailedByGuard)
	if l.Users != 5000 || l.Sends < l.Users || l.Verified < l.Users/2 {
		t.Fatalf("implausible traffic: %+v", l)
	}
	if float64(l.GuardRefused) > 0.001*float64(l.Sends) || l.FailedByGuard > 2 {
		t.Fatalf("the guard refused %d of %d legitimate sends (%d users failed); blocks: %v", l.GuardRefused, l.Sends, l.FailedByGuard, res.Blocks)
	}
	if len(res.Anomalies) > 0 {
		t.Fatalf("anomalies: %q", res.Anomalies)
	}
}

// TestCampaignsWithinQuotas: the campaigns stay within every static quota,
// as pumpers do: with the guard off, no pumped send is rate-limited, and
// all are delivered.
func TestCampaignsWithinQuotas(t *testing.T) {
	sc, err := newScenario(scenarioConfig{seed: 1, users: 1000, scale: 1, warmup: 0, campaigns: defaultCampaigns})
	if err != nil {
		t.Fatal(err)
	}
	res, err := runLevel(sc, levels[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Prefixes {
		if p.RateLimited > 0 || p.OtherRefused > 0 || p.Delivered != p.Attempted || p.Detected {
			t.Errorf("%s: %+v", p.Prefix, *p)
		}
	}
	if res.Legit.GuardRefused > 0 || len(res.Blocks) > 0 {
		t.Errorf("guard off refused %d sends, started %d blocks", res.Legit.GuardRefused, len(res.Blocks))
	}
}

// stubGuard stands in for the Verifier: it delivers every send, but once a
// prefix has had after of them since its last block, it refuses the next
// with ErrPumping and every send to the prefix for blockFor (a refusal
// carrying retry as its RetryAfter when retry is set). It logs every send.
type stubGuard struct {
	r        *runner
	after    int
	blockFor time.Duration
	retry    bool
	state    map[string]*stubPrefix
	log      []stubSend
}

type stubPrefix struct {
	n     int
	until time.Duration
}

type stubSend struct {
	at        time.Duration
	prefix    string
	delivered bool
	starts    bool // this refusal started a block
}

func (s *stubGuard) Send(_ context.Context, req verifier.Request) (verifier.Sent, error) {
	c, err := contact.Parse(req.Contact, "")
	if err != nil {
		return verifier.Sent{}, err
	}
	sent := verifier.Sent{Contact: c}
	p := prefixOf(c.Value, c.CallingCode, 3)
	st := s.state[p]
	if st == nil {
		st = &stubPrefix{}
		s.state[p] = st
	}
	now := s.r.now
	refuse := func(starts bool) (verifier.Sent, error) {
		s.log = append(s.log, stubSend{at: now, prefix: p, starts: starts})
		if s.retry {
			return sent, &verifier.RateLimitError{Reason: verifier.ErrPumping, Limit: "guard", RetryAfter: st.until - now}
		}
		return sent, verifier.ErrPumping
	}
	if now < st.until {
		return refuse(false)
	}
	if st.n++; st.n > s.after {
		st.n, st.until = 0, now+s.blockFor
		return refuse(true)
	}
	s.r.msg, s.r.got = delivery.Message{Code: "123456"}, true
	s.log = append(s.log, stubSend{at: now, prefix: p, delivered: true})
	return sent, nil
}

func (s *stubGuard) Verify(context.Context, verifier.Request, string) (contact.Contact, error) {
	return contact.Contact{}, nil
}

func (s *stubGuard) Close() error { return nil }

// stubRun runs a against a stub guard, with no legitimate traffic.
func stubRun(t *testing.T, a attack, after int, blockFor time.Duration, retry bool) (*attackResult, []stubSend) {
	t.Helper()
	sc, err := newScenario(scenarioConfig{seed: 1, users: 0, scale: 1})
	if err != nil {
		t.Fatal(err)
	}
	r, err := newRunner(sc, levels[0], nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	r.close()
	s := &stubGuard{r: r, after: after, blockFor: blockFor, retry: retry, state: map[string]*stubPrefix{}}
	r.vs, r.v = []api{s}, s
	return r.attack(a), s.log
}

// TestRoundsWaitForTheBlock: the rounds attacker sends as many as pass,
// then probes a refused prefix every -probe (never hammering it) and starts
// the next round with the first probe after the block's end; told when the
// refusal ends (RetryAfter), it comes back right then.
func TestRoundsWaitForTheBlock(t *testing.T) {
	const (
		after    = 30
		blockFor = 47 * time.Minute
		pace     = 2 * time.Second
		probe    = 2 * time.Minute
		length   = 6 * time.Hour
	)
	for _, retry := range []bool{false, true} {
		t.Run(map[bool]string{false: "probes", true: "retry-after"}[retry], func(t *testing.T) {
			a := attack{campaign: "rounds", variant: "test", targets: []target{roundsTarget}, pace: pace, probe: probe, length: length}
			res, log := stubRun(t, a, after, blockFor, retry)
			var blocks []time.Duration
			delivered := 0
			for i, s := range log {
				if s.at >= length {
					t.Fatalf("a send at %v, after the attack's %v", s.at, length)
				}
				if s.delivered {
					delivered++
				}
				if s.starts {
					blocks = append(blocks, s.at)
				}
				if i == 0 {
					continue
				}
				gap := s.at - log[i-1].at
				switch prev := log[i-1]; {
				case prev.delivered && gap != pace:
					t.Fatalf("send %d at %v: %v after a delivered send, want the round's pace %v", i, s.at, gap, pace)
				case !prev.delivered && !retry && gap != probe:
					t.Fatalf("send %d at %v: %v after a refusal, want the probe interval %v", i, s.at, gap, probe)
				}
			}
			if len(blocks) < 3 {
				t.Fatalf("%d blocks in %v: the stub never stopped the attacker", len(blocks), length)
			}
			for _, b := range blocks {
				end := b + blockFor
				// The first send at or after the block's end is
				// delivered, within a probe interval of the end (at
				// the end itself when the refusal said when).
				i := slices.IndexFunc(log, func(s stubSend) bool { return s.at >= end })
				if i < 0 {
					continue
				}
				s := log[i]
				late := s.at - end
				if !s.delivered || late >= probe || retry && late != 0 {
					t.Errorf("block %v-%v: first send after it at %v (delivered %v), want within %v of its end", b, end, s.at, s.delivered, probe)
				}
			}
			p := res.Prefixes[0]
			if p.Delivered != delivered || p.Attempted != len(log) || res.Regions["LV"] != delivered {
				t.Errorf("result: %d delivered of %d attempted (LV %d); the stub logged %d of %d", p.Delivered, p.Attempted, res.Regions["LV"], delivered, len(log))
			}
			if want := len(blocks) + 1; res.Rounds != want && res.Rounds != want-1 {
				t.Errorf("%d rounds for %d blocks", res.Rounds, len(blocks))
			}
			if !p.Detected || p.TimeToDetect != blocks[0] {
				t.Errorf("detected %v after %v, first block at %v", p.Detected, p.TimeToDetect, blocks[0])
			}
		})
	}
}

// TestSpreadMovesOn: refused on one prefix, the spreadcountry attacker goes
// on with the next at once, and comes back to a refused prefix only with a
// probe, no sooner than -probe after its refusal.
func TestSpreadMovesOn(t *testing.T) {
	const (
		pace  = 2 * time.Second
		probe = 5 * time.Minute
	)
	targets := spreadTargetsGB()
	if len(targets) != 50 {
		t.Fatalf("%d GB prefixes, want 50", len(targets))
	}
	a := attack{campaign: "spreadcountry", variant: "test", targets: targets[:4], pace: pace, probe: probe, length: 3 * time.Hour}
	res, log := stubRun(t, a, 10, 20*time.Minute, false)
	lastRefusal := map[string]time.Duration{}
	moves := 0
	for i, s := range log {
		if at, ok := lastRefusal[s.prefix]; ok && s.at-at < probe {
			t.Fatalf("send %d to %s at %v, %v after its refusal (probe interval %v)", i, s.prefix, s.at, s.at-at, probe)
		}
		delete(lastRefusal, s.prefix)
		if !s.delivered {
			lastRefusal[s.prefix] = s.at
			if i+1 < len(log) && log[i+1].at == s.at+pace {
				if log[i+1].prefix == s.prefix {
					t.Fatalf("send %d: refused on %s, then %s again", i, s.prefix, s.prefix)
				}
				moves++
			}
		}
	}
	if moves < 3 {
		t.Fatalf("the attacker moved to another prefix %d times", moves)
	}
	total, per := 0, 0
	for _, p := range res.Prefixes {
		total += p.Delivered
		per = max(per, p.Delivered)
	}
	if k, n := res.maxPrefix(); n != per || k == "-" {
		t.Errorf("maxPrefix %s %d, want %d", k, n, per)
	}
	if k, n := res.maxRegion(); k != "GB" || n != total {
		t.Errorf("maxRegion %s %d, want GB %d", k, n, total)
	}
}

// TestAdaptiveDeterministic: an adaptive run against the real Verifier
// gives the same figures for the same seed, and other figures for another.
func TestAdaptiveDeterministic(t *testing.T) {
	figures := func(seed uint64) string {
		sc, err := newScenario(scenarioConfig{seed: seed, users: 1000, scale: 1, warmup: 3 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		a := attacks([]string{"rounds"}, 30*time.Second, 3*time.Minute, 0)[1] // history, many tokens
		a.length = 8 * time.Hour
		res, err := runAttack(sc, levels[2], a)
		if err != nil {
			t.Fatal(err)
		}
		if res.Prefixes[0].Delivered == 0 || res.Prefixes[0].GuardRefused == 0 {
			t.Fatalf("seed %d: the attack did nothing: %+v", seed, *res.Prefixes[0])
		}
		b, _ := json.Marshal(res)
		return string(b)
	}
	a, b, c := figures(5), figures(5), figures(6)
	if a != b {
		t.Fatalf("one seed, two results:\n%s\n%s", a, b)
	}
	if a == c {
		t.Fatal("seeds 5 and 6 gave the same result")
	}
}

// TestBusyPrefix: the denial of service's victim has the traffic the
// issue's target is about: about 1,200 real sends a day, 70 % verified;
// with the guard off nothing refuses them, and without a refusal the cost
// is unbounded (-1).
func TestBusyPrefix(t *testing.T) {
	b := busyPrefix
	sc, err := newScenario(scenarioConfig{seed: 2, users: 200, scale: 1, warmup: 0, busy: &b})
	if err != nil {
		t.Fatal(err)
	}
	var rs []*attackResult
	for _, a := range attacks([]string{"dos"}, 2*time.Second, 2*time.Minute, 0)[:2] {
		a.length = 2 * time.Hour
		res, err := runAttack(sc, levels[0], a)
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, res)
	}
	costs(rs)
	w := rs[0].Busy
	if w.RealSends < 1050 || w.RealSends > 1350 || pct(w.RealVerified, w.RealDelivered) < 65 || pct(w.RealVerified, w.RealDelivered) > 75 {
		t.Errorf("busy prefix: %d real sends, %.1f %% verified; want about 1,200 and 70 %%", w.RealSends, pct(w.RealVerified, w.RealDelivered))
	}
	if w.RealRefused != 0 || w.AttackerDelivered != 0 || !rs[0].idle {
		t.Errorf("baseline: %+v", *w)
	}
	d := rs[1].Busy
	if d.AttackerDelivered != 2*1800 || d.RealRefused != 0 || d.Cost != -1 || d.RealSends != w.RealSends {
		t.Errorf("guard off, attacked: %+v", *d)
	}
}

// TestCosts: a denial of service's cost counts only the real sends refused
// beyond the baseline's.
func TestCosts(t *testing.T) {
	for _, c := range []struct {
		delivered, refused, baseline int
		want                         float64
	}{
		{100, 200, 0, 0.5},
		{100, 110, 10, 1},
		{100, 10, 10, -1},
		{100, 5, 10, -1},
		{0, 50, 0, 0},
	} {
		rs := []*attackResult{
			{Busy: &busyResult{RealRefused: c.baseline}, idle: true},
			{Busy: &busyResult{RealRefused: c.refused, AttackerDelivered: c.delivered}},
		}
		costs(rs)
		if got := rs[1].Busy.Cost; got != c.want {
			t.Errorf("%+v: cost %v", c, got)
		}
	}
}

// TestCheckAdaptive: the adaptive targets, at their bounds.
func TestCheckAdaptive(t *testing.T) {
	rounds := func(perPrefix []int, region string, legitRefused int) *attackResult {
		a := &attackResult{Campaign: "rounds", Variant: "v", Regions: map[string]int{}, Legit: legitResult{Sends: 1000, GuardRefused: legitRefused}}
		for i, n := range perPrefix {
			a.Prefixes = append(a.Prefixes, &prefixResult{Prefix: fmt.Sprintf("+44%d", 740+i), Delivered: n})
			a.Regions[region] += n
		}
		return a
	}
	dos := func(cost float64) *attackResult {
		return &attackResult{Campaign: "dos", Variant: "v", Busy: &busyResult{Prefix: "+234701", Cost: cost}}
	}
	for _, c := range []struct {
		name string
		a    *attackResult
		want string // "" passes
	}{
		{"prefix at its bound", rounds([]int{100}, "LV", 0), ""},
		{"prefix over", rounds([]int{101}, "LV", 0), "101 SMS delivered to +44740 in the day (target <= 100)"},
		{"region at its bound", rounds(slices.Repeat([]int{20}, 50), "GB", 0), ""},
		{"region over", rounds(append(slices.Repeat([]int{20}, 49), 21), "GB", 0), "1001 SMS delivered to region GB in the day (target <= 1000)"},
		{"legit at its bound", rounds([]int{1}, "LV", 5), ""},
		{"legit over", rounds([]int{1}, "LV", 6), "0.60 % of legitimate sends refused"},
		{"cost at its bound", dos(1), ""},
		{"cost under", dos(0.99), "cost 0.99 (target >= 1.0)"},
		{"nothing refused", dos(-1), ""},
	} {
		got := checkAdaptive(&levelResult{Adaptive: []*attackResult{c.a}})
		switch {
		case c.want == "" && len(got) > 0:
			t.Errorf("%s: %q, want a pass", c.name, got)
		case c.want != "" && (len(got) != 1 || !strings.Contains(got[0], c.want)):
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// TestConcurrencyBurst: the burst sends all its requests, through two
// Verifiers that share one store and limiter: with the guard off every
// one is delivered, at once or one after another; and the two instances
// share the limits (a number's cooldown).
func TestConcurrencyBurst(t *testing.T) {
	sc, err := newScenario(scenarioConfig{seed: 1, users: 0, scale: 1})
	if err != nil {
		t.Fatal(err)
	}
	// A miniredis even when VCODE_TEST_REDIS names a server: this tests
	// the burst's mechanics (CI's simulator step runs it on the real
	// servers), and a real server's INFO commandstats is TestRoundTrips'
	// to read while the packages' tests run at once.
	addr := miniredis.RunT(t).Addr()
	backends := []concBackend{{"memory", memoryBackend}, {"redis", redisBackend(func() redis.UniversalClient {
		return redis.NewClient(&redis.Options{Addr: addr})
	})}}
	for _, b := range backends {
		for _, concurrent := range []bool{false, true} {
			n, errs, first, err := burst(sc, levels[0], b, 60, concurrent)
			if err != nil || n != 60 || errs != 0 {
				t.Errorf("%s, concurrent %v: %d of 60 delivered, %d errors (%s), %v", b.name, concurrent, n, errs, first, err)
			}
		}
		be, cleanup, err := b.build()
		if err != nil {
			t.Fatal(err)
		}
		r, err := newRunner(sc, levels[0], be, 2)
		if err != nil {
			t.Fatal(err)
		}
		req := verifier.Request{Contact: "+37129112233", Subject: "s", ClientIP: "192.0.2.1"}
		if _, err := r.vs[0].Send(r.ctx, req); err != nil {
			t.Fatalf("%s: first send: %v", b.name, err)
		}
		var rl *verifier.RateLimitError
		if _, err := r.vs[1].Send(r.ctx, req); !errors.As(err, &rl) || rl.Limit != "contact" {
			t.Errorf("%s: the same number through the other instance: %v, want its cooldown", b.name, err)
		}
		r.close()
		cleanup()
	}
}
