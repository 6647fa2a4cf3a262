package limitertest

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vcodekit/vcode/internal/clock"
	"github.com/vcodekit/vcode/limiter"
)

// runGuard checks a limiter.GuardLimiter, when the Limiter is one: the
// allowance against limiter.Allowance.Decide over a model of the counts
// it documents, the requests taken first and given back on the guard's
// refusal, releases, the windows, and concurrent sends decided as the
// same sends one after another.
func runGuard(t *testing.T, factory Factory) {
	clk := clock.NewManual(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	if _, ok := factory(t, clk.Now).(limiter.GuardLimiter); !ok {
		t.Skip("not a limiter.GuardLimiter")
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, l limiter.GuardLimiter, clk *clock.Manual)
	}{
		{"BaseThenRefused", testGuardBase},
		{"VerifiedEarns", testGuardEarns},
		{"Region", testGuardRegion},
		{"RequestsFirst", testGuardRequestsFirst},
		{"RefusalGivesBackRequests", testGuardGivesBack},
		{"ReleaseSend", testGuardRelease},
		{"Windows", testGuardWindows},
		{"UsualDay", testGuardUsualDay},
		{"Strikes", testGuardStrikes},
		{"Trusted", testGuardTrusted},
		{"SafeList", testGuardSafeList},
		{"SafeListRegionAndExpiry", testGuardSafeRegion},
		{"SafeListConcurrent", testGuardSafeConcurrent},
		{"Invalid", testGuardInvalid},
		{"AgainstModel", testGuardRandomised},
		{"Concurrent", testGuardConcurrent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Mid-hour, so that windows do not start on a bucket's edge.
			clk := clock.NewManual(time.Date(2026, 1, 2, 3, 34, 5, 0, time.UTC))
			tt.fn(t, factory(t, clk.Now).(limiter.GuardLimiter), clk)
		})
	}
}

// small is an allowance that binds within a few sends.
var small = limiter.Allowance{Base: 4, Knee: 3, Low: 1, High: 3, RegionBase: 10, RegionRate: 1}

func gkey(region, prefix string) limiter.GuardKey {
	return limiter.GuardKey{Region: "r:" + region, Prefix: "p:" + prefix}
}

// send calls AllowSend with reqs and no error, checking what every
// GuardLimiter must: a refusal by a request is not judged, a refusal by
// the guard leaves no decision and no time.
func send(t *testing.T, l limiter.GuardLimiter, s limiter.GuardSend, reqs ...limiter.Request) limiter.SendDecision {
	t.Helper()
	ds := make([]limiter.Decision, len(reqs))
	d, err := l.AllowSend(ctx, reqs, s, ds)
	if err != nil {
		t.Fatalf("AllowSend: %v", err)
	}
	checkSend(t, d, ds)
	return d
}

// checkSend checks AllowSend's decision d and the requests' decisions ds.
func checkSend(t *testing.T, d limiter.SendDecision, ds []limiter.Decision) {
	t.Helper()
	switch {
	case d.Refused >= 0 && (d.Guard != limiter.GuardAllow || d.Started || !d.At.IsZero()):
		t.Fatalf("refused by request %d, yet judged: %+v", d.Refused, d)
	case d.Refused < -1 || d.Refused >= len(ds):
		t.Fatalf("refused index %d of %d", d.Refused, len(ds))
	case d.Refused < 0 && d.Guard != limiter.GuardAllow && !d.At.IsZero():
		t.Fatalf("refused by the guard, with a time: %+v", d)
	case d.Refused < 0 && d.Guard == limiter.GuardAllow && d.At.IsZero():
		t.Fatalf("allowed without a time: %+v", d)
	}
	for i, dd := range ds {
		if d.Refused < 0 && d.Guard != limiter.GuardAllow && dd != (limiter.Decision{}) {
			t.Fatalf("refused by the guard, but decision %d is %+v", i, dd)
		}
		if d.Refused < 0 && d.Guard == limiter.GuardAllow && !dd.Allowed {
			t.Fatalf("allowed, but decision %d is %+v", i, dd)
		}
	}
}

func verified(t *testing.T, l limiter.GuardLimiter, key limiter.GuardKey) {
	t.Helper()
	if err := l.Verified(ctx, key, time.Time{}); err != nil {
		t.Fatalf("Verified: %v", err)
	}
}

func testGuardBase(t *testing.T, l limiter.GuardLimiter, clk *clock.Manual) {
	s := limiter.GuardSend{Key: gkey("XA", "1"), Allowance: small}
	for i := range small.Base {
		if d := send(t, l, s); d.Guard != limiter.GuardAllow {
			t.Fatalf("send %d of a base of %d: %+v", i+1, small.Base, d)
		}
		clk.Advance(time.Minute)
	}
	d := send(t, l, s)
	if d.Guard != limiter.GuardRefusePrefix || !d.Started {
		t.Fatalf("beyond the base: %+v, want refused for the prefix, a block started", d)
	}
	clk.Advance(30 * time.Minute)
	if d := send(t, l, s); d.Guard != limiter.GuardRefusePrefix || d.Started {
		t.Fatalf("again within the hour: %+v, want refused, no new block", d)
	}
	// Another prefix of the region is its own.
	if d := send(t, l, limiter.GuardSend{Key: gkey("XA", "2"), Allowance: small}); d.Guard != limiter.GuardAllow {
		t.Fatalf("another prefix: %+v", d)
	}
	clk.Advance(time.Hour)
	if d := send(t, l, s); d.Guard != limiter.GuardRefusePrefix || !d.Started {
		t.Fatalf("after a quiet hour: %+v, want a new block", d)
	}
	// A day on, the sends have left, but the refusals are strikes: the
	// base is halved.
	clk.Advance(24 * time.Hour)
	for i := range small.Base / 2 {
		if d := send(t, l, s); d.Guard != limiter.GuardAllow {
			t.Fatalf("the next day, send %d: %+v", i+1, d)
		}
	}
	if d := send(t, l, s); d.Guard != limiter.GuardRefusePrefix {
		t.Fatalf("the next day, beyond half the base: %+v", d)
	}
}

func testGuardEarns(t *testing.T, l limiter.GuardLimiter, clk *clock.Manual) {
	key := gkey("XA", "1")
	s := limiter.GuardSend{Key: key, Allowance: small}
	// 5 verified codes: 3 below the knee earn 1 each, 2 beyond earn 3
	// each: 9, and the base 4.
	for range 5 {
		verified(t, l, key)
	}
	for i := range 5 + 9 + 4 {
		if d := send(t, l, s); d.Guard != limiter.GuardAllow {
			t.Fatalf("send %d of 18: %+v", i+1, d)
		}
	}
	if d := send(t, l, s); d.Guard != limiter.GuardRefusePrefix {
		t.Fatalf("send 19: %+v", d)
	}
	// One more code beyond the knee earns 3 and takes one send off the
	// unverified ones; the refusal was no strike, the prefix converts.
	// So 4 more.
	verified(t, l, key)
	for i := range 4 {
		if d := send(t, l, s); d.Guard != limiter.GuardAllow {
			t.Fatalf("after one more verified code, send %d: %+v", i+1, d)
		}
	}
	if d := send(t, l, s); d.Guard != limiter.GuardRefusePrefix {
		t.Fatalf("after one more verified code, send 5: %+v", d)
	}
}

func testGuardRegion(t *testing.T, l limiter.GuardLimiter, clk *clock.Manual) {
	// Three sends each to prefixes of one region, under their base: the
	// region's base of 10 refuses the 11th, for the region.
	var d limiter.SendDecision
	for i := range small.RegionBase + 1 {
		d = send(t, l, limiter.GuardSend{Key: gkey("XB", fmt.Sprint(i/3)), Allowance: small})
		if i < small.RegionBase && d.Guard != limiter.GuardAllow {
			t.Fatalf("send %d to the region: %+v", i+1, d)
		}
	}
	if d.Guard != limiter.GuardRefuseRegion || !d.Started {
		t.Fatalf("beyond the region's base: %+v, want refused for the region", d)
	}
	// Another region is its own; a prefix that earned its sends passes.
	if d := send(t, l, limiter.GuardSend{Key: gkey("XC", "0"), Allowance: small}); d.Guard != limiter.GuardAllow {
		t.Fatalf("another region: %+v", d)
	}
	earner := gkey("XB", "earner")
	verified(t, l, earner)
	if d := send(t, l, limiter.GuardSend{Key: earner, Allowance: small}); d.Guard != limiter.GuardAllow {
		t.Fatalf("an earned send in a full region: %+v", d)
	}
	// The region's refusal was a strike: its base is 5 now. Its verified
	// codes give it room, one each: with 4 more (5 in all, the earner's
	// too) it has 11 sends, 6 unverified, room for 10: 4 more sends.
	for range 4 {
		verified(t, l, gkey("XB", "other"))
	}
	for i := range 4 {
		if d := send(t, l, limiter.GuardSend{Key: gkey("XB", "9"), Allowance: small}); d.Guard != limiter.GuardAllow {
			t.Fatalf("after the region verified codes, send %d: %+v", i+1, d)
		}
	}
	if d := send(t, l, limiter.GuardSend{Key: gkey("XB", "8"), Allowance: small}); d.Guard != limiter.GuardRefuseRegion || d.Started {
		t.Fatalf("the region full again: %+v, want refused, the block already started", d)
	}
}

func testGuardRequestsFirst(t *testing.T, l limiter.GuardLimiter, clk *clock.Manual) {
	s := limiter.GuardSend{Key: gkey("XA", "1"), Allowance: small}
	one := req("quota", per(1, time.Hour))
	if d := send(t, l, s, one); d.Refused != -1 || d.Guard != limiter.GuardAllow {
		t.Fatalf("first: %+v", d)
	}
	// Refused by the request: the guard neither judges nor counts them.
	for range 3 * small.Base {
		if d := send(t, l, s, req("other", per(5, time.Hour)), one); d.Refused != 1 {
			t.Fatalf("a spent quota: %+v, want refused by request 1", d)
		}
	}
	for i := range small.Base - 1 {
		if d := send(t, l, s); d.Guard != limiter.GuardAllow {
			t.Fatalf("after refused requests, send %d: %+v (they were counted)", i+2, d)
		}
	}
	if d := send(t, l, s); d.Guard != limiter.GuardRefusePrefix {
		t.Fatalf("beyond the base: %+v", d)
	}
	// The other request's events were given back with the refusals.
	for i := range 5 {
		if d, err := l.Allow(ctx, "other", per(5, time.Hour)); err != nil || !d.Allowed {
			t.Fatalf("the refused sends' other request, event %d: %+v %v", i+1, d, err)
		}
	}
}

func testGuardGivesBack(t *testing.T, l limiter.GuardLimiter, clk *clock.Manual) {
	s := limiter.GuardSend{Key: gkey("XA", "1"), Allowance: limiter.Allowance{}}
	// A zero allowance refuses every send: its requests' events go back.
	for range 3 {
		if d := send(t, l, s, req("a", per(1, time.Hour)), req("b", per(1, time.Hour))); d.Guard != limiter.GuardRefusePrefix {
			t.Fatalf("a zero allowance: %+v", d)
		}
	}
	for _, k := range []string{"a", "b"} {
		if d, err := l.Allow(ctx, k, per(1, time.Hour)); err != nil || !d.Allowed {
			t.Fatalf("key %s after the guard's refusals: %+v %v, want its event given back", k, d, err)
		}
	}
}

func testGuardRelease(t *testing.T, l limiter.GuardLimiter, clk *clock.Manual) {
	key := gkey("XA", "1")
	s := limiter.GuardSend{Key: key, Allowance: small}
	var ats []time.Time
	for range small.Base {
		ats = append(ats, send(t, l, s).At)
		clk.Advance(time.Minute)
	}
	if err := l.ReleaseSend(ctx, key, ats[1]); err != nil {
		t.Fatal(err)
	}
	if d := send(t, l, s); d.Guard != limiter.GuardAllow {
		t.Fatalf("after a release: %+v", d)
	}
	if d := send(t, l, s); d.Guard != limiter.GuardRefusePrefix {
		t.Fatalf("beyond the base: %+v", d)
	}
	// A release of what is not there, twice, or of another prefix.
	for _, k := range []limiter.GuardKey{gkey("XA", "never"), gkey("XZ", "never")} {
		if err := l.ReleaseSend(ctx, k, ats[0]); err != nil {
			t.Fatal(err)
		}
	}
	if d := send(t, l, s); d.Guard != limiter.GuardRefusePrefix {
		t.Fatalf("a release elsewhere freed room here: %+v", d)
	}
	// The region was released too: 5 prefix sends, 1 released, and 6 more
	// elsewhere in the region take it to its base exactly.
	for i := range small.RegionBase - small.Base {
		if d := send(t, l, limiter.GuardSend{Key: gkey("XA", fmt.Sprint("o", i/3)), Allowance: small}); d.Guard != limiter.GuardAllow {
			t.Fatalf("region send %d: %+v", i+1, d)
		}
	}
	if d := send(t, l, limiter.GuardSend{Key: gkey("XA", "last"), Allowance: small}); d.Guard != limiter.GuardRefuseRegion {
		t.Fatalf("the region beyond its base: %+v", d)
	}
}

func testGuardWindows(t *testing.T, l limiter.GuardLimiter, clk *clock.Manual) {
	key := gkey("XA", "1")
	s := limiter.GuardSend{Key: key, Allowance: small}
	for range small.Base {
		send(t, l, s)
	}
	// 3:34 now; the sends are in the 3:00 hour, counted until 3:00 the
	// next day.
	clk.Advance(23*time.Hour + 25*time.Minute) // 2:59
	if d := send(t, l, s); d.Guard != limiter.GuardRefusePrefix {
		t.Fatalf("23 h 25 min on: %+v, want still refused", d)
	}
	clk.Advance(time.Minute) // 3:00: the 3:00 hour left the day
	// One strike: half the base.
	for i := range small.Base / 2 {
		if d := send(t, l, s); d.Guard != limiter.GuardAllow {
			t.Fatalf("24 h on, send %d: %+v", i+1, d)
		}
	}
}

// testGuardUsualDay: a usual day is the average of the days counted, over
// 30 at most, and a history starts again when nothing counts.
func testGuardUsualDay(t *testing.T, l limiter.GuardLimiter, clk *clock.Manual) {
	// 6 codes verified on a prefix's first day are 2 a day on its third.
	young := gkey("XD", "1")
	for range 6 {
		verified(t, l, young)
	}
	clk.Advance(2 * 24 * time.Hour)
	y := limiter.GuardSend{Key: young, Allowance: small}
	for i := range 2 + small.Base {
		if d := send(t, l, y); d.Guard != limiter.GuardAllow {
			t.Fatalf("a prefix that verified 6 codes 2 days ago, its first, send %d: %+v", i+1, d)
		}
	}
	if d := send(t, l, y); d.Guard != limiter.GuardRefusePrefix {
		t.Fatalf("beyond its usual day: %+v", d)
	}
	// A history ends when nothing counts: a prefix sent to once, 10 days
	// ago, starts a new one with its first verified code.
	again := limiter.GuardSend{Key: gkey("XG", "1"), Allowance: small}
	send(t, l, again)
	clk.Advance(10 * 24 * time.Hour)
	for range 6 {
		verified(t, l, again.Key)
	}
	clk.Advance(2 * 24 * time.Hour)
	for i := range 2 + small.Base {
		if d := send(t, l, again); d.Guard != limiter.GuardAllow {
			t.Fatalf("a prefix whose history started again, send %d: %+v", i+1, d)
		}
	}
	if d := send(t, l, again); d.Guard != limiter.GuardRefusePrefix {
		t.Fatalf("beyond its usual day: %+v", d)
	}
	// Over 30 days at most, rounded down: 89 codes verified by a prefix
	// counted for 40 days are 2 a usual day for 30 days.
	long := limiter.GuardSend{Key: gkey("XF", "1"), Allowance: small}
	for range 80 { // a send every 12 hours: its history goes on
		send(t, l, long)
		clk.Advance(12 * time.Hour)
	}
	for range 89 {
		verified(t, l, long.Key)
	}
	clk.Advance(2 * 24 * time.Hour)
	for i := range 2 + small.Base {
		if d := send(t, l, long); d.Guard != limiter.GuardAllow {
			t.Fatalf("a prefix that verified 89 codes 2 days ago, send %d: %+v", i+1, d)
		}
	}
	if d := send(t, l, long); d.Guard != limiter.GuardRefusePrefix {
		t.Fatalf("beyond a usual day's: %+v", d)
	}
	clk.Advance(30 * 24 * time.Hour)
	// Gone after 30 days; the strike of a month ago too.
	for i := range small.Base {
		if d := send(t, l, long); d.Guard != limiter.GuardAllow {
			t.Fatalf("a month on, send %d: %+v", i+1, d)
		}
	}
	if d := send(t, l, long); d.Guard != limiter.GuardRefusePrefix {
		t.Fatalf("a month on, beyond the base: %+v", d)
	}
}

// testGuardStrikes: a refusal is a strike for 7 days from the start of
// its day: half the base until the 7th day's end, the whole base after.
func testGuardStrikes(t *testing.T, l limiter.GuardLimiter, clk *clock.Manual) {
	a, b := limiter.GuardSend{Key: gkey("XA", "1"), Allowance: small}, limiter.GuardSend{Key: gkey("XB", "1"), Allowance: small}
	for _, s := range []limiter.GuardSend{a, b} {
		for range small.Base {
			send(t, l, s)
		}
		if d := send(t, l, s); d.Guard != limiter.GuardRefusePrefix {
			t.Fatalf("beyond the base: %+v", d)
		}
	}
	// 3:34 on the 1st day; 23:59 on the 7th.
	clk.Advance(6*24*time.Hour + 20*time.Hour + 25*time.Minute)
	for i := range small.Base / 2 {
		if d := send(t, l, a); d.Guard != limiter.GuardAllow {
			t.Fatalf("the 7th day, send %d: %+v", i+1, d)
		}
	}
	if d := send(t, l, a); d.Guard != limiter.GuardRefusePrefix {
		t.Fatalf("the 7th day, beyond half the base: %+v, want the strike counted", d)
	}
	clk.Advance(time.Minute) // 00:00 on the 8th day
	for i := range small.Base {
		if d := send(t, l, b); d.Guard != limiter.GuardAllow {
			t.Fatalf("the 8th day, send %d: %+v, want the strike gone", i+1, d)
		}
	}
	if d := send(t, l, b); d.Guard != limiter.GuardRefusePrefix {
		t.Fatalf("the 8th day, beyond the base: %+v", d)
	}
}

func testGuardTrusted(t *testing.T, l limiter.GuardLimiter, clk *clock.Manual) {
	s := limiter.GuardSend{Key: gkey("XA", "1"), Allowance: small}
	trusted := s
	trusted.Trusted = true
	for i := range 3 * small.Base {
		if d := send(t, l, trusted); d.Guard != limiter.GuardAllow {
			t.Fatalf("trusted send %d: %+v", i+1, d)
		}
	}
	// Counted: an untrusted send is refused.
	if d := send(t, l, s); d.Guard != limiter.GuardRefusePrefix {
		t.Fatalf("after trusted sends beyond the base: %+v", d)
	}
}

// withContact is s with the safe list's contact c.
func withContact(s limiter.GuardSend, c string) limiter.GuardSend {
	s.Key.Contact = "c:" + c
	return s
}

// testGuardSafeList: a contact whose most recent code was verified passes
// a spent prefix's (and region's) allowance once, is counted, and must
// verify again to pass again; a send allowed by the allowance takes the
// mark too; a mark lasts GuardSafeFor; a number never verified never
// passes.
func testGuardSafeList(t *testing.T, l limiter.GuardLimiter, clk *clock.Manual) {
	s := limiter.GuardSend{Key: gkey("XA", "1"), Allowance: small}
	alice := withContact(s, "alice")
	verified(t, l, alice.Key) // a verified code: 1 earned (Low 1 per code, Per 1)
	pump := func(i int) limiter.SendDecision { return send(t, l, withContact(s, fmt.Sprint("pump", i))) }
	// Base, one earned, one verified: 6 sends.
	for i := range small.Base + 2 {
		if d := pump(i); d.Guard != limiter.GuardAllow || d.Safe {
			t.Fatalf("send %d within base and earned: %+v", i+1, d)
		}
	}
	if d := pump(0); d.Guard != limiter.GuardRefusePrefix {
		t.Fatalf("a number never verified, beyond the allowance: %+v", d)
	}
	d := send(t, l, alice)
	if d.Guard != limiter.GuardAllow || !d.Safe || d.At.IsZero() {
		t.Fatalf("a contact that verified, the prefix spent: %+v, want allowed by the safe list", d)
	}
	if d := send(t, l, alice); d.Guard != limiter.GuardRefusePrefix || d.Safe {
		t.Fatalf("the same contact again, without verifying: %+v, want refused", d)
	}
	// Counted: one more verified code makes room for 2 sends, of which
	// alice's pass took one.
	verified(t, l, gkey("XA", "1"))
	if d := pump(1); d.Guard != limiter.GuardAllow {
		t.Fatalf("after one more verified code: %+v", d)
	}
	if d := pump(2); d.Guard != limiter.GuardRefusePrefix {
		t.Fatalf("after one more verified code, a second send: %+v, want refused (the pass was counted)", d)
	}
	// Verifying again puts alice back (and makes room for 2); a send the
	// allowance allows takes her mark as well.
	verified(t, l, alice.Key)
	if d := send(t, l, alice); d.Guard != limiter.GuardAllow || d.Safe {
		t.Fatalf("alice within the allowance her code earned: %+v", d)
	}
	if d := pump(3); d.Guard != limiter.GuardAllow {
		t.Fatalf("the last send her code earned: %+v", d)
	}
	if d := send(t, l, alice); d.Guard != limiter.GuardRefusePrefix {
		t.Fatalf("alice again: %+v, want refused (her mark went with her last send)", d)
	}
}

// testGuardSafeRegion: the safe list passes a spent region too, and a
// mark lasts GuardSafeFor.
func testGuardSafeRegion(t *testing.T, l limiter.GuardLimiter, clk *clock.Manual) {
	r := limiter.GuardSend{Key: gkey("XB", "9"), Allowance: limiter.Allowance{Base: 100, RegionBase: 2}}
	bob := withContact(r, "bob")
	verified(t, l, bob.Key) // the region earns nothing by it (RegionRate 0)
	for i := range 3 {      // to 9 (which its verified code covers), 1 and 2
		if d := send(t, l, withContact(limiter.GuardSend{Key: gkey("XB", fmt.Sprint((i+9)%10)), Allowance: r.Allowance}, "x")); d.Guard != limiter.GuardAllow {
			t.Fatalf("region send %d: %+v", i+1, d)
		}
	}
	if d := send(t, l, withContact(limiter.GuardSend{Key: gkey("XB", "0"), Allowance: r.Allowance}, "nobody")); d.Guard != limiter.GuardRefuseRegion {
		t.Fatalf("the region spent: %+v", d)
	}
	if d := send(t, l, bob); d.Guard != limiter.GuardAllow || !d.Safe {
		t.Fatalf("bob, the region spent: %+v, want allowed by the safe list", d)
	}
	// A mark lasts GuardSafeFor.
	// (Verified on one prefix, sent to another: the mark is the region's.)
	carol := withContact(limiter.GuardSend{Key: gkey("XC", "2"), Allowance: limiter.Allowance{}}, "carol")
	dave := withContact(carol, "dave")
	verified(t, l, limiter.GuardKey{Region: carol.Key.Region, Prefix: gkey("XC", "1").Prefix, Contact: carol.Key.Contact})
	clk.Advance(limiter.GuardSafeFor - time.Minute)
	verified(t, l, limiter.GuardKey{Region: dave.Key.Region, Prefix: gkey("XC", "1").Prefix, Contact: dave.Key.Contact})
	clk.Advance(2 * time.Minute)
	if d := send(t, l, carol); d.Guard != limiter.GuardRefusePrefix {
		t.Fatalf("a mark older than GuardSafeFor: %+v, want refused", d)
	}
	if d := send(t, l, dave); !d.Safe {
		t.Fatalf("a mark younger than GuardSafeFor: %+v, want allowed by the safe list", d)
	}
}

// testGuardSafeConcurrent: 50 concurrent sends to one marked contact in a
// spent prefix get exactly one through.
func testGuardSafeConcurrent(t *testing.T, l limiter.GuardLimiter, clk *clock.Manual) {
	s := withContact(limiter.GuardSend{Key: gkey("XA", "1"), Allowance: limiter.Allowance{}}, "alice")
	verified(t, l, s.Key)
	verified(t, l, gkey("XA", "2")) // the region has a verified code: no strike
	var allowed atomic.Int32
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := l.AllowSend(ctx, nil, s, nil)
			switch {
			case err != nil:
				t.Error(err)
			case d.Guard == limiter.GuardAllow:
				allowed.Add(1)
			}
		}()
	}
	wg.Wait()
	if allowed.Load() != 1 {
		t.Fatalf("50 concurrent sends to a marked contact: %d allowed, want 1", allowed.Load())
	}
}

func testGuardInvalid(t *testing.T, l limiter.GuardLimiter, clk *clock.Manual) {
	s := limiter.GuardSend{Key: gkey("XA", "1"), Allowance: limiter.Allowance{Base: -1}}
	if _, err := l.AllowSend(ctx, nil, s, nil); err != limiter.ErrInvalidAllowance {
		t.Fatalf("a negative base: %v, want ErrInvalidAllowance", err)
	}
	s.Allowance = small
	if _, err := l.AllowSend(ctx, []limiter.Request{req("k", per(1, time.Hour))}, s, nil); err != limiter.ErrShortDecisions {
		t.Fatalf("no room for decisions: %v", err)
	}
	if _, err := l.AllowSend(ctx, []limiter.Request{req("k")}, s, make([]limiter.Decision, 1)); err != limiter.ErrInvalidRule {
		t.Fatalf("a request without rules: %v", err)
	}
	// Nothing was recorded.
	for i := range small.Base {
		if d := send(t, l, s); d.Guard != limiter.GuardAllow {
			t.Fatalf("send %d after invalid calls: %+v", i+1, d)
		}
	}
}

// guardModel is the counts GuardCounts documents, in buckets by scope
// ("p" and the key, or "r" and the region) and kind (s, v, V, x).
type guardModel struct {
	buckets map[string]int
	last    map[string]time.Time // the scope's last refusal
	first   map[string]int64     // the day of the scope's first count
}

func (m *guardModel) counted(scope string, now time.Time) {
	if _, ok := m.first[scope]; !ok {
		m.first[scope] = dayID(now)
	}
}

func hourID(t time.Time) int64 { return t.UnixMicro() / int64(time.Hour/time.Microsecond) }
func dayID(t time.Time) int64  { return t.UnixMicro() / int64(24*time.Hour/time.Microsecond) }

func bucketKey(scope, kind string, id int64) string { return fmt.Sprintf("%s|%s|%d", scope, kind, id) }

func scopes(k limiter.GuardKey) (p, r string) { return "p" + k.Region + "/" + k.Prefix, "r" + k.Region }

func (m *guardModel) counts(scope string, now time.Time) limiter.GuardCounts {
	h, d := hourID(now), dayID(now)
	var c limiter.GuardCounts
	for i := h - limiter.GuardDayHours + 1; i <= h; i++ {
		c.Sent += m.buckets[bucketKey(scope, "s", i)]
		c.Verified += m.buckets[bucketKey(scope, "v", i)]
	}
	for i := d - limiter.GuardMonthDays + 1; i <= d; i++ {
		c.Month += m.buckets[bucketKey(scope, "V", i)]
	}
	for i := d - limiter.GuardWeekDays + 1; i <= d; i++ {
		if m.buckets[bucketKey(scope, "x", i)] > 0 {
			c.Strikes++
		}
	}
	c.Days = 1
	if c.Sent == 0 && c.Verified == 0 && c.Month == 0 && c.Strikes == 0 {
		delete(m.first, scope) // a new history starts with the next count
	} else if f, ok := m.first[scope]; ok {
		c.Days = int(min(max(d-f+1, 1), limiter.GuardMonthDays))
	}
	return c
}

func (m *guardModel) send(s limiter.GuardSend, now time.Time) limiter.SendDecision {
	ps, rs := scopes(s.Key)
	p, r := m.counts(ps, now), m.counts(rs, now)
	p.Sent++
	r.Sent++
	d := limiter.SendDecision{Refused: -1, Guard: s.Allowance.Decide(p, r, s.Trusted)}
	scope, c := ps, p
	switch d.Guard {
	case limiter.GuardAllow:
		m.buckets[bucketKey(ps, "s", hourID(now))]++
		m.buckets[bucketKey(rs, "s", hourID(now))]++
		m.counted(ps, now)
		m.counted(rs, now)
		d.At = now
		return d
	case limiter.GuardRefuseRegion:
		scope, c = rs, r
	}
	last, ok := m.last[scope]
	d.Started = !ok || now.Sub(last) >= limiter.GuardQuiet
	m.last[scope] = now
	if c.Verified == 0 {
		m.buckets[bucketKey(scope, "x", dayID(now))] = 1
	}
	m.counted(scope, now)
	return d
}

func (m *guardModel) release(k limiter.GuardKey, at time.Time) {
	ps, rs := scopes(k)
	if b := bucketKey(ps, "s", hourID(at)); m.buckets[b] > 0 {
		m.buckets[b]--
		if b := bucketKey(rs, "s", hourID(at)); m.buckets[b] > 0 {
			m.buckets[b]--
		}
	}
}

func (m *guardModel) verified(k limiter.GuardKey, now time.Time) {
	ps, rs := scopes(k)
	for _, s := range []string{ps, rs} {
		m.counts(s, now)
		m.buckets[bucketKey(s, "v", hourID(now))]++
		m.buckets[bucketKey(s, "V", dayID(now))]++
		m.counted(s, now)
	}
}

// testGuardRandomised drives sends, trusted sends, verified codes and
// releases over six prefixes of two regions for months of random steps,
// and checks every decision against the model.
func testGuardRandomised(t *testing.T, l limiter.GuardLimiter, clk *clock.Manual) {
	r := &guardRun{
		t: t, l: l, clk: clk,
		rng:  rand.New(rand.NewPCG(7, 19)),
		m:    &guardModel{buckets: map[string]int{}, last: map[string]time.Time{}, first: map[string]int64{}},
		keys: []limiter.GuardKey{gkey("XA", "1"), gkey("XA", "2"), gkey("XA", "3"), gkey("XB", "1"), gkey("XB", "2"), gkey("XB", "3")},
		a:    limiter.Allowance{Base: 6, Knee: 4, Low: 1, High: 5, Per: 2, RegionBase: 5, RegionRate: 3},
	}
	steps := 3000
	if testing.Short() {
		steps = 1500
	}
	for i := range steps {
		k := r.keys[r.rng.IntN(len(r.keys))]
		switch p := r.rng.IntN(100); {
		case p < 55:
			r.send(i, k)
		case p < 85:
			if r.rng.IntN(2) == 0 {
				k = r.keys[0] // one prefix converts, and its region with it
			}
			r.m.verified(k, clk.Now())
			verified(t, l, k)
		case p < 90 && len(r.sent) > 0:
			r.release()
		}
		// Mostly minutes, sometimes hours, now and then days: the month
		// of verified codes and the week of strikes both come into play.
		switch p := r.rng.IntN(100); {
		case p < 80:
			clk.Advance(time.Duration(r.rng.IntN(20)) * time.Minute)
		case p < 99:
			clk.Advance(time.Duration(1+r.rng.IntN(6)) * time.Hour)
		default:
			clk.Advance(time.Duration(1+r.rng.IntN(3)) * 24 * time.Hour)
		}
	}
	// The model's own check: enough of every case that a wrong window or
	// term shows.
	if r.verdicts[1] < 20 || r.verdicts[2] < 20 || r.monthly < 10 || r.regionEarned < 20 || r.struck < 20 {
		t.Errorf("too few cases: verdicts %v; refusals where a usual day was the month's %d, by a region with verified codes %d, with strikes %d",
			r.verdicts, r.monthly, r.regionEarned, r.struck)
	}
}

// guardRun is testGuardRandomised's state.
type guardRun struct {
	t    *testing.T
	l    limiter.GuardLimiter
	clk  *clock.Manual
	rng  *rand.Rand
	m    *guardModel
	keys []limiter.GuardKey
	a    limiter.Allowance
	sent []limiter.GuardKey
	ats  []time.Time
	// The cases seen, for the check that the run was not too easy.
	verdicts                      [3]int
	monthly, regionEarned, struck int
}

// send sends to k, sometimes trusted, and checks it against the model.
func (r *guardRun) send(step int, k limiter.GuardKey) {
	now := r.clk.Now()
	s := limiter.GuardSend{Key: k, Allowance: r.a, Trusted: r.rng.IntN(20) == 0}
	ps, rs := scopes(k)
	p, rg := r.m.counts(ps, now), r.m.counts(rs, now)
	want := r.m.send(s, now)
	got := send(r.t, r.l, s)
	if got.Guard != want.Guard || got.Started != want.Started {
		r.t.Fatalf("step %d at %v: send to %v = %+v, want %+v (before it: prefix %+v, region %+v)", step, now, k, got, want, p, rg)
	}
	r.verdicts[want.Guard]++
	if want.Guard == limiter.GuardAllow {
		r.sent, r.ats = append(r.sent, k), append(r.ats, got.At)
		return
	}
	if p.Month/p.Days > p.Verified || rg.Month/rg.Days > rg.Verified {
		r.monthly++
	}
	if rg.Verified > 0 && want.Guard == limiter.GuardRefuseRegion {
		r.regionEarned++
	}
	if p.Strikes > 0 || rg.Strikes > 0 {
		r.struck++
	}
}

// release takes back a send allowed before, in the model and the limiter.
func (r *guardRun) release() {
	j := r.rng.IntN(len(r.sent))
	r.m.release(r.sent[j], r.ats[j])
	if err := r.l.ReleaseSend(ctx, r.sent[j], r.ats[j]); err != nil {
		r.t.Fatal(err)
	}
	r.sent, r.ats = append(r.sent[:j], r.sent[j+1:]...), append(r.ats[:j], r.ats[j+1:]...)
}

// testGuardConcurrent: 60 concurrent sends to one prefix get exactly the
// base through, as 60 sends one after another would; sends refused by a
// spent quota, concurrent with the others, are never counted.
func testGuardConcurrent(t *testing.T, l limiter.GuardLimiter, clk *clock.Manual) {
	key := gkey("XA", "1")
	a := limiter.Allowance{Base: 20, RegionBase: 1000}
	s := limiter.GuardSend{Key: key, Allowance: a}
	if d := send(t, l, s, req("spent", per(1, time.Hour))); d.Guard != limiter.GuardAllow {
		t.Fatalf("first: %+v", d)
	}
	var allowed, byGuard, byQuota atomic.Int32
	var wg sync.WaitGroup
	for i := range 120 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			quota := req(fmt.Sprint("q", i), per(1, time.Hour))
			if i%2 == 1 {
				quota = req("spent", per(1, time.Hour)) // refused: never counted
			}
			ds := make([]limiter.Decision, 1)
			d, err := l.AllowSend(ctx, []limiter.Request{quota}, s, ds)
			switch {
			case err != nil:
				t.Error(err)
			case d.Refused == 0:
				byQuota.Add(1)
			case d.Guard == limiter.GuardAllow:
				allowed.Add(1)
			default:
				byGuard.Add(1)
			}
		}()
	}
	wg.Wait()
	if allowed.Load() != int32(a.Base-1) || byQuota.Load() != 60 || byGuard.Load() != int32(61-a.Base) {
		t.Fatalf("120 concurrent sends, 60 with a spent quota: %d allowed, %d refused by the guard, %d by the quota; want %d, %d, 60",
			allowed.Load(), byGuard.Load(), byQuota.Load(), a.Base-1, 61-a.Base)
	}
}
