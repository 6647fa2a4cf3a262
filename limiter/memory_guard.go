package limiter

import (
	"context"
	"errors"
	"time"

	"github.com/vcodekit/vcode/internal/memcache"
)

var _ GuardLimiter = (*Memory)(nil)

// guardRegion is one region's counts and its prefixes', kept under the
// region's key in shards of their own (apart from the Allow keys) and
// guarded by that key's shard lock, so that a send's decision and its
// record are one step.
type guardRegion struct {
	tally
	prefixes map[string]*tally
	safe     map[string]int64 // the safe list: contact key to its mark's expiry, unix ns
	swept    int32            // the hour of the last drop of prefixes with nothing left
}

// bucket is one hour's or day's count.
type bucket struct{ id, n int32 }

// tally is the counts of a prefix or a region, in rings of buckets: hours
// for the last day, days for the verified codes of the last 30 and the
// strikes of the last 7.
type tally struct {
	sent, verified [GuardDayHours]bucket
	month          [GuardMonthDays]bucket
	strikes        [GuardWeekDays]int32 // day ids with a refusal
	first          int32                // the day of the first count, 0 for none
	refusedAt      int64                // unix ns of the last refusal, 0 for none
	newest         int64                // unix ns of the newest event, for a clock that steps back
}

// hourOf and dayOf are the buckets of t (unix ns).
func hourOf(t int64) int32 { return int32(t / int64(time.Hour)) }
func dayOf(t int64) int32  { return int32(t / int64(24*time.Hour)) }

// add adds n to ring's bucket id, and reports whether it did: a negative
// n only takes from a bucket that still holds something.
func add(ring []bucket, id int32, n int32) bool {
	b := &ring[int(id)%len(ring)]
	if b.id != id {
		if n < 0 || b.id > id {
			return false // the bucket left the window (or a later one holds it)
		}
		*b = bucket{id: id}
	}
	if b.n+n < 0 {
		return false
	}
	b.n += n
	return true
}

// sum counts the buckets of ring from id first on.
func sum(ring []bucket, first int32) int {
	n := 0
	for _, b := range ring {
		if b.id >= first {
			n += int(b.n)
		}
	}
	return n
}

func (t *tally) counts(now int64) GuardCounts {
	h, d := hourOf(now), dayOf(now)
	c := GuardCounts{
		Sent:     sum(t.sent[:], h-GuardDayHours+1),
		Verified: sum(t.verified[:], h-GuardDayHours+1),
		Month:    sum(t.month[:], d-GuardMonthDays+1),
		Days:     1,
	}
	for _, s := range t.strikes {
		if s > 0 && s >= d-GuardWeekDays+1 {
			c.Strikes++
		}
	}
	switch {
	case c.Sent == 0 && c.Verified == 0 && c.Month == 0 && c.Strikes == 0:
		t.first = 0 // a new history starts with the next count
	case t.first > 0:
		c.Days = int(min(max(d-t.first+1, 1), GuardMonthDays))
	}
	return c
}

// counted notes that t counted something on day d.
func (t *tally) counted(d int32) {
	if t.first == 0 {
		t.first = d
	}
}

// refuse marks a refusal at now, a strike when c (t's counts) has no
// verified code, and reports whether it starts a block.
func (t *tally) refuse(now int64, c GuardCounts) bool {
	t.counted(dayOf(now))
	started := t.refusedAt == 0 || now-t.refusedAt >= int64(GuardQuiet)
	t.refusedAt = now
	if c.Verified == 0 {
		d := dayOf(now)
		t.strikes[int(d)%GuardWeekDays] = d
	}
	return started
}

// empty reports whether nothing of t counts at now any more.
func (t *tally) empty(now int64) bool {
	return t.counts(now).Days == 1 && t.first == 0 && now-t.refusedAt >= int64(GuardQuiet)
}

// guardShard returns the shard holding region's counts; its mutex guards
// them and every one of the region's prefixes.
func (m *Memory) guardShard(region string) *memcache.Shard {
	memcache.Init(&m.guard, m)
	return m.guard.Shard(region)
}

// region returns the region's counts in sh, locked by the caller, made
// when absent; and now, not before the newest event the region holds.
func (m *Memory) region(sh *memcache.Shard, key GuardKey) (*guardRegion, int64) {
	k := key.Region
	var g *guardRegion
	if v, ok := sh.Get(k); ok {
		g, _ = v.(*guardRegion)
	}
	if g == nil {
		g = &guardRegion{prefixes: map[string]*tally{}, safe: map[string]int64{}}
	}
	// The counts stay a month after the last write; the sweep drops them
	// after that.
	sh.Set(k, g, (GuardMonthDays+1)*24*time.Hour)
	return g, max(m.now().UnixNano(), g.newest)
}

// prefix returns the prefix's counts in g, made when absent; once an hour
// it drops the prefixes with nothing left to count.
func (g *guardRegion) prefix(p string, now int64) *tally {
	if h := hourOf(now); h != g.swept {
		g.swept = h
		for k, t := range g.prefixes {
			if t.empty(now) {
				delete(g.prefixes, k)
			}
		}
		for k, until := range g.safe {
			if until <= now {
				delete(g.safe, k)
			}
		}
	}
	t := g.prefixes[p]
	if t == nil {
		t = &tally{}
		g.prefixes[p] = t
	}
	return t
}

// AllowSend implements GuardLimiter: AllowAll for reqs, then the guard's
// step under the region's lock; on the guard's refusal the requests'
// events are given back. Like AllowAll, it is atomic per key, not across
// the requests' keys: until that give-back a concurrent call may see, and
// be refused by, their events. The guard's own counts are exact.
func (m *Memory) AllowSend(ctx context.Context, reqs []Request, s GuardSend, decisions []Decision) (SendDecision, error) {
	if err := CheckSend(reqs, s, decisions); err != nil {
		return SendDecision{Refused: -1}, err
	}
	decisions = decisions[:len(reqs)]
	refused, err := m.AllowAll(ctx, reqs, decisions)
	if err != nil || refused >= 0 {
		return SendDecision{Refused: refused}, err
	}
	d := m.judge(s)
	if d.Guard == GuardAllow {
		return d, nil
	}
	var errs []error
	for i := len(reqs) - 1; i >= 0; i-- {
		errs = append(errs, m.Release(ctx, reqs[i].Key, decisions[i].At))
	}
	clear(decisions)
	if err := errors.Join(errs...); err != nil {
		return SendDecision{Refused: -1}, err
	}
	return d, nil
}

// judge decides s and records it, or its refusal, under its region's
// lock.
func (m *Memory) judge(s GuardSend) SendDecision {
	sh := m.guardShard(s.Key.Region)
	sh.Lock()
	defer sh.Unlock()
	g, now := m.region(sh, s.Key)
	p := g.prefix(s.Key.Prefix, now)
	pc, rc := p.counts(now), g.counts(now)
	pc.Sent++
	rc.Sent++
	d := SendDecision{Refused: -1, Guard: s.Allowance.Decide(pc, rc, s.Trusted)}
	if c := s.Key.Contact; c != "" {
		// Any send allowed to the contact takes its mark; a refused one
		// passes on it.
		if until, ok := g.safe[c]; ok && until > now && d.Guard != GuardAllow {
			d.Guard, d.Safe = GuardAllow, true
		}
		if d.Guard == GuardAllow {
			delete(g.safe, c)
		}
	}
	switch d.Guard {
	case GuardAllow:
		h, day := hourOf(now), dayOf(now)
		for _, t := range [...]*tally{p, &g.tally} {
			add(t.sent[:], h, 1)
			t.counted(day)
		}
		g.newest = now
		d.At = time.Unix(0, now)
	case GuardRefusePrefix:
		d.Started = p.refuse(now, pc)
	case GuardRefuseRegion:
		d.Started = g.refuse(now, rc)
	}
	return d
}

// ReleaseSend implements GuardLimiter.
func (m *Memory) ReleaseSend(_ context.Context, key GuardKey, at time.Time) error {
	sh := m.guardShard(key.Region)
	sh.Lock()
	defer sh.Unlock()
	g, now := m.region(sh, key)
	h := hourOf(at.UnixNano())
	if add(g.prefix(key.Prefix, now).sent[:], h, -1) {
		add(g.sent[:], h, -1)
	}
	return nil
}

// Verified implements GuardLimiter.
func (m *Memory) Verified(_ context.Context, key GuardKey, at time.Time) error {
	sh := m.guardShard(key.Region)
	sh.Lock()
	defer sh.Unlock()
	g, now := m.region(sh, key)
	if !at.IsZero() {
		now = max(at.UnixNano(), g.newest)
	}
	h, d := hourOf(now), dayOf(now)
	for _, t := range [...]*tally{&g.tally, g.prefix(key.Prefix, now)} {
		t.counts(now) // ends a history with nothing left
		add(t.verified[:], h, 1)
		add(t.month[:], d, 1)
		t.counted(d)
	}
	if key.Contact != "" {
		g.safe[key.Contact] = now + int64(GuardSafeFor)
	}
	g.newest = now
	return nil
}
