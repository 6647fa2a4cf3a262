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
