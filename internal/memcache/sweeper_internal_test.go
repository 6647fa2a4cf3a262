package memcache

import (
	"fmt"
	"testing"
	"time"
	"unsafe"

	"github.com/patrickmn/go-cache"
)

// TestSweeperReclaims: the sweeper deletes the expired entries of every
// shard in turn, as go-cache's janitor did for its one map, and stop ends
// it.
func TestSweeperReclaims(t *testing.T) {
	shards := make([]Shard, 4)
	for i := range shards {
		shards[i].Cache = *cache.New(cache.NoExpiration, 0)
		shards[i].Set("old", 1, time.Nanosecond)
		shards[i].Set("live", 2, time.Hour)
	}
	count := func() int {
		n := 0
		for i := range shards {
			n += shards[i].ItemCount()
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
		if _, ok := shards[i].Get("live"); !ok || shards[i].ItemCount() != 1 {
			t.Fatalf("after sweeping, shard %d: %d items, live kept: %v", i, shards[i].ItemCount(), ok)
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
		o.mem.Shard(k).Set(k, i, time.Nanosecond)
	}
	lo, hi := n, 0
	for i := range o.mem.shards {
		c := o.mem.shards[i].ItemCount()
		lo, hi = min(lo, c), max(hi, c)
	}
	if o.mem.Len() != n || lo < 50 || hi > 150 {
		t.Fatalf("%d keys in %d shards: %d to %d a shard", o.mem.Len(), Shards, lo, hi)
	}
	time.Sleep(time.Millisecond)
	before := o.mem.shards[1].ItemCount()
	o.mem.Sweep(0)
	if o.mem.shards[0].ItemCount() != 0 || o.mem.shards[1].ItemCount() != before {
		t.Fatalf("Sweep(0) left %d in shard 0 and %d of %d in shard 1",
			o.mem.shards[0].ItemCount(), o.mem.shards[1].ItemCount(), before)
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
