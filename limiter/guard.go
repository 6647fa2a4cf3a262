package limiter

import (
	"context"
	"errors"
	"time"
)

// The pumping guard's primitive: counts of sends and verified codes per
// destination prefix and per region, kept by the limiter, and a send
// decided and recorded in one atomic step with its limits.
//
// The decision is made where the counts are kept, not by the caller
// between two round trips: a decision made on counts read in one call and
// recorded in another lets concurrent sends all judge the same stale
// counts (the race the first guard had). So Allowance.Decide is the rule,
// a pure function, and every GuardLimiter applies it to its counts inside
// the call that records the send (redislimiter: in the same Lua script),
// so that N concurrent sends are decided as N sends one after another
// would be, and a send refused, by a limit or by the guard, is never
// counted, not even for a moment.

// GuardKey names a destination prefix and its region for the guard's
// counts. Both are opaque keys (the verifier passes HMACs). A region's
// counts and all its prefixes' are decided together: on Redis Cluster they
// share the region's hash slot.
//
// Contact, when set, names the destination itself (an opaque key too),
// for the guard's safe list: Verified marks it, and a send to a marked
// contact passes a spent allowance once (see GuardSend). On Redis Cluster
// the mark lives in the region's hash slot as well.
type GuardKey struct {
	Region, Prefix, Contact string
}

// GuardSafeFor is how long a contact's verified code keeps it on the
// guard's safe list: a mark older than that is gone.
const GuardSafeFor = 30 * 24 * time.Hour

// Allowance is the rule a send to a prefix is judged by. A prefix may
// have at most Base unverified sends in a day beyond what its verified
// codes earn: its first Knee codes verified on a usual day earn Low
// unverified sends per Per codes, each one beyond High per Per (rounded
// down; a zero Per is 1). A usual day is the
// last 24 hours, or the average day of the last 30 (of the days since the
// prefix was first counted, when fewer) when that is more, so that a
// prefix whose real users are being refused keeps its allowance for
// weeks, not a day. A send beyond what the prefix earned needs room in
// its region too: the region's unverified sends may be at most RegionBase
// plus RegionRate per Per codes the region verifies on a usual day. Base and
// RegionBase are halved for each of the last seven days on which the
// prefix (or the region) refused a send while it had verified no code in
// the last 24 hours, to a quarter at most: what does not convert gets
// less each day it is refused, and real users near their allowance do
// not lose their base to a refusal.
//
// So a prefix that never converts gets at most Base SMS in a day's
// window (23 to 24 hours of hour buckets: at most twice Base in any
// rolling 24 hours), however its sends are timed, and a region
// RegionBase; a busy prefix of
// real users has room for High/Per unverified sends per verified code,
// which is what an attacker must fill, with SMS that are delivered, to
// have its real users refused; and a quiet one little more than Base, for
// an attacker to take.
type Allowance struct {
	Base, Knee, Low, High, Per, RegionBase, RegionRate int
}

// maxAllowance bounds each field, so that no sum overflows a Lua double's
// exact integers.
const maxAllowance = 1 << 20

// ErrInvalidAllowance is returned for an Allowance with a field outside
// 0 to 2^20.
var ErrInvalidAllowance = errors.New("limiter: invalid allowance")

// Check returns ErrInvalidAllowance unless every field is within 0 to
// 2^20.
func (a Allowance) Check() error {
	for _, n := range [...]int{a.Base, a.Knee, a.Low, a.High, a.Per, a.RegionBase, a.RegionRate} {
		if n < 0 || n > maxAllowance {
			return ErrInvalidAllowance
		}
	}
	return nil
}

// GuardCounts are the counts of a prefix or a region that Decide judges.
// A GuardLimiter keeps them in buckets of the limiter's clock (UTC): an
// event counts in the last day from the start of its hour until 24 hours
// after that (so for 23 to 24 hours), in the last 30 days from the start
// of its day for 30 days, and a day with a refusal (with no code verified
// in the 24 hours before it) is a strike for 7 days from its start.
type GuardCounts struct {
	Sent     int // sends in the last day, the one judged included
	Verified int // codes verified in the last day
	Month    int // codes verified in the last 30 days
	// Days is how many of those 30 days the prefix (or region) has been
	// counted, today included: 1 on the day of its first count, at most
	// 30. Zero stands for 30. Its history starts again with a count when
	// nothing else counts (no send of the last day, no verified code of
	// the last 30 days, no strike of the last 7).
	Days    int
	Strikes int // days of the last 7 on which a send was refused with no code verified
}

// GuardVerdict is what Decide says of a send.
type GuardVerdict uint8

// The verdicts.
const (
	// GuardAllow: the send is within its prefix's allowance (and, when
	// the prefix did not earn it, its region's).
	GuardAllow GuardVerdict = iota
	// GuardRefusePrefix: the prefix has spent its allowance.
	GuardRefusePrefix
	// GuardRefuseRegion: the prefix has not earned the send, and its
	// region has spent its allowance.
	GuardRefuseRegion
)

// Decide judges a send by the counts of its prefix and its region, the
// send included in both Sent. A trusted send (one the host vouches for) is
// always allowed. Decide is monotone: more sends, or more strikes, never
// make it more permissive, and more verified codes never less.
func (a Allowance) Decide(prefix, region GuardCounts, trusted bool) GuardVerdict {
	if trusted {
		return GuardAllow
	}
	unverified := max(0, prefix.Sent-prefix.Verified)
	earned := a.earned(usual(prefix))
	switch {
	case unverified <= earned:
		return GuardAllow
	case unverified > earned+struck(a.Base, prefix.Strikes):
		return GuardRefusePrefix
	case max(0, region.Sent-region.Verified) > a.RegionRate*usual(region)/a.per()+struck(a.RegionBase, region.Strikes):
		return GuardRefuseRegion
	}
	return GuardAllow
}

// earned is the unverified sends that v verified codes on a usual day earn.
func (a Allowance) earned(v int) int {
	return (a.Low*min(v, a.Knee) + a.High*max(0, v-a.Knee)) / a.per()
}

func (a Allowance) per() int {
	if a.Per == 0 {
		return 1
	}
	return a.Per
}

// usual is the verified codes of a usual day: the last one, or the
// average of the days counted when more.
func usual(c GuardCounts) int {
	days := c.Days
	if days <= 0 || days > GuardMonthDays {
		days = GuardMonthDays
	}
	return max(c.Verified, c.Month/days)
}

// struck is base halved for each strike, to a quarter at most.
func struck(base, strikes int) int { return base >> min(max(strikes, 0), 2) }

// The guard's windows, in the buckets GuardCounts describes.
const (
	GuardDayHours  = 24 // hour buckets in the last day
	GuardMonthDays = 30 // day buckets of verified codes
	GuardWeekDays  = 7  // day buckets of strikes
	// GuardQuiet is how long a prefix or region must have gone without a
	// refusal for its next one to start a block (SendDecision.Started).
	GuardQuiet = time.Hour
)

// GuardSend is one send for AllowSend to judge: its prefix and region, the
// rule, and whether the host vouches for it (Trusted: allowed whatever the
// counts, and counted).
//
// When Key.Contact is set, the guard's safe list applies: a contact whose
// most recent code was verified (Verified with its Contact, within
// GuardSafeFor) passes a spent prefix or region allowance once. Every send
// allowed to the contact, by its allowance or by the safe list, takes its
// mark away, in the same atomic step: to pass again, the number must
// verify again. So a campaign's numbers, which never verify, never pass,
// and each pass a number gets costs a verified code. A send that passed is
// counted like any other.
type GuardSend struct {
	Key       GuardKey
	Allowance Allowance
	Trusted   bool
}

// SendDecision is AllowSend's answer.
type SendDecision struct {
	// Refused is the index of the first request that refused its event,
	// or -1 when every request allowed it.
	Refused int
	// Guard is the guard's verdict when Refused is -1; the zero value,
	// GuardAllow, otherwise.
	Guard GuardVerdict
	// Started reports, on a refusal by the guard, that the refusing
	// prefix (or region) had no refusal in the GuardQuiet before: the
	// start of a block, which a host logs once.
	Started bool
	// At is the time the send was recorded at, when it was allowed: pass
	// it to ReleaseSend to take the send back.
	At time.Time
	// Safe reports that the send was allowed by the safe list: its
	// allowance was spent (Guard is GuardAllow all the same), and its
	// contact's mark was taken.
	Safe bool
}

// GuardLimiter is a BatchLimiter that also keeps the pumping guard's
// counts and judges sends by them. Memory and redislimiter implement it,
// and limitertest checks it.
type GuardLimiter interface {
	BatchLimiter

	// AllowSend takes the events of reqs as AllowAll does and, when
	// every request allowed its event, judges s by s.Allowance.Decide on
	// its prefix's and region's counts with s included, and records s in
	// both when allowed. All or nothing: when a request refuses, s is not
	// judged; when the guard refuses, the requests' events are given back
	// and s is not recorded either. The guard's step is atomic per
	// region: N concurrent sends to a region are decided as the same
	// sends one after another. On a single Redis node the requests and
	// the guard are one script; on Redis Cluster the requests come first
	// (one pipeline), then the guard (one script in the region's slot),
	// and on the guard's refusal a third round trip gives back the
	// requests' events.
	//
	// decisions[:len(reqs)] receives the requests' decisions as AllowAll
	// writes them, cleared when the guard refuses. A refusal by the
	// guard marks a strike for the refusing prefix or region when it
	// verified no code in the last day (GuardCounts). An error
	// means the limiter could not answer; what it knows it took is given
	// back. Invalid rules or allowance, and short decisions, are errors
	// with nothing recorded.
	AllowSend(ctx context.Context, reqs []Request, s GuardSend, decisions []Decision) (SendDecision, error)

	// ReleaseSend takes back a send AllowSend recorded at the time at,
	// from its prefix's and region's counts, for a send that certainly did
	// not leave. Releasing a send no longer counted is not an error.
	ReleaseSend(ctx context.Context, key GuardKey, at time.Time) error

	// Verified counts a code verified at the time at (the zero time: now,
	// on the limiter's clock) for key's prefix and region and, when
	// key.Contact is set, marks the contact safe for GuardSafeFor from
	// then (see GuardSend), in one atomic step. A time before the newest
	// the region holds counts at that newest, as every event does.
	Verified(ctx context.Context, key GuardKey, at time.Time) error
}

// CheckSend returns ErrShortDecisions, ErrInvalidRule or
// ErrInvalidAllowance when AllowSend must refuse its arguments, for
// implementations.
func CheckSend(reqs []Request, s GuardSend, decisions []Decision) error {
	if err := CheckRequests(reqs, decisions); err != nil {
		return err
	}
	return s.Allowance.Check()
}
