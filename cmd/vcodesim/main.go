// Command vcodesim replays one simulated day of verification traffic,
// legitimate users and SMS pumping campaigns, against the real
// verifier.Verifier at each level of its pumping guard, and reports what
// the guard stopped, how fast, and whom it refused by mistake:
//
//	go run ./cmd/vcodesim                  # the default scenario (burst, spread; the adaptive rounds, spreadcountry, dos), every level
//	go run ./cmd/vcodesim -campaigns burst,drip,partial   # with the slow and the partly verifying ones
//	go run ./cmd/vcodesim -check           # exit 1 unless the standard level meets its targets
//	go run ./cmd/vcodesim -scale 0.1       # a tenth of the traffic (not of the adaptive attackers'), for CI
//	go run ./cmd/vcodesim -campaigns burst,drip,partial,blend -v
//	go run ./cmd/vcodesim -campaigns none -concurrency -redis 127.0.0.1:6379 -cluster 127.0.0.1:7001,127.0.0.1:7002
//
// The simulation is deterministic: everything is drawn from -seed with
// math/rand/v2's PCG, and time is a vcodetest.Clock advanced event by
// event, so the same flags print the same tables (the elapsed time goes
// to stderr; the runs, each on a Verifier of its own, run in parallel).
// The Verifier runs as a host would run it: its defaults, the in-memory
// store and limiter, a notifier that hands the code back to the simulated
// user (or pumper).
//
// The legitimate traffic is a day of users over some 700 mobile prefixes
// of 17 countries, each in its own time zone's daily cycle, after a
// warm-up day of the same traffic (not counted) so that the guard starts
// with a history. The campaigns are listed, with every other assumption,
// at the top of the output.
//
// The pre-generated campaigns (burst, spread, drip, partial, blend) are
// event lists drawn before the run. The adaptive ones (rounds,
// spreadcountry, dos; see adaptive.go) react to each answer: they send
// rounds as fast as the quotas allow, probe a refused prefix every
// -probe, and start the next round when a probe passes. They run at the
// levels of -adaptive-levels (standard by default), each on a Verifier
// of its own with the day's legitimate traffic. -concurrency (and -redis,
// -cluster) sends a burst of -inflight SMS at once through two Verifiers
// on one store, against the same sends one after another, at the
// -check-level.
//
// -check exits 1 when, at the standard level, fewer than 95 % of the
// pumped sends after each prefix's detection were refused, a prefix got
// more than 50 pumped messages before its detection (or undetected), or
// the guard refused more than 0.5 % of legitimate sends; when an adaptive
// campaign got more than 100 SMS to a prefix or 1,000 to a region in the
// day, or refused more than 0.5 % of legitimate sends, or a denial of
// service cost under one delivered SMS per real send refused; and when a
// concurrent burst got more through than the same sends one after another.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// Targets of -check.
const (
	targetRefusedAfter = 0.95
	targetBefore       = 50
	targetFalsePos     = 0.005
	// The adaptive campaigns' (issue 19): SMS delivered in the day to one
	// prefix and to one region at most, and what a denial of service must
	// cost at least (attacker's delivered SMS per real send refused).
	targetPrefixDay = 100
	targetRegionDay = 1000
	targetCost      = 1.0
)

type options struct {
	seed       uint64
	users      int
	scale      float64
	warmup     time.Duration
	campaigns  []string
	levels     []level
	check      bool
	checkLevel string
	jsonPath   string
	verbose    bool
	// The adaptive campaigns, the levels they run at, their attacker.
	adaptive       []string
	adaptiveLevels []string
	pace, probe    time.Duration
	round          int
	// The concurrency run: on memory, and on the Redis servers given.
	concurrency      bool
	redis            string
	cluster          []string
	inFlight, trials int
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("vcodesim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.Uint64Var(&o.seed, "seed", 1, "random seed")
	fs.IntVar(&o.users, "users", 20000, "legitimate users per day (each sends at least once)")
	fs.Float64Var(&o.scale, "scale", 1, "scale of the legitimate traffic and the pre-generated campaigns (not the adaptive attackers, nor the busy prefix of dos)")
	fs.DurationVar(&o.warmup, "warmup", 24*time.Hour, "legitimate traffic before the measured day, not counted (0: the guard starts cold)")
	campaigns := fs.String("campaigns", strings.Join(append(slices.Clone(defaultCampaigns), adaptiveCampaigns...), ","),
		"pumping campaigns: burst, spread, drip, partial, blend (pre-generated); rounds, spreadcountry, dos (adaptive); none for legitimate traffic only")
	fs.DurationVar(&o.pace, "pace", 2*time.Second, "adaptive campaigns: time between two sends of a round")
	fs.DurationVar(&o.probe, "probe", 2*time.Minute, "adaptive campaigns: time between two probes of a refused prefix")
	fs.IntVar(&o.round, "round", 0, "adaptive campaigns: sends in a round at most (0: as many as pass)")
	fs.BoolVar(&o.concurrency, "concurrency", false, "also run a burst of -inflight sends at once through two Verifiers on one memory store (and on -redis, -cluster)")
	fs.StringVar(&o.redis, "redis", "", "run the concurrency burst on this Redis node too (`host:port`; implies -concurrency)")
	cluster := fs.String("cluster", "", "run the concurrency burst on this Redis Cluster too (`host:port,...`; implies -concurrency)")
	fs.IntVar(&o.inFlight, "inflight", 400, "concurrency: sends in flight at once")
	fs.IntVar(&o.trials, "trials", 3, "concurrency: concurrent bursts per backend and store")
	alvls := fs.String("adaptive-levels", "standard", "the levels of -levels at which the adaptive campaigns run (all: every one)")
	lvls := fs.String("levels", "off,basic,standard,max", "guard levels to run")
	fs.BoolVar(&o.check, "check", false, "exit 1 unless the standard level meets the targets")
	fs.StringVar(&o.checkLevel, "check-level", "standard", "the level -check judges")
	fs.StringVar(&o.jsonPath, "json", "", "also write the results as JSON to this `file` (- for stdout)")
	fs.BoolVar(&o.verbose, "v", false, "print every level's per-prefix table (default: the checked level's only)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "vcodesim: unexpected arguments %q\n", fs.Args())
		return 2
	}
	if o.scale <= 0 || o.users < 0 || o.warmup < 0 {
		fmt.Fprintln(stderr, "vcodesim: -scale must be positive, -users and -warmup not negative")
		return 2
	}
	if o.pace <= 0 || o.probe <= 0 || o.round < 0 {
		fmt.Fprintln(stderr, "vcodesim: -pace and -probe must be positive, -round not negative")
		return 2
	}
	o.cluster = parseAddrs(*cluster)
	if o.redis != "" || len(o.cluster) > 0 {
		o.concurrency = true
	}
	if o.inFlight < 1 || o.inFlight > 10000 || o.trials < 1 || o.trials > 100 {
		fmt.Fprintln(stderr, "vcodesim: -inflight must be 1 to 10000, -trials 1 to 100")
		return 2
	}
	if *campaigns != "none" && *campaigns != "" {
		for _, c := range strings.Split(*campaigns, ",") {
			if slices.Contains(adaptiveCampaigns, c) {
				o.adaptive = append(o.adaptive, c)
			} else {
				o.campaigns = append(o.campaigns, c)
			}
		}
	}
	for _, name := range strings.Split(*lvls, ",") {
		i := slices.IndexFunc(levels, func(l level) bool { return l.name == name })
		if i < 0 {
			fmt.Fprintf(stderr, "vcodesim: unknown level %q\n", name)
			return 2
		}
		o.levels = append(o.levels, levels[i])
	}
	if *alvls == "all" {
		*alvls = *lvls
	}
	for _, name := range strings.Split(*alvls, ",") {
		if !slices.ContainsFunc(levels, func(l level) bool { return l.name == name }) {
			fmt.Fprintf(stderr, "vcodesim: unknown level %q\n", name)
			return 2
		}
		if slices.ContainsFunc(o.levels, func(l level) bool { return l.name == name }) {
			o.adaptiveLevels = append(o.adaptiveLevels, name)
		}
	}
	if o.check && !slices.ContainsFunc(o.levels, func(l level) bool { return l.name == o.checkLevel }) {
		fmt.Fprintf(stderr, "vcodesim: -check judges level %q, which -levels does not run\n", o.checkLevel)
		return 2
	}

	began := time.Now()
	sc, err := newScenario(scenarioConfig{seed: o.seed, users: o.users, scale: o.scale, warmup: o.warmup, campaigns: o.campaigns})
	if err != nil {
		fmt.Fprintln(stderr, "vcodesim:", err)
		return 1
	}
	runs := attacks(o.adaptive, o.pace, o.probe, o.round)
	// The adaptive runs' scenarios: the day's legitimate traffic after the
	// warm-up or on a fresh store, with the busy prefix's users or not.
	scenarios := map[[2]bool]*scenario{}
	for _, a := range runs {
		k := [2]bool{a.fresh, a.busy}
		if scenarios[k] != nil {
			continue
		}
		cfg := scenarioConfig{seed: o.seed, users: o.users, scale: o.scale, warmup: o.warmup}
		if a.fresh {
			cfg.warmup = 0
		}
		if a.busy {
			b := busyPrefix
			cfg.busy = &b
		}
		if scenarios[k], err = newScenario(cfg); err != nil {
			fmt.Fprintln(stderr, "vcodesim:", err)
			return 1
		}
	}
	printAssumptions(stdout, sc, o)

	// Every run is independent (a Verifier, a clock and a queue of its
	// own): they run in parallel, and print in order.
	results := make([]*levelResult, len(o.levels))
	adaptive := make([][]*attackResult, len(o.levels))
	var jobs []job
	for i, lv := range o.levels {
		jobs = append(jobs, job{"level " + lv.name, func() (err error) {
			results[i], err = runLevel(sc, lv)
			return err
		}})
		if !slices.Contains(o.adaptiveLevels, lv.name) {
			continue
		}
		adaptive[i] = make([]*attackResult, len(runs))
		for k, a := range runs {
			jobs = append(jobs, job{fmt.Sprintf("level %s, %s (%s)", lv.name, a.campaign, a.variant), func() (err error) {
				adaptive[i][k], err = runAttack(scenarios[[2]bool{a.fresh, a.busy}], lv, a)
				return err
			}})
		}
	}
	if err := runJobs(jobs, stderr); err != nil {
		fmt.Fprintln(stderr, "vcodesim:", err)
		return 1
	}
	for i := range results {
		results[i].Adaptive = adaptive[i]
	}
	checked := slices.IndexFunc(o.levels, func(l level) bool { return l.name == o.checkLevel })
	if o.concurrency {
		i := max(checked, 0)
		conc, err := runConcurrency(o.seed, o.levels[i], concBackends(o), o.inFlight, o.trials, stderr)
		if err != nil {
			fmt.Fprintln(stderr, "vcodesim: concurrency:", err)
			return 1
		}
		results[i].Concurrency = conc
	}
	for i, lv := range o.levels {
		costs(results[i].Adaptive)
		printLevel(stdout, results[i], o.verbose || lv.name == o.checkLevel)
		printAdaptive(stdout, results[i], o.verbose || lv.name == o.checkLevel)
	}
	for _, r := range results {
		printConcurrency(stdout, r.Level, r.Concurrency)
	}
	printSummary(stdout, results)
	fmt.Fprintf(stderr, "vcodesim: %v in all\n", time.Since(began).Round(time.Millisecond))

	if o.jsonPath != "" {
		out, _ := json.MarshalIndent(results, "", "  ")
		out = append(out, '\n')
		if o.jsonPath == "-" {
			stdout.Write(out)
		} else if err := os.WriteFile(o.jsonPath, out, 0o644); err != nil {
			fmt.Fprintln(stderr, "vcodesim:", err)
			return 1
		}
	}
	if o.check {
		i := slices.IndexFunc(results, func(r *levelResult) bool { return r.Level == o.checkLevel })
		failures := append(check(results[i]), checkAdaptive(results[i])...)
		failures = append(failures, checkConcurrency(results[i].Concurrency)...)
		fmt.Fprintln(stdout)
		if len(failures) > 0 {
			for _, f := range failures {
				fmt.Fprintf(stdout, "check FAILED (%s): %s\n", o.checkLevel, f)
			}
			return 1
		}
		fmt.Fprintf(stdout, "check passed (%s): >= %.0f %% refused after detection, <= %d pumped messages before detection per prefix, <= %.1f %% of legitimate sends refused\n",
			o.checkLevel, 100*targetRefusedAfter, targetBefore, 100*targetFalsePos)
		if len(results[i].Concurrency) > 0 {
			fmt.Fprintf(stdout, "check passed (%s): no more of %d concurrent sends delivered than of the same sends one after another\n", o.checkLevel, o.inFlight)
		}
		if len(results[i].Adaptive) > 0 {
			fmt.Fprintf(stdout, "check passed (%s): adaptive campaigns <= %d SMS per prefix and <= %d per region in the day, denial of service cost >= %.1f\n",
				o.checkLevel, targetPrefixDay, targetRegionDay, targetCost)
		}
	}
	return 0
}

// check returns each target res misses.
func check(res *levelResult) []string {
	var out []string
	att, ref := 0, 0
	for _, p := range res.Prefixes {
		att += p.AttemptsAfter
		ref += p.RefusedAfter
		switch {
		case !p.Detected && p.Delivered > targetBefore:
			out = append(out, fmt.Sprintf("%s (%s) never detected: %d pumped messages delivered", p.Prefix, p.Campaign, p.Delivered))
		case p.DeliveredBefore > targetBefore:
			out = append(out, fmt.Sprintf("%s (%s) detected after %d pumped messages (target <= %d)", p.Prefix, p.Campaign, p.DeliveredBefore, targetBefore))
		}
	}
	if att > 0 && float64(ref) < targetRefusedAfter*float64(att) {
		out = append(out, fmt.Sprintf("%.1f %% of pumped sends after detection refused (%d of %d; target >= %.0f %%)", pct(ref, att), ref, att, 100*targetRefusedAfter))
	}
	if l := res.Legit; float64(l.GuardRefused) > targetFalsePos*float64(l.Sends) {
		out = append(out, fmt.Sprintf("%.2f %% of legitimate sends refused by the guard (%d of %d; target <= %.1f %%)", pct(l.GuardRefused, l.Sends), l.GuardRefused, l.Sends, 100*targetFalsePos))
	}
	return out
}

// concBackends are the concurrency run's backends: memory, and the Redis
// servers o names.
func concBackends(o options) []concBackend {
	bs := []concBackend{{"memory", memoryBackend}}
	if o.redis != "" {
		bs = append(bs, concBackend{"redis", redisBackend(func() redis.UniversalClient {
			return redis.NewClient(&redis.Options{Addr: o.redis, ContextTimeoutEnabled: true, PoolSize: poolFor(o.inFlight), PoolTimeout: poolWait})
		})})
	}
	if len(o.cluster) > 0 {
		bs = append(bs, concBackend{"cluster", redisBackend(func() redis.UniversalClient {
			return redis.NewClusterClient(&redis.ClusterOptions{Addrs: o.cluster, ContextTimeoutEnabled: true, PoolSize: poolFor(o.inFlight), PoolTimeout: poolWait})
		})})
	}
	return bs
}

// redisPool is each instance's connections (per node) at least: enough
// for the burst's sends to reach Redis together, not queue for a
// connection. poolFor gives each of the two instances half the sends in
// flight, so that -inflight 1000 does not wait on go-redis's pool: with
// 200, 500 sends in flight per instance queued for a connection past
// go-redis's pool timeout (its read timeout plus a second) on a loaded
// Cluster, and failed as timeouts.
const (
	redisPool = 200
	poolWait  = 30 * time.Second
)

func poolFor(inFlight int) int { return max(redisPool, inFlight/2+10) }

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

func printAssumptions(w io.Writer, sc *scenario, o options) {
	fmt.Fprintf(w, "vcodesim: one simulated day against the real verifier.Verifier (seed %d, scale %g)\n\n", o.seed, o.scale)
	fmt.Fprintln(w, "Verifier: defaults (6-digit codes valid 1 min; per number 1 send/min and 10/h; 20 sends/h per")
	fmt.Fprintln(w, "subject; 60 sends/h per IP), in-memory store and limiter, on a fake clock; only the guard level varies.")
	fmt.Fprintln(w)

	day := 0
	for _, u := range sc.users {
		if u.counted {
			day++
		}
	}
	fmt.Fprintf(w, "Legitimate users: %d in the day (-users %d x -scale %g), after %v of the same traffic as warm-up (not counted).\n", day, o.users, o.scale, o.warmup)
	per := sc.legitPerDay()
	type kv struct {
		k string
		n int
	}
	var tops []kv
	for k, n := range per {
		tops = append(tops, kv{k, n})
	}
	slices.SortFunc(tops, func(a, b kv) int {
		if a.n != b.n {
			return b.n - a.n
		}
		return strings.Compare(a.k, b.k)
	})
	top10, light := 0, 0
	for i, t := range tops {
		if i < 10 {
			top10 += t.n
		}
		if t.n < 10 {
			light++
		}
	}
	fmt.Fprintf(w, "  %d mobile prefixes in %d countries (%s + 3 national digits; numbers drawn at random under each and kept if\n", len(sc.prefixes), len(regions), "calling code")
	fmt.Fprintf(w, "  contact.Parse takes them as mobile; %d candidate prefixes dropped as invalid). Zipf skew within each country:\n", len(sc.dropped))
	var names []string
	for i := range min(5, len(tops)) {
		names = append(names, fmt.Sprintf("%s %d", tops[i].k, tops[i].n))
	}
	fmt.Fprintf(w, "  the 10 busiest carry %.0f %% of users (%s, ...); %d prefixes got under 10 users, %d got some.\n", pct(top10, day), strings.Join(names, ", "), light, len(tops))
	fmt.Fprint(w, "  Countries (share of users, share who verify, UTC offset):")
	for i, rg := range regions {
		if i%6 == 0 {
			fmt.Fprint(w, "\n   ")
		}
		fmt.Fprintf(w, " %s %.0f%%/%.0f%%/%+g", rg.iso, 100*rg.weight, 100*rg.finish, rg.utc)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "  Daily cycle by local hour, 0-23 (relative rate): ", fmtCycle())
	fmt.Fprintln(w, "  Each user: own subject; own IP, or one of", max(20, day/100), "shared carrier-NAT IPs (10 % of users). Those who")
	fmt.Fprintln(w, "  verify do it 10-54 s after the send (85 %) or 55-120 s (15 %: the 1-minute code has expired, so they")
	fmt.Fprintln(w, "  ask again and verify 10-39 s after the new one; up to 3 sends). 4 % of those who verify, and 25 % of")
	fmt.Fprintln(w, "  those who never do, ask again after 60-119 s (slow SMS). A guard refusal (403) ends the session;")
	fmt.Fprintln(w, "  a rate-limit refusal (429) is retried after its Retry-After if that is under 10 min (twice at most).")
	fmt.Fprintln(w)

	if len(sc.campaigns) == 0 {
		fmt.Fprintln(w, "Pumping campaigns: none.")
	} else {
		fmt.Fprintln(w, "Pumping campaigns (times UTC on the measured day; a fresh number under the prefix for every send;")
		fmt.Fprintln(w, "accounts rotate every 8 sends and IPs every 30, so every static quota holds; sends uniformly spread):")
	}
	for _, c := range sc.campaigns {
		fmt.Fprintf(w, "  %-8s %s\n", c.spec.name, c.spec.shape)
		for _, t := range c.targets {
			fmt.Fprintf(w, "    %-9s %-32s %s-%s  %4d sends  %3.0f %% verified  %4d legit users/day\n",
				t.prefix, t.note, clock(t.start), clock(t.start+t.length), int(float64(t.sends)*o.scale+0.5), 100*t.verifies, per[t.prefix])
		}
	}
	if len(o.adaptive) > 0 && len(o.adaptiveLevels) == 0 {
		fmt.Fprintln(w, "Adaptive campaigns: not run (no level of -levels is in -adaptive-levels).")
	}
	if len(o.adaptive) > 0 && len(o.adaptiveLevels) > 0 {
		fmt.Fprintf(w, "Adaptive campaigns (at %s; each on a Verifier of its own with the day's legitimate traffic, for 24 h from 00:00;\n", strings.Join(o.adaptiveLevels, ", "))
		round := "as many as pass"
		if o.round > 0 {
			round = fmt.Sprintf("at most %d", o.round)
		}
		fmt.Fprintf(w, "never verified; a round: %s, a send every %v; refused: a probe every %v, or at the refusal's RetryAfter\n", round, o.pace, o.probe)
		fmt.Fprintln(w, "if sooner; a round starts with the first probe delivered; \"history\": after the warm-up, \"fresh\": a fresh store):")
		for _, name := range o.adaptive {
			switch name {
			case "rounds":
				fmt.Fprintf(w, "  rounds        to %s (%s, no real traffic); one token (one subject and IP) or many (a fresh pair a send)\n", roundsTarget.prefix, roundsTarget.note)
			case "spreadcountry":
				fmt.Fprintln(w, "  spreadcountry over the 50 GB prefixes of the legitimate traffic, on to the next when one is refused; many tokens")
			case "dos":
				fmt.Fprintf(w, "  dos           to %s (NG, added: %d real users a day, %.0f %% verify), paces %v; cost = delivered SMS per real\n", busyPrefix.prefix, busyPrefix.users, 100*busyPrefix.finish, dosPaces)
				fmt.Fprintln(w, "                send refused beyond the same traffic without the attacker")
			}
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Detection of a prefix: the first guard refusal of a send to it. \"before\" and \"after\" split pumped")
	fmt.Fprintln(w, "messages delivered at that moment; \"refused after\" is the share of pumped sends from then on (the")
	fmt.Fprintln(w, "detecting one included) that the guard refused; TTD runs from the campaign's first send to the prefix.")
}

func fmtCycle() string {
	var b strings.Builder
	for i, v := range hourly {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%.2g", v)
	}
	return b.String()
}

func clock(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

func dur(d time.Duration) string {
	switch {
	case d < 0:
		return "-"
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	}
	return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// agg sums prefix results.
type agg struct {
	name                                                    string
	prefixes, detected                                      int
	attempted, delivered, before, after, guard, rate, other int
	attAfter, refAfter, verified                            int
	ttd                                                     []time.Duration
	beforeCounts                                            []int
}

func aggregate(name string, ps []*prefixResult) agg {
	a := agg{name: name}
	for _, p := range ps {
		a.prefixes++
		a.attempted += p.Attempted
		a.delivered += p.Delivered
		a.before += p.DeliveredBefore
		a.after += p.DeliveredAfter
		a.guard += p.GuardRefused
		a.rate += p.RateLimited
		a.other += p.OtherRefused
		a.attAfter += p.AttemptsAfter
		a.refAfter += p.RefusedAfter
		a.verified += p.Verified
		a.beforeCounts = append(a.beforeCounts, p.DeliveredBefore)
		if p.Detected {
			a.detected++
			a.ttd = append(a.ttd, p.TimeToDetect)
		}
	}
	return a
}

func medianDur(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return -1
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func medianInt(xs []int) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return float64(s[len(s)/2])
	}
	return float64(s[len(s)/2-1]+s[len(s)/2]) / 2
}

const header = "%-8s %4s %9s %9s %7s %6s %7s %6s %8s %5s %8s %8s\n"

func printAggHeader(w io.Writer) {
	fmt.Fprintf(w, header, "campaign", "pfx", "attempted", "delivered", "before", "after", "refused", "rate", "refused", "det.", "TTD", "before")
	fmt.Fprintf(w, header, "", "", "", "", "detect", "detect", "(guard)", "limit", "after", "", "median", "max/med")
}

func printAgg(w io.Writer, a agg) {
	refAfter := "-"
	if a.attAfter > 0 {
		refAfter = fmt.Sprintf("%.1f%%", pct(a.refAfter, a.attAfter))
	}
	mx := 0
	for _, n := range a.beforeCounts {
		mx = max(mx, n)
	}
	fmt.Fprintf(w, "%-8s %4d %9d %9d %7d %6d %7d %6d %8s %5s %8s %8s\n", a.name, a.prefixes, a.attempted, a.delivered, a.before, a.after, a.guard, a.rate,
		refAfter, fmt.Sprintf("%d/%d", a.detected, a.prefixes), dur(medianDur(a.ttd)), fmt.Sprintf("%d/%g", mx, medianInt(a.beforeCounts)))
}

func printLevel(w io.Writer, res *levelResult, detail bool) {
	fmt.Fprintf(w, "\n== guard level: %s ==\n", res.Label)
	if len(res.Prefixes) > 0 {
		printAggHeader(w)
		var names []string
		for _, p := range res.Prefixes {
			if !slices.Contains(names, p.Campaign) {
				names = append(names, p.Campaign)
			}
		}
		for _, n := range names {
			var ps []*prefixResult
			for _, p := range res.Prefixes {
				if p.Campaign == n {
					ps = append(ps, p)
				}
			}
			printAgg(w, aggregate(n, ps))
		}
		if len(names) > 1 {
			printAgg(w, aggregate("all", res.Prefixes))
		}
	}
	l := res.Legit
	fmt.Fprintf(w, "legit    %d users, %d sends, %d delivered, %d verified (%.1f %% of delivered; %.1f %% of users finished)\n",
		l.Users, l.Sends, l.Delivered, l.Verified, pct(l.Verified, l.Delivered), pct(l.Finished, l.Users))
	fmt.Fprintf(w, "         refused by the guard: %d sends (%.2f %%; %d of them on attacked prefixes), %d users; %d users who would\n",
		l.GuardRefused, pct(l.GuardRefused, l.Sends), l.GuardRefusedAttacked, l.UsersGuardRefused, l.FailedByGuard)
	fmt.Fprintf(w, "         have verified could not (%.2f %% of users); rate-limited: %d sends; other refusals: %d\n",
		pct(l.FailedByGuard, l.Users), l.RateLimited, l.OtherRefused)
	if wu := res.Warmup; wu.Users > 0 {
		fmt.Fprintf(w, "warm-up  %d users, %d sends; refused by the guard: %d sends (%.2f %%), %d users could not verify\n",
			wu.Users, wu.Sends, wu.GuardRefused, pct(wu.GuardRefused, wu.Sends), wu.FailedByGuard)
	}
	var falseBlocks []string
	for _, b := range res.Blocks {
		if !b.Pumped {
			falseBlocks = append(falseBlocks, fmt.Sprintf("%s at %s", b.Prefix, signedClock(b.At)))
		}
	}
	if len(falseBlocks) > 0 {
		fmt.Fprintf(w, "blocks of prefixes or regions not pumped: %d (%s)\n", len(falseBlocks), strings.Join(first(falseBlocks, 12), ", "))
	}
	for _, a := range res.Anomalies {
		fmt.Fprintf(w, "ANOMALY: %s\n", a)
	}
	if detail && len(res.Prefixes) > 0 {
		fmt.Fprintf(w, "  %-8s %-9s %-30s %5s %5s %5s %5s %5s %5s %4s %7s %8s %6s\n", "campaign", "prefix", "", "legit", "att.", "deliv", "befor", "after", "refus", "ver.", "ref.aft", "TTD", "blocks")
		for _, p := range res.Prefixes {
			ttd, ra := "never", "-"
			if p.Detected {
				ttd = dur(p.TimeToDetect)
			}
			if p.AttemptsAfter > 0 {
				ra = fmt.Sprintf("%.1f%%", pct(p.RefusedAfter, p.AttemptsAfter))
			}
			fmt.Fprintf(w, "  %-8s %-9s %-30s %5d %5d %5d %5d %5d %5d %4d %7s %8s %6d\n", p.Campaign, p.Prefix, p.Note, p.LegitUsers, p.Attempted, p.Delivered,
				p.DeliveredBefore, p.DeliveredAfter, p.GuardRefused, p.Verified, ra, ttd, p.Blocks)
		}
	}
}

func signedClock(d time.Duration) string {
	if d < 0 {
		return "warm-up " + clock(d+24*time.Hour)
	}
	return clock(d)
}

func first(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(s[:n:n], "...")
}

func printSummary(w io.Writer, results []*levelResult) {
	fmt.Fprintln(w, "\n== summary ==")
	fmt.Fprintf(w, "%-28s %9s %9s %8s %8s %8s %9s %9s\n", "level", "pumped", "pumped", "refused", "TTD", "before", "legit", "users")
	fmt.Fprintf(w, "%-28s %9s %9s %8s %8s %8s %9s %9s\n", "", "attempted", "delivered", "after", "median", "max/med", "refused", "failed")
	for _, r := range results {
		a := aggregate("all", r.Prefixes)
		refAfter := "-"
		if a.attAfter > 0 {
			refAfter = fmt.Sprintf("%.1f%%", pct(a.refAfter, a.attAfter))
		}
		mx := 0
		for _, n := range a.beforeCounts {
			mx = max(mx, n)
		}
		fmt.Fprintf(w, "%-28s %9d %9d %8s %8s %8s %9s %9s\n", r.Label, a.attempted, a.delivered, refAfter, dur(medianDur(a.ttd)),
			fmt.Sprintf("%d/%g", mx, medianInt(a.beforeCounts)),
			fmt.Sprintf("%.2f%%", pct(r.Legit.GuardRefused, r.Legit.Sends)), fmt.Sprintf("%d", r.Legit.FailedByGuard))
	}
}
