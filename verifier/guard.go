package verifier

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/limiter"
)

// ErrPumping is returned by Send when the pumping guard refuses the
// destination's prefix; it matches ErrNotAllowed too (403 USG.201060008
// over HTTP), and the Observer sees OutcomePumpingBlocked.
var ErrPumping = fmt.Errorf("verifier: destination prefix blocked by the pumping guard: %w", ErrNotAllowed)

// GuardLevel is how hard the pumping guard judges a prefix's traffic.
type GuardLevel int

// The protection levels, from none to the most suspicious.
const (
	GuardOff GuardLevel = iota
	GuardBasic
	GuardStandard
	GuardMax
)

// Guard configures the SMS pumping guard.
//
// SMS pumping is traffic a fraudster makes a service send to numbers whose
// operators pay them per message, from many accounts and addresses, each
// within its quotas, and never verified. The guard follows each destination
// prefix (the country code and the first PrefixDigits national digits:
// "+86138") and blocks new sends to it for BlockFor when
//
//   - its codes stop being verified: enough of its sends, old enough to
//     have been verified (three minutes, or the codes' validity when
//     longer), over the last hour, six hours or day, and too few verifies
//     for them; or
//   - it gets a sudden burst of sends (in five minutes) while it had little
//     traffic before (in the day), before any of the burst can convert.
//     The guard judges bursts only once it has a day of history (on a
//     fresh store every prefix would look quiet); until then, only a
//     burst four times the level's.
//
// A burst to a whole region (its ISO code), spread thin over many of its
// prefixes, blocks the region likewise: a campaign's way around the
// per-prefix rules, into a country rarely sent to.
//
// The levels set how many sends it takes to judge and how low a conversion
// blocks: Basic waits longest and blocks only what hardly converts, Max
// judges soonest and blocks prefixes converting under half as well as real
// users do. A block ends by itself; codes already sent still verify. The
// counts go through the Limiter (it must be a limiter.Counter, as Memory
// and redislimiter are), so on Redis they are shared by every instance,
// under HMAC keys like every other limit.
type Guard struct {
	// Level is the protection level (DefaultGuard: GuardStandard).
	Level GuardLevel
	// PrefixDigits is how many national digits, after the country code,
	// make a prefix (default 3: "+86138", "+1650", "+44794").
	PrefixDigits int
	// Allow and Block are E.164 prefixes ("+86138", "+1900") that the
	// guard always lets through, or always refuses, whatever the traffic.
	// Block wins over Allow.
	Allow, Block []string
	// BlockFor is how long a block lasts (default one hour).
	BlockFor time.Duration
}

// DefaultGuard returns the guard a Verifier has unless WithGuard sets
// another: GuardStandard, 3-digit prefixes, one-hour blocks. It is on by
// default when the Limiter is a limiter.Counter (the default in-memory
// one and redislimiter are); with any other Limiter the default guard is
// off, and asking for one with WithGuard is an error.
func DefaultGuard() Guard {
	return Guard{Level: GuardStandard, PrefixDigits: 3, BlockFor: time.Hour}
}

// WithGuard sets the SMS pumping guard (default: DefaultGuard()). A Guard
// with Level GuardOff, such as Guard{}, switches it off; its Block list
// still applies.
func WithGuard(g Guard) Option {
	return func(c *config) {
		g.Allow, g.Block = append([]string(nil), g.Allow...), append([]string(nil), g.Block...)
		c.guard, c.guardSet = g, true
	}
}

// guardRules are a level's thresholds.
type guardRules struct {
	minHour, minSix, minDay int     // sends old enough to judge, in the hour, six hours, the day
	conversion              float64 // verified / sent under which a prefix is blocked
	burst                   int     // sends in burstWindow that make a burst...
	surge                   float64 // ...when this many times the prefix's usual rate
}

var guardLevels = map[GuardLevel]guardRules{
	GuardBasic:    {minHour: 40, minSix: 60, minDay: 90, conversion: 0.10, burst: 60, surge: 20},
	GuardStandard: {minHour: 20, minSix: 30, minDay: 45, conversion: 0.25, burst: 30, surge: 10},
	GuardMax:      {minHour: 15, minSix: 20, minDay: 30, conversion: 0.35, burst: 15, surge: 6},
}

const (
	guardGrace  = 3 * time.Minute // a send younger than this, or than a code's validity, may still be verified
	burstWindow = 5 * time.Minute // a burst's span
	guardDay    = 24 * time.Hour  // the longest window read
	guardKeep   = 2000            // events kept per prefix key: counts saturate there
	guardHour   = time.Hour       // the short conversion window
	guardSix    = 6 * time.Hour   // the middle one, for slow drips
	slotsPerDay = int(guardDay / burstWindow)
	maxPrefix   = 8                // national digits in a prefix, at most
	minBlockFor = 10 * time.Minute // a shorter block is no block
)

func (g Guard) check(l limiter.Limiter) error {
	var errs []error
	if _, ok := guardLevels[g.Level]; !ok && g.Level != GuardOff {
		errs = append(errs, fmt.Errorf("verifier: unknown guard level %d", g.Level))
	}
	if g.Level == GuardOff && len(g.Block) == 0 {
		return errors.Join(errs...)
	}
	if g.PrefixDigits < 1 || g.PrefixDigits > maxPrefix {
		errs = append(errs, fmt.Errorf("verifier: Guard.PrefixDigits %d outside 1..%d", g.PrefixDigits, maxPrefix))
	}
	if g.BlockFor < minBlockFor || g.BlockFor > maxWindow {
		errs = append(errs, fmt.Errorf("verifier: Guard.BlockFor %v outside %v to 366 days", g.BlockFor, minBlockFor))
	}
	for _, p := range append(append([]string(nil), g.Allow...), g.Block...) {
		if len(p) < 2 || p[0] != '+' || strings.Trim(p[1:], "0123456789") != "" {
			errs = append(errs, fmt.Errorf("verifier: guard prefix %q is not \"+\" and digits", p))
		}
	}
	if _, ok := l.(limiter.Counter); !ok && g.Level != GuardOff {
		errs = append(errs, errors.New("verifier: the pumping guard needs a limiter.Counter (Memory and redislimiter are); switch it off with WithGuard(Guard{}) for another Limiter"))
	}
	return errors.Join(errs...)
}

// prefix is c's guard prefix: "+", the calling code and PrefixDigits
// national digits (fewer for a shorter number).
func (g Guard) prefix(c contact.Contact) string {
	cc := len(strconv.Itoa(c.CallingCode))
	return c.Value[:min(len(c.Value), 1+cc+g.PrefixDigits)]
}

func pinned(list []string, number string) bool {
	for _, p := range list {
		if strings.HasPrefix(number, p) {
			return true
		}
	}
	return false
}

// guardTally is the limit-free rule that counts a send for its prefix or
// region, taken with the send's limits in the same call (limitGuard never
// reaches a caller: see send), and a verify for its prefix.
var guardTally = []Rule{{Limit: guardKeep, Window: guardDay}}

// limitGuard names the guard's tally among a send's rules.
const limitGuard = "guard"

// guardRoom is how far below guardKeep a prefix's day count must be for a
// send to be tallied: the room concurrent sends to one prefix share
// between the guard's read and their limits' call. A fuller prefix is
// busy, and stays so while its count saturates.
const guardRoom = 200

// renewal is how many new unverified sends in the hour let the longer
// windows judge a prefix blocked before that day.
const renewal = 2

// coldBurst times a level's burst, in five minutes, is a burst to a
// prefix before the guard has a day of history (120 at standard): more
// than a busy prefix's real users ask for, at their peak.
const coldBurst = 4

// regionQuiet is the most sends in a day a region may have had for its
// bursts to be judged: the region rule is for regions rarely sent to,
// where a burst is not the daily peak of real users.
const regionQuiet = 500

// guardSend judges an SMS send to c before it is made, with one read of
// the counts of its prefix and region: ErrPumping when either is blocked,
// or when this send just earned a block (then started is the prefix, or
// the region's ISO code). Otherwise tallies holds the limit-free rules
// that count this send for its prefix and region: the caller takes them
// with the send's own limits, so that a send they refuse, a pumper's
// included, is never counted, and one that certainly did not leave is
// given back with them.
func (v *Verifier) guardSend(ctx context.Context, c contact.Contact) (started string, tallies guardTallies, err error) {
	g := v.cfg.guard
	if pinned(g.Block, c.Value) {
		return "", tallies, ErrPumping
	}
	lv, on := guardLevels[g.Level]
	if !on || pinned(g.Allow, c.Value) {
		return "", tallies, nil
	}
	counter := v.cfg.limiter.(limiter.Counter)
	p := g.prefix(c)
	// The prefix's four keys and the region's two in one string: one
	// allocation (base and rbase are HMACs of one length).
	base, rbase := v.guardBase(p), v.guardBase(c.Region+":")
	all := "gsnd:" + base + "gver:" + base + "gblk:" + base + "gstr:" + base + "grsn:" + rbase + "grbk:" + rbase
	kl := len(all) / 6
	sndKey, verKey, blkKey, strKey := all[:kl], all[kl:2*kl], all[2*kl:3*kl], all[3*kl:4*kl]
	rsnKey, rbkKey := all[4*kl:5*kl], all[5*kl:]
	r := guardReads.Get().(*guardRead)
	defer func() {
		*r = guardRead{} // no key kept alive in the pool
		guardReads.Put(r)
	}()
	r.reqs = [...]limiter.CountRequest{
		nBlocked:       {Key: blkKey, Window: g.BlockFor},
		nYoung:         {Key: sndKey, Window: max(guardGrace, v.cfg.validity)},
		nHour:          {Key: sndKey, Window: guardHour},
		nSix:           {Key: sndKey, Window: guardSix},
		nDay:           {Key: sndKey, Window: guardDay},
		nBurst:         {Key: sndKey, Window: burstWindow},
		nVerHour:       {Key: verKey, Window: guardHour},
		nVerSix:        {Key: verKey, Window: guardSix},
		nVerDay:        {Key: verKey, Window: guardDay},
		nStrikes:       {Key: strKey, Window: guardDay},
		nRegionBlocked: {Key: rbkKey, Window: g.BlockFor},
		nRegionBurst:   {Key: rsnKey, Window: burstWindow},
		nRegionDay:     {Key: rsnKey, Window: guardDay},
		// The guard's first send starts its history, an event that stays
		// a year; bursts are judged once it is a day old. Read until then.
		nEpoch: {Key: v.guardEpoch, Window: guardDay},
	}
	warm := v.guardWarm.Load()
	read := r.reqs[:]
	if warm {
		read = read[:len(read)-1]
	}
	if err := counter.Count(ctx, read, r.n[:]); err != nil {
		return "", tallies, backendErr("limiter", err)
	}
	n := r.n
	if n[nBlocked] > 0 || n[nRegionBlocked] > 0 {
		return "", tallies, ErrPumping
	}
	if !warm && n[nEpoch] == 0 {
		d, err := counter.Allow(ctx, v.guardEpoch, Rule{Limit: 1, Window: maxWindow})
		if err != nil {
			return "", tallies, backendErr("limiter", err)
		}
		// Refused: the history began over a day ago.
		warm = !d.Allowed
		v.guardWarm.Store(warm)
	}
	// Sends whose codes may still be verified (younger than three
	// minutes, or than the validity when longer) are not judged.
	young := n[nYoung]
	hour, six, day, burst := n[nHour]-young, n[nSix]-young, n[nDay]-young, n[nBurst]
	verHour, verSix, verDay, strikes := n[nVerHour], n[nVerSix], n[nVerDay], n[nStrikes]
	low := func(sent, verified, least int) bool {
		if strikes > 0 {
			// Blocked before within the day: a block that ran out must
			// not reopen the prefix to the same traffic for long, so new
			// traffic is judged on a quarter of the sends.
			least = max(least/4, 5)
		}
		return sent >= least && float64(verified) < lv.conversion*float64(sent)
	}
	// A burst: this many sends in five minutes, many times the usual
	// rate over the day, to the prefix or to its whole region. A day
	// count near what a key keeps (tallies stop there) is busy, never a
	// burst.
	surging := func(burst, day int) bool {
		usual := float64(day-burst) / float64(slotsPerDay)
		return warm && burst+1 >= lv.burst && day < guardKeep-guardRoom && float64(burst+1) > lv.surge*max(usual, 1)
	}
	// Until then (a fresh store: the first day, or every restart of the
	// in-memory limiter), only a burst far beyond what one prefix's real
	// users send in five minutes: the conversion rules need the
	// codes' validity to pass before they judge anything.
	cold := !warm && burst+1 >= coldBurst*lv.burst
	switch {
	case low(hour, verHour, lv.minHour), surging(burst, n[nDay]), cold:
	case (strikes == 0 || hour-verHour >= renewal) && (low(six, verSix, lv.minSix) || low(day, verDay, lv.minDay)):
		// The longer windows judge a prefix blocked before that day
		// only once new unverified sends came: the sends that earned its
		// block must not renew it on their own until they leave the day
		// (twenty SMS would otherwise block a quiet prefix for a day).
	case n[nRegionDay] < regionQuiet && n[nRegionBurst]+1 >= 2*lv.burst && surging(n[nRegionBurst], n[nRegionDay]):
		// A burst to a region rarely sent to, spread thin over its
		// prefixes: a campaign's way around the per-prefix rules. Twice
		// a prefix's burst, so that one prefix's own burst is the prefix
		// rule's to block, which blocks less.
		if _, err := counter.Allow(ctx, rbkKey, Rule{Limit: 1, Window: g.BlockFor}); err != nil {
			return "", tallies, backendErr("limiter", err)
		}
		return c.Region, tallies, ErrPumping
	default:
		if n[nDay] < guardKeep-guardRoom {
			tallies.prefix = namedRule{name: "gsnd", limit: limitGuard, key: sndKey, rules: guardTally}
		}
		if n[nRegionDay] < guardKeep-guardRoom {
			tallies.region = namedRule{name: "grsn", limit: limitGuard, key: rsnKey, rules: guardTally}
		}
		return "", tallies, nil
	}
	if _, err := counter.Allow(ctx, blkKey, Rule{Limit: 1, Window: g.BlockFor}); err != nil {
		return "", tallies, backendErr("limiter", err)
	}
	if _, err := counter.Allow(ctx, strKey, Rule{Limit: guardKeep, Window: guardDay}); err != nil {
		return "", tallies, backendErr("limiter", err)
	}
	return p, tallies, ErrPumping
}

// guardTallies are the rules that count a send for the guard, each unset
// (no key) when the count is full or the guard off.
type guardTallies struct{ prefix, region namedRule }

// appendTo appends the tallies that are set to rules.
func (t guardTallies) appendTo(rules []namedRule) []namedRule {
	for _, r := range [...]namedRule{t.prefix, t.region} {
		if r.key != "" {
			rules = append(rules, r)
		}
	}
	return rules
}

// The guard's reads, by their index in guardRead: the prefix's block,
// sends (those too young to judge, the hour, six hours, day, five
// minutes), verifies, and blocks that day; the region's block and sends;
// the guard's history (last: not read once warm).
const (
	nBlocked = iota
	nYoung
	nHour
	nSix
	nDay
	nBurst
	nVerHour
	nVerSix
	nVerDay
	nStrikes
	nRegionBlocked
	nRegionBurst
	nRegionDay
	nEpoch
	nReads
)

// guardRead holds the guard's counts of a prefix and their requests.
// Passed to an interface, they escape to the heap; guardReads recycles
// them.
type guardRead struct {
	reqs [nReads]limiter.CountRequest
	n    [nReads]int
}

var guardReads = sync.Pool{New: func() any { return new(guardRead) }}

// guardBase is the part the keys of prefix p's counters share: one HMAC
// of the prefix, each counter's key this after a name of its own.
func (v *Verifier) guardBase(p string) string {
	return v.limitKey("guard", p)[len("guard:"):]
}

// guardVerified counts a verify for c's prefix. A key takes guardKeep
// events a day at most: the counts saturate there, and busy prefixes are
// judged on saturated counts (see guardRoom).
func (v *Verifier) guardVerified(ctx context.Context, c contact.Contact) error {
	g := v.cfg.guard
	if _, on := guardLevels[g.Level]; !on || c.Kind != contact.Phone || pinned(g.Allow, c.Value) {
		return nil
	}
	_, err := v.cfg.limiter.Allow(ctx, "gver:"+v.guardBase(g.prefix(c)), guardTally...)
	if err != nil {
		return backendErr("limiter", err)
	}
	return nil
}
