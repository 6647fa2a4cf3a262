package verifier

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/observe"
)

// ErrPumping is returned by Send when the pumping guard refuses the
// destination's prefix; it matches delivery.ErrNotAllowed too (403 USG.201060008
// over HTTP), and the Observer sees observe.OutcomePumpingBlocked.
var ErrPumping = fmt.Errorf("verifier: destination prefix blocked by the pumping guard: %w", delivery.ErrNotAllowed)

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
// within its quotas, and never verified. The guard gives each destination
// prefix (the country code and the first PrefixDigits national digits:
// "+86138") an allowance of unverified SMS that grows with the codes its
// users verify, and refuses a send beyond it (ErrPumping):
//
//   - a prefix may have at most a small base of unverified sends in any 24
//     hours (20 at the standard level) beyond what its verified codes
//     earn: each of its first 150 codes verified on a usual day earns two
//     thirds of an unverified send, each one beyond earns three. A usual
//     day is the last 24 hours, or the average day of the last 30 (of the
//     days since the prefix was first counted, when fewer) when that is
//     more. A send counts as unverified from the moment it is made, until
//     its code is verified: no send is free and nothing resets, so a
//     prefix that never converts gets its base in each window of 23 to 24
//     hours (the counts are hour buckets), so at most twice its base in
//     any rolling 24 hours, however the sends are timed;
//   - a send its prefix has not earned needs room in its region (its ISO
//     code) too: the region's unverified sends may be at most its own
//     base (300) plus one per code the region verifies on a usual day, so
//     that a campaign spread thin over many prefixes of a country is
//     bounded by the country, not by the number of its prefixes;
//   - each day on which a prefix (or a region) that verified no code in
//     the last 24 hours refused a send halves its base for a week, to a
//     quarter at most: what goes on not converting gets less each day.
//
// A busy prefix's real users thus keep room for three unverified sends per
// code they verify: an attacker who wants them refused must first spend
// that room with SMS that are delivered, more than the real sends it then
// has refused (SECURITY.md has the figures). A quiet prefix has little
// room, so that a campaign takes little from its real users' conversions,
// and its real users must verify more than 60 % of their codes, or rely on
// the base. Requests the host vouches for (Request.Trusted) pass a prefix
// or region whose allowance is spent, and are counted.
//
// The prefix is coarse on purpose. The allowance is earned by the prefix's
// own conversions: a finer prefix (Twilio's fraud guard uses the number
// without its last four digits) has too few real users to earn anything,
// so its allowance would be its base alone, cheap for an attacker to
// spend, and a campaign spread over many fine prefixes would meet only
// its region's bound. The blast radius of a refusal is bounded otherwise:
// a prefix is not blocked as a whole for a time, it refuses sends beyond
// its allowance, and each of its real users who verifies reopens room.
//
// The levels set the allowance: Basic lets the most through (a base of 40,
// one unverified send per verified code, nine beyond the first 150, a
// region's base of 600 and two per code), Max the least (a base of 10,
// two thirds, two and a third beyond, a region's base of 150). The guard
// never refuses a verify, and codes already sent still verify. The Observer
// is told when a refusal starts a block (observe.Event.BlockedPrefix and
// BlockedRegion): the first refusal after an hour without one.
//
// The counts are kept and judged by the Limiter (a limiter.GuardLimiter,
// as Memory and redislimiter are), in the call that takes the send's
// limits: only sends every limit allowed are counted, concurrent sends
// are decided as the same sends one after another would be, and on Redis
// every instance shares them, under HMAC keys like every other limit, with
// nothing of the guard's in the process. A send that certainly did not
// leave is taken back with its limits. Block refuses whatever the guard's
// level; Allow's prefixes are neither judged nor counted.
type Guard struct {
	// Level is the protection level (DefaultGuard: GuardStandard).
	Level GuardLevel
	// PrefixDigits is how many national digits, after the country code,
	// make a prefix (default, and when zero, 3: "+86138", "+1650",
	// "+44794").
	PrefixDigits int
	// Allow and Block are E.164 prefixes ("+86138", "+1900") that the
	// guard always lets through, uncounted, or always refuses, whatever
	// the traffic. Block wins over Allow. An Allow pin must start with a
	// country calling code and hold at least PrefixDigits national digits
	// after it (a guard prefix or a narrower range): New refuses a wider
	// one, such as "+1" or "+861", which would switch the guard off for
	// a whole country or operator range, unless AllowWide says so.
	Allow, Block []string
	// AllowWide accepts Allow pins wider than a guard prefix, down to a
	// bare calling code ("+1"): the guard is then off for every number
	// they cover. Set it only to exempt a whole country deliberately.
	AllowWide bool
	// SafeList lets a number whose most recent code was verified (within
	// 30 days) pass its prefix's or region's spent allowance once; the
	// pass takes the mark, so the number must verify again to pass
	// again, and the send is counted. It keeps returning users (logins)
	// served through an attack on their prefix. Off by default, because
	// it is an enumeration oracle: once a campaign has spent a prefix's
	// allowance (some 20 SMS), a send to a number there is refused unless
	// the number verified a code lately, and a refused send costs the
	// asker nothing, so anyone may learn for free which numbers of that
	// prefix belong to users. Turn it on where serving returning users
	// through an attack matters more than that (SECURITY.md).
	SafeList bool
}

// DefaultGuard returns the guard a Verifier has unless WithGuard sets
// another: GuardStandard, 3-digit prefixes. It needs a
// limiter.GuardLimiter (the default in-memory Limiter and redislimiter
// are): with any other Limiter, New fails unless the guard is switched off
// with WithGuard(Guard{}).
func DefaultGuard() Guard {
	return Guard{Level: GuardStandard, PrefixDigits: defaultPrefixDigits}
}

// guardLevels are the levels' allowances, in thirds of a send per
// verified code. Standard's three unverified sends per verified code
// beyond the knee keep the conversion under which a busy prefix is
// refused at 25 %, the first guard's; below the knee (150 verified codes a
// day), a code earns two thirds of a send: real users who verify 60 % of
// their codes stay within it, and what a campaign can take from a quieter
// prefix's real conversions stays small.
var guardLevels = map[GuardLevel]limiter.Allowance{
	GuardBasic:    {Base: 40, Knee: 150, Low: 3, High: 27, Per: 3, RegionBase: 600, RegionRate: 6},
	GuardStandard: {Base: 20, Knee: 150, Low: 2, High: 9, Per: 3, RegionBase: 300, RegionRate: 3},
	GuardMax:      {Base: 10, Knee: 150, Low: 2, High: 7, Per: 3, RegionBase: 150, RegionRate: 3},
}

const (
	defaultPrefixDigits = 3
	maxPrefix           = 8 // national digits in a prefix, at most
)

// check returns every problem with g for Limiter l.
func (g Guard) check(l limiter.Limiter) error {
	var errs []error
	_, known := guardLevels[g.Level]
	if !known && g.Level != GuardOff {
		errs = append(errs, fmt.Errorf("verifier: unknown guard level %d", g.Level))
	}
	if g.Level == GuardOff && (len(g.Allow) > 0 || g.AllowWide || g.SafeList || g.PrefixDigits != defaultPrefixDigits) {
		// Guard{Allow: ...} looks like a guard configured and is one
		// switched off: its zero Level is GuardOff.
		errs = append(errs, errors.New("verifier: Guard.Level is GuardOff (the zero value), so Allow, AllowWide, SafeList and PrefixDigits would do nothing and the guard would be off: start from verifier.DefaultGuard() to configure it, or give only Block to refuse prefixes with the guard off"))
	}
	if g.PrefixDigits < 1 || g.PrefixDigits > maxPrefix {
		errs = append(errs, fmt.Errorf("verifier: Guard.PrefixDigits %d outside 1..%d", g.PrefixDigits, maxPrefix))
	}
	for i, p := range append(append([]string(nil), g.Allow...), g.Block...) {
		if len(p) < 2 || p[0] != '+' || strings.Trim(p[1:], "0123456789") != "" {
			errs = append(errs, fmt.Errorf("verifier: guard prefix %q is not \"+\" and digits", p))
			continue
		}
		if i < len(g.Allow) && !g.AllowWide {
			errs = append(errs, g.checkAllow(p))
		}
	}
	if _, ok := l.(limiter.GuardLimiter); !ok && known {
		errs = append(errs, errors.New("verifier: the pumping guard (on by default) needs a limiter.GuardLimiter, as limiter.Memory and redislimiter are; to use this Limiter, switch the guard off with WithGuard(verifier.Guard{})"))
	}
	return errors.Join(errs...)
}

// checkAllow returns an error unless the Allow pin p starts with a
// calling code and is at least a guard prefix long.
func (g Guard) checkAllow(p string) error {
	cc := callingCodeOf(p[1:])
	switch {
	case cc == 0:
		return fmt.Errorf("verifier: Guard.Allow pin %q starts with no country calling code", p)
	case len(p) < 1+len(strconv.Itoa(cc))+g.PrefixDigits:
		return fmt.Errorf("verifier: Guard.Allow pin %q is wider than a guard prefix (+%d and %d digits): it would switch the guard off for all of it; set Guard.AllowWide to mean it", p, cc, g.PrefixDigits)
	}
	return nil
}

// callingCodeOf is the country calling code digits start with, or 0:
// calling codes are 1 to 3 digits and none is a prefix of another.
func callingCodeOf(digits string) int {
	for n := 1; n <= 3 && n <= len(digits); n++ {
		cc, _ := strconv.Atoi(digits[:n])
		if phonenumbers.GetRegionCodeForCountryCode(cc) != phonenumbers.UNKNOWN_REGION {
			return cc
		}
	}
	return 0
}

// guard is a Verifier's pumping guard: its configuration, the level's
// allowance, the Limiter that keeps its counts (nil when off), and the
// queue of conversions still to write (nil for the in-memory Limiter,
// which counts them in the call).
type guard struct {
	cfg       Guard
	allowance limiter.Allowance
	counts    limiter.GuardLimiter
	queue     *conversions
}

func newGuard(g Guard, l limiter.Limiter) guard {
	a, on := guardLevels[g.Level]
	if !on {
		return guard{cfg: g}
	}
	gl := l.(limiter.GuardLimiter)
	var q *conversions
	if _, local := l.(*limiter.Memory); !local {
		q = &conversions{counts: gl}
	}
	return guard{cfg: g, allowance: a, counts: gl, queue: q}
}

// maxQueued bounds the conversions waiting to be written: beyond it,
// Verify writes its own in the call.
const maxQueued = 4096

// conversions writes the guard's verified codes (limiter.GuardLimiter's
// Verified) off the verify's critical path, so that a right SMS code costs
// the verify's two round trips on Redis, not three: Verify queues the
// conversion and a goroutine, started when the queue fills from empty and
// ending when it is empty again, writes it to the shared Limiter at once.
// The Limiter still decides: nothing of it is judged in the process.
// What it costs: until the write lands (a round trip later), another
// instance judges the prefix without that code; the instance's own next
// guarded send writes what it queued first (so one instance decides as
// if the write were in the call); and a conversion queued when the
// process dies is lost, which only makes its prefix look less converting
// (the guard stricter) and its contact miss the safe list once. Close and
// Flush write what is queued.
type conversions struct {
	counts limiter.GuardLimiter

	mu      sync.Mutex
	pending []conversion
	running bool // a writer goroutine is on
	closed  bool
	idle    sync.WaitGroup // the writer

	write     sync.Mutex   // held while a batch is written
	unwritten atomic.Int64 // queued or being written
	failed    atomic.Int64 // writes that failed, not yet reported
}

// report reports to the call of ctx, as observe.LapseGuardCount, the queued
// writes that failed since the last report: a conversion fails after its
// Verify answered, so the next Send or Verify of the instance tells the
// Observer.
func (q *conversions) report(ctx context.Context) {
	if q != nil && q.failed.Load() > 0 && q.failed.Swap(0) > 0 {
		lapsed(ctx, observe.LapseGuardCount)
	}
}

// conversion is a code verified for key at the time at.
type conversion struct {
	key limiter.GuardKey
	at  time.Time
}

// add queues key's conversion at the time at, or writes it in the call
// when the queue is full or closed.
func (q *conversions) add(ctx context.Context, key limiter.GuardKey, at time.Time) error {
	q.mu.Lock()
	if q.closed || len(q.pending) >= maxQueued {
		q.mu.Unlock()
		return q.counts.Verified(ctx, key, at)
	}
	q.pending = append(q.pending, conversion{key, at})
	q.unwritten.Add(1)
	start := !q.running
	if start {
		q.running = true
		q.idle.Add(1)
	}
	q.mu.Unlock()
	if start {
		// The writer's work belongs to no request: a context of its
		// own (the Limiter bounds its calls).
		go q.run(context.Background())
	}
	return nil
}

// run writes batches until the queue is empty.
func (q *conversions) run(ctx context.Context) {
	defer q.idle.Done()
	for {
		if !q.drain(ctx, true) {
			return
		}
	}
}

// drain writes what is queued, in one batch, and reports whether it wrote
// any; with last, an empty queue ends the writer. A failed write is
// counted, for report: a lost conversion only makes the guard stricter.
func (q *conversions) drain(ctx context.Context, last bool) bool {
	q.write.Lock()
	defer q.write.Unlock()
	q.mu.Lock()
	batch := q.pending
	q.pending = nil
	if len(batch) == 0 && last {
		q.running = false
	}
	q.mu.Unlock()
	for _, c := range batch {
		if q.counts.Verified(ctx, c.key, c.at) != nil {
			q.failed.Add(1)
		}
		q.unwritten.Add(-1)
	}
	return len(batch) > 0
}

// flush writes what is queued, and waits for a batch being written, when
// there is any.
func (q *conversions) flush(ctx context.Context) {
	if q != nil && q.unwritten.Load() > 0 {
		q.drain(context.WithoutCancel(ctx), false)
	}
}

// close writes what is queued and waits for the writer; later conversions
// are written in their call.
func (q *conversions) close() {
	if q == nil {
		return
	}
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.idle.Wait()
	q.flush(context.Background())
}

// Flush writes the pumping guard's conversions still queued to the
// Limiter (a right SMS code's count is written just after Verify returns,
// off its critical path) and returns when they are written. Close does it
// too. A host hands over to another instance, or a test compares two
// instances, after Flush; between instances that run on, a conversion
// reaches the other about a round trip after its Verify.
func (v *Verifier) Flush(ctx context.Context) {
	v.guard.queue.flush(ctx)
}

// prefix is c's guard prefix: "+", the calling code and PrefixDigits
// national digits (fewer for a shorter number).
func (g *guard) prefix(c contact.Contact) string {
	cc := len(strconv.Itoa(c.CallingCode))
	return c.Value[:min(len(c.Value), 1+cc+g.cfg.PrefixDigits)]
}

func pinned(list []string, number string) bool {
	for _, p := range list {
		if strings.HasPrefix(number, p) {
			return true
		}
	}
	return false
}

// judges reports whether the guard judges SMS sends to c (on, and c not
// pinned by Allow); ErrPumping when Block pins c.
func (g *guard) judges(c contact.Contact) (bool, error) {
	if pinned(g.cfg.Block, c.Value) {
		return false, ErrPumping
	}
	return g.counts != nil && !pinned(g.cfg.Allow, c.Value), nil
}

// key is the guard's key of c's prefix and region: HMACs, like every limit
// key.
// The contact's key names it on the guard's safe list.
func (v *Verifier) guardKey(c contact.Contact) limiter.GuardKey {
	return limiter.GuardKey{Region: v.limitKey("grgn", c.Region), Prefix: v.limitKey("gpfx", v.guard.prefix(c)), Contact: v.safeListKey(c)}
}

// safeListKey is the contact's key on the guard's safe list, or empty
// (no safe list) unless Guard.SafeList is on.
func (v *Verifier) safeListKey(c contact.Contact) string {
	if !v.guard.cfg.SafeList {
		return ""
	}
	return v.limitKey("gcon", c.Value)
}

// blocked is what a send tells the Observer of a block it started.
type blocked struct{ prefix, region string }

// refusal turns the guard's refusal d of a send to c into ErrPumping and
// the block it started, if any.
func (v *Verifier) refusal(d limiter.SendDecision, c contact.Contact) (blocked, error) {
	var b blocked
	switch {
	case !d.Started:
	case d.Guard == limiter.GuardRefusePrefix:
		b.prefix = v.guard.prefix(c)
	case d.Guard == limiter.GuardRefuseRegion:
		b.region = c.Region
	}
	return b, ErrPumping
}

// guardVerified counts a verified code for c's prefix, and puts c on its
// region's safe list; on a remote Limiter, by queueing it (conversions).
// It is best effort: the code is consumed, and a verify that failed to be
// counted only makes its prefix look less converting.
func (v *Verifier) guardVerified(ctx context.Context, c contact.Contact) error {
	if c.Kind != contact.Phone {
		return nil
	}
	if judged, _ := v.guard.judges(c); !judged {
		return nil
	}
	var err error
	if q := v.guard.queue; q != nil {
		err = q.add(ctx, v.guardKey(c), v.cfg.now())
	} else {
		err = v.guard.counts.Verified(ctx, v.guardKey(c), time.Time{})
	}
	if err != nil {
		return backendErr("limiter", err)
	}
	return nil
}
