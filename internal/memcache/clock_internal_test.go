package memcache

import (
	"testing"
	"time"

	"github.com/vcodekit/vcode/internal/clock"
)

// TestInjectedClockAlone: under SetClock's clock, that clock alone decides
// expiry. The clock runs a year behind real time, so an entry it gives a
// minute is, by go-cache's own view (Item.Expired, by time.Now), long
// expired: it is still found and survives sweeps until the clock passes
// its minute, and is then not found and swept. An entry without expiry
// stays.
func TestInjectedClockAlone(t *testing.T) {
	c := clock.NewManual(time.Now().Add(-365 * 24 * time.Hour))
	type owner struct{ mem Lazy }
	o := &owner{}
	o.mem.SetClock(c.Now)
	o.mem.Close() // no sweeper: this test sweeps
	Init(&o.mem, o)
	sweepAll := func() {
		for i := range o.mem.NumShards() {
			o.mem.Sweep(i)
		}
	}
	get := func(k string) bool {
		sh := o.mem.Shard(k)
		sh.Lock()
		defer sh.Unlock()
		_, ok := sh.Get(k)
		return ok
	}
	sh := o.mem.Shard("k")
	sh.Lock()
	sh.Set("k", 1, time.Minute)
	it := sh.items["k"]
	sh.Unlock()
	f := o.mem.Shard("forever")
	f.Lock()
	f.Set("forever", 2, 0)
	f.Unlock()
	if want := c.Now().Add(time.Minute).UnixNano(); it.Expiration != want || !it.Expired() {
		t.Fatalf("Expiration %d, want %d by the clock (expired by time.Now: %v)", it.Expiration, want, it.Expired())
	}

	steps := []struct {
		advance   time.Duration
		found     bool // "k" after the move
		heldAfter int  // entries after a full sweep
	}{
		{0, true, 2},
		{59 * time.Second, true, 2},
		{time.Second, true, 2}, // at its deadline, as go-cache's "now > Expiration"
		{time.Nanosecond, false, 1},
	}
	for i, s := range steps {
		c.Advance(s.advance)
		if got := get("k"); got != s.found {
			t.Fatalf("step %d: found %v, want %v", i, got, s.found)
		}
		if got := o.mem.Len(); got != 2 {
			t.Fatalf("step %d: %d entries held before the sweep", i, got)
		}
		sweepAll()
		if got := o.mem.Len(); got != s.heldAfter || !get("forever") {
			t.Fatalf("step %d: %d entries after the sweep, want %d (forever kept: %v)", i, got, s.heldAfter, get("forever"))
		}
	}
}

// TestDefaultClockIsGoCaches: without SetClock the shards judge expiry by
// go-cache's own Item.Expired and sweep with its DeleteExpired, so that
// the default case keeps go-cache's expiry.
func TestDefaultClockIsGoCaches(t *testing.T) {
	type owner struct{ mem Lazy }
	o := &owner{}
	o.mem.Close()
	Init(&o.mem, o)
	for i := range o.mem.NumShards() {
		if o.mem.shards[i].now != nil {
			t.Fatalf("shard %d has a clock of its own", i)
		}
	}
	sh := o.mem.Shard("k")
	sh.Lock()
	sh.Set("k", 1, time.Hour)
	it := sh.items["k"]
	sh.Unlock()
	if d := time.Until(time.Unix(0, it.Expiration)); it.Expired() || d <= 59*time.Minute || d > time.Hour {
		t.Fatalf("Expiration %v from now", d)
	}
}

// deadlines is a Packed of bare deadlines, for the tests.
type deadlines map[int64]struct{}

func (d deadlines) Sweep(now int64) {
	for exp := range d {
		if now > exp {
			delete(d, exp)
		}
	}
}

func (d deadlines) Len() int { return len(d) }

// TestPackedSweptByTheShardClock: a shard's packed entries are counted
// by Len and swept with its go-cache items, by the same clock: an
// injected one when set (running a year behind real time here, so
// time.Now would sweep everything), time.Now otherwise.
func TestPackedSweptByTheShardClock(t *testing.T) {
	for _, injected := range []bool{true, false} {
		c := clock.NewManual(time.Now().Add(-365 * 24 * time.Hour))
		type owner struct{ mem Lazy }
		o := &owner{}
		now := time.Now
		if injected {
			o.mem.SetClock(c.Now)
			now = c.Now
		}
		o.mem.SetPacked(func() Packed { return deadlines{} })
		o.mem.Close() // no sweeper: this test sweeps
		Init(&o.mem, o)
		base := now().UnixNano()
		for i := range o.mem.NumShards() {
			sh := &o.mem.shards[i]
			sh.Lock()
			d := sh.Packed().(deadlines)
			d[base+int64(i)*2+int64(time.Hour)] = struct{}{} // an hour to go
			d[base-int64(i)-1] = struct{}{}                  // past
			sh.Unlock()
		}
		if got, want := o.mem.Len(), 2*o.mem.NumShards(); got != want {
			t.Fatalf("injected clock %v: Len %d, want %d", injected, got, want)
		}
		for i := range o.mem.NumShards() {
			o.mem.Sweep(i)
		}
		if got, want := o.mem.Len(), o.mem.NumShards(); got != want {
			t.Fatalf("injected clock %v: %d packed entries after a sweep, want %d", injected, got, want)
		}
		if injected {
			c.Advance(time.Hour + time.Duration(2*o.mem.NumShards()))
			for i := range o.mem.NumShards() {
				o.mem.Sweep(i)
			}
			if got := o.mem.Len(); got != 0 {
				t.Fatalf("the clock passed every deadline: %d packed entries after a sweep", got)
			}
		}
	}
}
