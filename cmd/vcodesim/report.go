package main

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"time"
)

// job is one independent run.
type job struct {
	name string
	run  func() error
}

// runJobs runs jobs on as many goroutines as there are CPUs, and reports
// each one's time to stderr, in the order they finish.
func runJobs(jobs []job, stderr io.Writer) error {
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
		next = make(chan job)
	)
	for range max(1, min(runtime.GOMAXPROCS(0), len(jobs))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				t := time.Now()
				err := j.run()
				mu.Lock()
				if err != nil {
					errs = append(errs, fmt.Errorf("%s: %w", j.name, err))
				}
				fmt.Fprintf(stderr, "vcodesim: %s took %v\n", j.name, time.Since(t).Round(time.Millisecond))
				mu.Unlock()
			}
		}()
	}
	for _, j := range jobs {
		next <- j
	}
	close(next)
	wg.Wait()
	return errors.Join(errs...)
}

const adaptiveHeader = "%-13s %-24s %9s %9s %6s %14s %9s %8s %6s %8s\n"

// printAdaptive prints a level's adaptive runs.
func printAdaptive(w io.Writer, res *levelResult, detail bool) {
	if len(res.Adaptive) == 0 {
		return
	}
	a0 := res.Adaptive[0]
	for _, a := range res.Adaptive {
		if !a.idle {
			a0 = a
			break
		}
	}
	fmt.Fprintf(w, "\n-- adaptive campaigns, guard level %s (a Verifier each, with the day's legitimate traffic; a round's\n", res.Level)
	fmt.Fprintf(w, "   sends %v apart, a refused prefix probed every %v; \"day\": the attacker's SMS delivered in the 24 h) --\n", a0.Pace, a0.Probe)
	fmt.Fprintf(w, adaptiveHeader, "campaign", "variant", "attempted", "delivered", "rounds", "max prefix", "max", "refused", "blocks", "legit")
	fmt.Fprintf(w, adaptiveHeader, "", "", "", "", "", "day", "region", "after", "", "refused")
	for _, a := range res.Adaptive {
		if a.idle {
			continue
		}
		g := aggregate(a.Campaign, a.Prefixes)
		refAfter := "-"
		if g.attAfter > 0 {
			refAfter = fmt.Sprintf("%.1f%%", pct(g.refAfter, g.attAfter))
		}
		blocks := 0
		for _, b := range a.Blocks {
			if b.Pumped {
				blocks++
			}
		}
		pk, pn := a.maxPrefix()
		rk, rn := a.maxRegion()
		fmt.Fprintf(w, adaptiveHeader, a.Campaign, a.Variant, fmt.Sprint(g.attempted), fmt.Sprint(g.delivered), fmt.Sprint(a.Rounds),
			fmt.Sprintf("%d %s", pn, pk), fmt.Sprintf("%d %s", rn, rk), refAfter, fmt.Sprint(blocks),
			fmt.Sprintf("%.2f%%", pct(a.Legit.GuardRefused, a.Legit.Sends)))
	}
	var dos []*attackResult
	var base *attackResult
	for _, a := range res.Adaptive {
		switch {
		case a.Busy != nil && a.idle:
			base = a
		case a.Busy != nil:
			dos = append(dos, a)
		}
	}
	if base != nil {
		b := base.Busy
		fmt.Fprintf(w, "dos: %s (busy, added to the traffic): without the attacker %d real sends in the day, %.1f %% of delivered\n",
			b.Prefix, b.RealSends, pct(b.RealVerified, b.RealDelivered))
		fmt.Fprintf(w, "     verified, %d refused by the guard; cost = attacker's delivered SMS / real sends refused beyond that:\n", b.RealRefused)
		for _, a := range dos {
			b := a.Busy
			cost := "no real send refused"
			if b.Cost >= 0 {
				cost = fmt.Sprintf("cost %.2f", b.Cost)
			}
			fmt.Fprintf(w, "     %-24s attacker delivered %5d; real sends %5d, refused %5d (%5.1f %%): %s\n",
				a.Variant, b.AttackerDelivered, b.RealSends, b.RealRefused, pct(b.RealRefused, b.RealSends), cost)
		}
	}
	printShared(w, res)
	for _, a := range res.Adaptive {
		for _, an := range a.Anomalies {
			fmt.Fprintf(w, "ANOMALY (%s, %s): %s\n", a.Campaign, a.Variant, an)
		}
	}
	if !detail {
		return
	}
	for _, a := range res.Adaptive {
		if a.Campaign != "spreadcountry" {
			continue
		}
		fmt.Fprintf(w, "  %s (%s), per prefix: delivered/attempted, blocks\n   ", a.Campaign, a.Variant)
		for i, p := range a.Prefixes {
			if i > 0 && i%6 == 0 {
				fmt.Fprint(w, "\n   ")
			}
			fmt.Fprintf(w, " %s %4d/%-5d %2d", p.Prefix, p.Delivered, p.Attempted, p.Blocks)
		}
		fmt.Fprintln(w)
	}
}

// checkAdaptive returns each adaptive target res misses.
func checkAdaptive(res *levelResult) []string {
	var out []string
	for _, a := range res.Adaptive {
		if a.idle {
			continue
		}
		name := fmt.Sprintf("%s (%s)", a.Campaign, a.Variant)
		if a.Busy != nil {
			b := a.Busy
			if b.Cost >= 0 && b.Cost < targetCost {
				out = append(out, fmt.Sprintf("%s: %d SMS kept %d real sends to %s refused (%d without it): cost %.2f (target >= %.1f)",
					name, b.AttackerDelivered, b.RealRefused, b.Prefix, b.Baseline, b.Cost, targetCost))
			}
			continue
		}
		if k, n := a.maxPrefix(); n > targetPrefixDay {
			out = append(out, fmt.Sprintf("%s: %d SMS delivered to %s in the day (target <= %d)", name, n, k, targetPrefixDay))
		}
		if k, n := a.maxRegion(); n > targetRegionDay {
			out = append(out, fmt.Sprintf("%s: %d SMS delivered to region %s in the day (target <= %d)", name, n, k, targetRegionDay))
		}
		// A campaign over real users' prefixes has them refused: that
		// is its denial of service (reported with its cost), not the
		// guard's false positives, which the default scenario and the
		// campaigns on prefixes of their own judge.
		if l := a.Legit; !a.shared && float64(l.GuardRefused) > targetFalsePos*float64(l.Sends) {
			out = append(out, fmt.Sprintf("%s: %.2f %% of legitimate sends refused by the guard (%d of %d; target <= %.1f %%)",
				name, pct(l.GuardRefused, l.Sends), l.GuardRefused, l.Sends, 100*targetFalsePos))
		}
	}
	return out
}

// printShared prints what the campaigns over real users' prefixes cost
// those users: the legitimate sends refused beyond those refused in the
// rounds run of the same variant (the same traffic, a prefix of its own
// attacked), and the attacker's SMS delivered to the region per refused
// send. Reported, not judged: issue 19 judges refusals on the default
// scenario, and denial of service on busy prefixes (dos).
func printShared(w io.Writer, res *levelResult) {
	for _, a := range res.Adaptive {
		if !a.shared {
			continue
		}
		base := -1
		for _, b := range res.Adaptive {
			if b.Campaign == "rounds" && b.Variant == a.Variant {
				base = b.Legit.GuardRefused
			}
		}
		rk, rn := a.maxRegion()
		line := fmt.Sprintf("%s (%s): its targets are real users' prefixes; %d legitimate sends refused", a.Campaign, a.Variant, a.Legit.GuardRefused)
		if base >= 0 {
			line += fmt.Sprintf(", %d beyond the rounds run's %d", a.Legit.GuardRefused-base, base)
			if n := a.Legit.GuardRefused - base; n > 0 {
				line += fmt.Sprintf(": %d SMS to %s per refused send, %.2f", rn, rk, float64(rn)/float64(n))
			}
		}
		fmt.Fprintln(w, line+" (reported, not judged)")
	}
}
