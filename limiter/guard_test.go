package limiter_test

import (
	"testing"

	"github.com/vcodekit/vcode/limiter"
)

// The standard guard's allowance, as the verifier sets it.
var standard = limiter.Allowance{Base: 20, Knee: 150, Low: 1, High: 6, Per: 2, RegionBase: 300, RegionRate: 2}

// TestDecide: the rule, case by case. Counts include the judged send.
func TestDecide(t *testing.T) {
	type c = limiter.GuardCounts
	quiet := c{} // a region that sees nothing else
	for _, tt := range []struct {
		name           string
		prefix, region c
		trusted        bool
		want           limiter.GuardVerdict
	}{
		{"first send", c{Sent: 1}, c{Sent: 1}, false, limiter.GuardAllow},
		{"the base's last", c{Sent: 20}, c{Sent: 20}, false, limiter.GuardAllow},
		{"beyond the base", c{Sent: 21}, c{Sent: 21}, false, limiter.GuardRefusePrefix},
		{"trusted beyond the base", c{Sent: 21}, c{Sent: 21}, true, limiter.GuardAllow},
		// Verified codes earn one per two up to the knee, rounded down...
		{"earned one per two", c{Sent: 50, Verified: 20}, c{Sent: 50, Verified: 20}, false, limiter.GuardAllow},
		{"one beyond", c{Sent: 51, Verified: 20}, c{Sent: 51, Verified: 20}, false, limiter.GuardRefusePrefix},
		{"rounded down", c{Sent: 24, Verified: 3}, c{Sent: 24, Verified: 3}, false, limiter.GuardAllow},
		{"rounded down, beyond", c{Sent: 25, Verified: 3}, c{Sent: 25, Verified: 3}, false, limiter.GuardRefusePrefix},
		// ...and three each beyond it: (150 + 6*50)/2 + 20 unverified.
		{"busy, at its allowance", c{Sent: 445, Verified: 200}, c{Sent: 445, Verified: 200}, false, limiter.GuardAllow},
		{"busy, beyond", c{Sent: 446, Verified: 200}, c{Sent: 446, Verified: 200}, false, limiter.GuardRefusePrefix},
		// The average day of the month stands for a day that had fewer.
		{"a usual day's conversions", c{Sent: 30, Month: 600}, c{Sent: 30}, false, limiter.GuardAllow},
		{"a usual day of 3 counted", c{Sent: 30, Month: 60, Days: 3}, c{Sent: 30}, false, limiter.GuardAllow},
		{"a usual day of 3 counted, beyond", c{Sent: 31, Month: 60, Days: 3}, c{Sent: 31}, false, limiter.GuardRefusePrefix},
		{"days beyond 30 are 30", c{Sent: 30, Month: 600, Days: 45}, c{Sent: 30}, false, limiter.GuardAllow},
		{"a region that sees nothing else", c{Sent: 2}, quiet, false, limiter.GuardAllow},
		{"the month's average rounded down", c{Sent: 60, Month: 2399}, c{Sent: 60}, false, limiter.GuardRefusePrefix},
		{"the month's average", c{Sent: 60, Month: 2400}, c{Sent: 60}, false, limiter.GuardAllow},
		{"more verified than sent", c{Sent: 1, Verified: 5}, c{Sent: 1}, false, limiter.GuardAllow},
		// Strikes halve the base, to a quarter.
		{"one strike", c{Sent: 11, Strikes: 1}, c{Sent: 11}, false, limiter.GuardRefusePrefix},
		{"one strike, within", c{Sent: 10, Strikes: 1}, c{Sent: 10}, false, limiter.GuardAllow},
		{"two strikes", c{Sent: 6, Strikes: 2}, c{Sent: 6}, false, limiter.GuardRefusePrefix},
		{"seven strikes, a quarter still", c{Sent: 5, Strikes: 7}, c{Sent: 5}, false, limiter.GuardAllow},
		// Unearned sends need the region's room: RegionBase plus one per
		// verified code of the region.
		{"region full", c{Sent: 1}, c{Sent: 301}, false, limiter.GuardRefuseRegion},
		{"region at its base", c{Sent: 1}, c{Sent: 300}, false, limiter.GuardAllow},
		{"region earned", c{Sent: 1}, c{Sent: 900, Verified: 300}, false, limiter.GuardAllow},
		{"region beyond", c{Sent: 1}, c{Sent: 901, Verified: 300}, false, limiter.GuardRefuseRegion},
		{"region struck", c{Sent: 1}, c{Sent: 76, Strikes: 2}, false, limiter.GuardRefuseRegion},
		{"region by its month", c{Sent: 1}, c{Sent: 400, Month: 3000}, false, limiter.GuardAllow},
		// An earned send never asks the region.
		{"earned in a full region", c{Sent: 10, Verified: 10}, c{Sent: 5000}, false, limiter.GuardAllow},
		// The prefix's own refusal comes first.
		{"both full", c{Sent: 21}, c{Sent: 5000}, false, limiter.GuardRefusePrefix},
	} {
		if got := standard.Decide(tt.prefix, tt.region, tt.trusted); got != tt.want {
			t.Errorf("%s: Decide(%+v, %+v) = %d, want %d", tt.name, tt.prefix, tt.region, got, tt.want)
		}
	}
}

// TestDecideMonotone: over a grid of counts, one more send or strike
// never turns a refusal into an allow, and one more verified code never
// turns an allow into a refusal.
func TestDecideMonotone(t *testing.T) {
	refuses := func(p, r limiter.GuardCounts) bool { return standard.Decide(p, r, false) != limiter.GuardAllow }
	for _, sent := range []int{1, 10, 20, 21, 40, 99, 100, 120, 300, 421, 700} {
		for _, ver := range []int{0, 1, 10, 50, 99, 100, 101, 200} {
			for _, month := range []int{0, 29, 30, 900, 6000} {
				for _, strikes := range []int{0, 1, 2, 3} {
					for _, rsent := range []int{1, 200, 300, 301, 1000} {
						for _, rver := range []int{0, 100, 700} {
							p := limiter.GuardCounts{Sent: sent, Verified: ver, Month: month, Strikes: strikes}
							r := limiter.GuardCounts{Sent: rsent, Verified: rver, Strikes: strikes}
							if !refuses(p, r) {
								continue
							}
							for _, more := range []func(p, r *limiter.GuardCounts){
								func(p, r *limiter.GuardCounts) { p.Sent++; r.Sent++ },
								func(p, r *limiter.GuardCounts) { r.Sent++ },
								func(p, r *limiter.GuardCounts) { p.Strikes++ },
								func(p, r *limiter.GuardCounts) { r.Strikes++ },
							} {
								p2, r2 := p, r
								more(&p2, &r2)
								if !refuses(p2, r2) {
									t.Fatalf("%+v %+v refused, but allowed with more sends or strikes: %+v %+v", p, r, p2, r2)
								}
							}
							// Fewer verified codes: still refused.
							if p.Verified > 0 {
								p2 := p
								p2.Verified--
								if !refuses(p2, r) {
									t.Fatalf("%+v %+v refused, but allowed with a verified code fewer", p, r)
								}
							}
						}
					}
				}
			}
		}
	}
}

func TestAllowanceCheck(t *testing.T) {
	if err := standard.Check(); err != nil {
		t.Fatal(err)
	}
	for _, a := range []limiter.Allowance{{Base: -1}, {Knee: -1}, {Low: 1 << 21}, {High: -3}, {Per: -1}, {RegionBase: 1<<20 + 1}, {RegionRate: -1}} {
		if err := a.Check(); err != limiter.ErrInvalidAllowance {
			t.Errorf("%+v: %v, want ErrInvalidAllowance", a, err)
		}
	}
}
