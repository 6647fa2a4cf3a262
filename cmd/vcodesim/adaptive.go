package main

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/vcodekit/vcode/verifier"
)

// The adaptive campaigns: attackers that read the Verifier's answers and
// react to them on the simulated clock, where the pre-generated campaigns
// of scenario.go never do. Each runs on a Verifier of its own, with the
// day's legitimate traffic (after the warm-up day, or on a fresh store),
// so that one campaign's blocks never help or hinder another's.

// attack is one run of an adaptive campaign.
type attack struct {
	campaign string // rounds, spreadcountry, dos
	variant  string // how this run differs from the campaign's others
	fresh    bool   // on a fresh store: no warm-up day
	oneToken bool   // every send from one subject and one IP; else a fresh pair each
	targets  []target
	pace     time.Duration // between two sends of a round
	probe    time.Duration // between two probes of a refused prefix
	round    int           // sends in a round at most; 0: as many as pass
	busy     bool          // the busy prefix's real users are in the traffic
	idle     bool          // no attacker: the busy prefix's baseline
	// shared: the targets are prefixes of real users, whose refusals
	// are then the attack's denial of service, not the guard's mistakes.
	shared bool
	length time.Duration // of the attack (0: the measured day, 24 h)
}

// adaptiveCampaigns are the campaign names that adapt.
var adaptiveCampaigns = []string{"rounds", "spreadcountry", "dos"}

// The adaptive campaigns' targets.
var (
	// roundsTarget is a prefix no real user sends to, in a country with
	// no real traffic: nothing there ever verifies.
	roundsTarget = target{prefix: "+371291", cc: "371", natLen: []int{8}, note: "Latvia"}
	// busyPrefix is the denial of service's victim: about 1,200 real
	// sends a day, 70 % of them verified (83 % of its users verify; some
	// send twice), in Nigeria's daily cycle, added to the traffic.
	// Half its users of the measured day are returning ones, whose
	// numbers verified in the warm-up (logins): the safe list's.
	busyPrefix = busySpec{prefix: "+234701", iso: "NG", users: 1000, finish: 0.83, returning: 0.5}
	// dosPaces are the paces a denial of service tries: it keeps the one
	// that costs it least.
	dosPaces = []time.Duration{2 * time.Second, 20 * time.Second, time.Minute}
)

// spreadTargetsGB are the 50 GB mobile prefixes of the legitimate traffic,
// which spreadcountry spreads over.
func spreadTargetsGB() []target {
	i := slices.IndexFunc(regions, func(rg region) bool { return rg.iso == "GB" })
	rg := regions[i]
	var ts []target
	for _, s := range rg.starts {
		ts = append(ts, target{prefix: "+" + rg.cc + s, cc: rg.cc, natLen: rg.natLen, note: "GB"})
	}
	return ts
}

// attacks lists the runs of the named adaptive campaigns.
func attacks(names []string, pace, probe time.Duration, round int) []attack {
	var out []attack
	for _, name := range names {
		switch name {
		case "rounds":
			for _, fresh := range []bool{false, true} {
				for _, one := range []bool{true, false} {
					out = append(out, attack{campaign: name, variant: variant(fresh, one, 0), fresh: fresh, oneToken: one,
						targets: []target{roundsTarget}, pace: pace, probe: probe, round: round})
				}
			}
		case "spreadcountry":
			for _, fresh := range []bool{false, true} {
				out = append(out, attack{campaign: name, variant: variant(fresh, false, 0), fresh: fresh,
					targets: spreadTargetsGB(), pace: pace, probe: probe, round: round, shared: true})
			}
		case "dos":
			t := target{prefix: busyPrefix.prefix, cc: "234", natLen: []int{10}, note: "NG, busy (added)"}
			out = append(out, attack{campaign: name, variant: "no attacker", targets: []target{t}, busy: true, idle: true})
			for _, p := range dosPaces {
				out = append(out, attack{campaign: name, variant: variant(false, false, p), targets: []target{t},
					pace: p, probe: probe, round: round, busy: true})
			}
		}
	}
	return out
}

// variant names a run: "history" (after the warm-up day) or "fresh" (on
// a fresh store), one token or many; a denial of service by its pace.
func variant(fresh, one bool, pace time.Duration) string {
	if pace > 0 {
		return "many tokens, pace " + pace.String()
	}
	s := "history"
	if fresh {
		s = "fresh"
	}
	if one {
		return s + ", one token"
	}
	return s + ", many tokens"
}

// attackResult is what one adaptive run measured.
type attackResult struct {
	Campaign string `json:"campaign"`
	Variant  string `json:"variant"`
	// Pace and Probe are the attacker's: between two sends of a round,
	// between two probes of a refused prefix.
	Pace     time.Duration   `json:"pace_ns"`
	Probe    time.Duration   `json:"probe_ns"`
	Prefixes []*prefixResult `json:"prefixes"`
	// Regions are the attacker's delivered SMS per region in the day.
	Regions map[string]int `json:"delivered_per_region"`
	// Rounds counts the rounds delivered: runs of delivered sends to a
	// prefix after a refusal (or the first).
	Rounds    int         `json:"rounds"`
	Legit     legitResult `json:"legit"`
	Blocks    []block     `json:"blocks"`
	Anomalies []string    `json:"anomalies,omitempty"`
	Busy      *busyResult `json:"busy,omitempty"`

	idle, shared bool
}

// busyResult is what the busy prefix's real users got, in the measured
// day, and what refusing them cost the attacker.
type busyResult struct {
	Prefix        string `json:"prefix"`
	RealSends     int    `json:"real_sends"`
	RealDelivered int    `json:"real_delivered"`
	RealVerified  int    `json:"real_verified"`
	RealRefused   int    `json:"real_refused_by_guard"`
	// Baseline is RealRefused without the attacker.
	Baseline          int `json:"real_refused_without_attacker"`
	AttackerDelivered int `json:"attacker_delivered"`
	// Cost is AttackerDelivered per real send refused beyond the
	// baseline; -1 when none was (no cost bounds it).
	Cost float64 `json:"cost"`
}

// delivered sums the attacker's delivered SMS.
func (a *attackResult) delivered() int {
	n := 0
	for _, p := range a.Prefixes {
		n += p.Delivered
	}
	return n
}

// maxPrefix is the prefix the attacker got most SMS to, and how many.
func (a *attackResult) maxPrefix() (string, int) {
	key, n := "-", 0
	for _, p := range a.Prefixes {
		if p.Delivered > n {
			key, n = p.Prefix, p.Delivered
		}
	}
	return key, n
}

// maxRegion is the region the attacker got most SMS to, and how many.
func (a *attackResult) maxRegion() (string, int) {
	key, n := "-", 0
	for k, v := range a.Regions {
		if v > n || v == n && k < key {
			key, n = k, v
		}
	}
	return key, n
}

// attackTarget is one prefix as the attacker sees it.
type attackTarget struct {
	target
	res *prefixResult
	// closed: the last answer was a guard refusal (or its round is
	// over): the next send is a probe, not before next.
	closed  bool
	next    time.Duration
	inRound int
	pool    []string // numbers drawn so far
	used    int      // sends from the pool
}

// attacker runs one adaptive campaign on a runner.
type attacker struct {
	r      *runner
	a      *attack
	rng    *rand.Rand
	ts     []*attackTarget
	cur    int
	sends  int
	rounds int
	end    time.Duration
	per    map[string]int // delivered per region
}

// act makes the attacker's next move: a send of a round, or a probe, to
// the prefix it picks, and schedules the one after from the answer.
func (at *attacker) act() {
	r := at.r
	if r.now >= at.end {
		return
	}
	t := at.pick()
	if t == nil {
		// Every prefix refused: wait for the first probe due.
		next := at.end
		for _, t := range at.ts {
			next = min(next, t.next)
		}
		r.at(next, at.act)
		return
	}
	num := at.number(t)
	if num == "" {
		r.res.Anomalies = appendOnce(r.res.Anomalies, "no valid number under "+t.prefix)
		return
	}
	// An address of the campaign's own /48; with many tokens, a /64 of
	// its own per send, as a pumper renting addresses would have.
	net := campaignNet(at.a.campaign)
	req := verifier.Request{Contact: num, Subject: at.a.campaign + "-acct", ClientIP: fmt.Sprintf("2001:db8:%x::1", net)}
	if !at.a.oneToken {
		req.Subject = fmt.Sprintf("%s-acct-%d", at.a.campaign, at.sends)
		req.ClientIP = fmt.Sprintf("2001:db8:%x:%x::1", net, at.sends&0xffff)
	}
	at.sends++
	out, _, retry := r.pump(t.res, req)
	switch out {
	case delivered:
		at.per[r.region]++
		if t.closed || t.inRound == 0 {
			at.rounds++
		}
		t.closed = false
		t.inRound++
		if at.a.round > 0 && t.inRound >= at.a.round {
			// A full round: rest until the next probe.
			t.closed, t.next, t.inRound = true, r.now+at.a.probe, 0
		}
		r.at(r.now+at.a.pace, at.act)
	case guardRefused:
		// Probe again after the probe interval, or sooner when the
		// refusal says when it ends.
		wait := at.a.probe
		if retry > 0 {
			wait = min(wait, retry)
		}
		t.closed, t.next, t.inRound = true, r.now+wait, 0
		r.at(r.now+at.a.pace, at.act)
	case rateLimited:
		// A quota (one token's): wait for its end, then go on.
		r.at(r.now+max(retry, time.Second), at.act)
	default:
		r.at(r.now+at.a.pace, at.act)
	}
}

// pick returns the prefix to send to now: the current one while it is
// open, else the next open one in turn, or the next whose probe is due;
// nil when none is.
func (at *attacker) pick() *attackTarget {
	n := len(at.ts)
	for i := range n {
		t := at.ts[(at.cur+i)%n]
		if !t.closed || t.next <= at.r.now {
			at.cur = (at.cur + i) % n
			return t
		}
	}
	return nil
}

// poolSize is how many numbers an attacker has under a prefix: it draws
// a new one for each send until it has that many, then uses them again
// in turn (at the default -pace, a number every 17 minutes: well within
// a number's cooldown and hourly cap). A real campaign's numbers are a
// finite set too; and parsing a new number for each of tens of thousands
// of sends would be most of a run's time.
const poolSize = 512

// number returns the number of the attacker's next send under t's prefix.
func (at *attacker) number(t *attackTarget) string {
	if len(t.pool) < poolSize {
		n := number(at.rng, t.prefix, t.cc, t.natLen, 1000)
		t.pool = append(t.pool, n)
		return n
	}
	n := t.pool[t.used%len(t.pool)]
	t.used++
	return n
}

// runAttack runs one adaptive campaign, with the day's legitimate traffic,
// against a fresh Verifier at level lv. sc is the scenario for the run:
// with a warm-up or without, with the busy prefix's users when a.busy.
func runAttack(sc *scenario, lv level, a attack) (*attackResult, error) {
	r, err := newRunner(sc, lv, nil, 1)
	if err != nil {
		return nil, err
	}
	defer r.close()
	return r.attack(a), nil
}

// attack runs a on r, from the measured day's start for its length (24
// hours unless a.length says otherwise), with r's legitimate traffic.
func (r *runner) attack(a attack) *attackResult {
	end := a.length
	if end == 0 {
		end = 24 * time.Hour
	}
	at := &attacker{r: r, a: &a, rng: newRand(r.sc.seed, a.campaign+"/"+a.variant), end: end, per: map[string]int{}}
	for _, t := range a.targets {
		if a.idle {
			break
		}
		p := &prefixResult{Prefix: t.prefix, Note: t.note, Campaign: a.campaign}
		r.addPrefix(p)
		at.ts = append(at.ts, &attackTarget{target: t, res: p})
	}
	if r.sc.busy != nil {
		r.watch = &busyResult{Prefix: r.sc.busy.key}
	}
	r.scheduleLegit()
	if !a.idle {
		r.at(0, at.act)
	}
	r.loop(1<<63 - 1)
	res := r.finish()
	out := &attackResult{Campaign: a.campaign, Variant: a.variant, Pace: a.pace, Probe: a.probe,
		Prefixes: res.Prefixes, Regions: at.per, Rounds: at.rounds, Legit: res.Legit, Blocks: res.Blocks,
		Anomalies: res.Anomalies, Busy: r.watch, idle: a.idle, shared: a.shared}
	if out.Busy != nil {
		out.Busy.AttackerDelivered = out.delivered()
	}
	return out
}

// newRand is a generator of its own for name, drawn from seed.
func newRand(seed uint64, name string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// costs fills in each denial of service's cost from its level's baseline.
func costs(rs []*attackResult) {
	var base *attackResult
	for _, a := range rs {
		if a.Busy != nil && a.idle {
			base = a
		}
	}
	if base == nil {
		return
	}
	for _, a := range rs {
		if a.Busy == nil || a.idle {
			continue
		}
		b := a.Busy
		b.Baseline = base.Busy.RealRefused
		b.Cost = -1
		if extra := b.RealRefused - b.Baseline; extra > 0 {
			b.Cost = float64(b.AttackerDelivered) / float64(extra)
		}
	}
}

// campaignNet is a 16-bit network number for a campaign's addresses: the
// verifier takes only IP addresses as Request.ClientIP.
func campaignNet(campaign string) uint16 {
	h := fnv.New32a()
	h.Write([]byte(campaign))
	return uint16(h.Sum32())
}
