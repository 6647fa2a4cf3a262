package memcache

import (
	"fmt"
	"testing"
	"time"
	"unsafe"

	"github.com/patrickmn/go-cache"
)

// TestSweeperReclaims: the sweeper deletes the expired entries of every
// shard in turn, as go-cache's janitor does for its one map, and stop ends
// it.
func TestSweeperReclaims(t *testing.T) {
	shards := make([]Shard, 4)
	for i := range shards {
		shards[i] = newShard(nil, nil)
		shards[i].Lock()
		shards[i].Set("old", 1, time.Nanosecond)
		shards[i].Set("live", 2, time.Hour)
		shards[i].Unlock()
	}
	count := func() int {
		n := 0
		for i := range shards {
			n += shards[i].count()
		}
		return n
	}
	s := startSweeper(shards, 4*time.Millisecond) // a shard a millisecond
	deadline := time.Now().Add(2 * time.Second)
	for count() != len(shards) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	s.stop()
	s.stop()
	<-s.done
	for i := range shards {
		if _, ok := shards[i].Get("live"); !ok || shards[i].count() != 1 {
			t.Fatalf("after sweeping, shard %d: %d items, live kept: %v", i, shards[i].count(), ok)
		}
	}
}

// TestShardsSpreadKeys: keys spread over all the shards, each found in the
// one Shard names; Sweep reclaims one shard's expired entries only.
func TestShardsSpreadKeys(t *testing.T) {
	type owner struct{ mem Lazy }
	o := &owner{}
	o.mem.Close() // no sweeper: this test sweeps
	Init(&o.mem, o)
	if o.mem.NumShards() != Shards {
		t.Fatalf("%d shards", o.mem.NumShards())
	}
	const n = 100 * Shards
	for i := range n {
		k := fmt.Sprint("key-", i)
		sh := o.mem.Shard(k)
		sh.Lock()
		sh.Set(k, i, time.Nanosecond)
		sh.Unlock()
	}
	lo, hi := n, 0
	for i := range o.mem.shards {
		c := o.mem.shards[i].count()
		lo, hi = min(lo, c), max(hi, c)
	}
	if o.mem.Len() != n || lo < 50 || hi > 150 {
		t.Fatalf("%d keys in %d shards: %d to %d a shard", o.mem.Len(), Shards, lo, hi)
	}
	time.Sleep(time.Millisecond)
	before := o.mem.shards[1].count()
	o.mem.Sweep(0)
	if o.mem.shards[0].count() != 0 || o.mem.shards[1].count() != before {
		t.Fatalf("Sweep(0) left %d in shard 0 and %d of %d in shard 1",
			o.mem.shards[0].count(), o.mem.shards[1].count(), before)
	}
}

// TestExpiry: go-cache's expiry decides. An item past its Expiration is
// not found but still held until a sweep, which go-cache's DeleteExpired
// does; an unexpired one, and one set with no expiry, stay.
func TestExpiry(t *testing.T) {
	sh := newShard(nil, nil)
	sh.Lock()
	defer sh.Unlock()
	sh.Set("live", 1, time.Hour)
	sh.Set("forever", 2, 0)
	sh.items["dead"] = cache.Item{Object: 3, Expiration: time.Now().Add(-time.Second).UnixNano()}
	if sh.items["forever"].Expiration != 0 || sh.items["live"].Expiration <= time.Now().UnixNano() {
		t.Fatalf("Set's expirations: %+v", sh.items)
	}
	if _, ok := sh.Get("dead"); ok {
		t.Fatal("an expired item was found")
	}
	if len(sh.items) != 3 {
		t.Fatalf("%d items before the sweep", len(sh.items))
	}
	sh.c.DeleteExpired() // what sweep does, under the mutex held here
	_, dead := sh.items["dead"]
	live, ok1 := sh.Get("live")
	forever, ok2 := sh.Get("forever")
	if dead || !ok1 || !ok2 || live != 1 || forever != 2 || len(sh.items) != 2 {
		t.Fatalf("after the sweep: %+v", sh.items)
	}
	sh.Delete("live")
	if _, ok := sh.Get("live"); ok || sh.c.ItemCount() != 1 {
		t.Fatalf("after Delete: %+v", sh.items)
	}
}

// TestSetShards: one shard is go-cache's single map; a count not a power
// of two is refused.
func TestSetShards(t *testing.T) {
	type owner struct{ mem Lazy }
	o := &owner{}
	o.mem.SetShards(1)
	o.mem.Close()
	Init(&o.mem, o)
	if o.mem.NumShards() != 1 || o.mem.Shard("a") != o.mem.Shard("b") {
		t.Fatalf("SetShards(1) made %d shards", o.mem.NumShards())
	}
	defer func() {
		if recover() == nil {
			t.Fatal("SetShards(3) did not panic")
		}
	}()
	new(Lazy).SetShards(3)
}

// TestShardIsACacheLine: shards do not share a cache line.
func TestShardIsACacheLine(t *testing.T) {
	if got := unsafe.Sizeof(Shard{}); got != cacheLine {
		t.Fatalf("a Shard is %d bytes", got)
	}
}
