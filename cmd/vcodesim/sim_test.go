package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
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
	_, a := runArgs(t, "-seed", "7", "-levels", "off,standard")
	_, b := runArgs(t, "-seed", "7", "-levels", "off,standard")
	if a != b {
		t.Fatalf("two runs with one seed differ:\n%s\n---\n%s", a, b)
	}
	_, c := runArgs(t, "-seed", "8", "-levels", "off,standard")
	if a == c {
		t.Fatal("seeds 7 and 8 printed the same tables")
	}
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
	// Whatever the standard level does with the default campaigns, the
	// exit status says what check says.
	sc, err := newScenario(scenarioConfig{seed: 1, users: 5000, scale: 0.2, warmup: 6 * time.Hour, campaigns: defaultCampaigns})
	if err != nil {
		t.Fatal(err)
	}
	res, err := runLevel(sc, levels[2])
	if err != nil {
		t.Fatal(err)
	}
	failures := check(res)
	code, out = runArgs(t, "-levels", "standard", "-check")
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
