package verifier

import (
	"runtime"
	"strconv"
	"testing"

	"github.com/vcodekit/vcode/contact"
)

func admitN(c *contactCache, from, to int) {
	for i := from; i < to; i++ {
		raw := "+86136" + strconv.Itoa(10_000_000+i)
		c.admit("alice", raw, "", contact.Contact{Kind: contact.Phone, Value: raw, Region: "CN", CallingCode: 86})
	}
}

func (c *contactCache) entries() int {
	n := 0
	for i := range c.shards {
		n += c.shards[i].len()
	}
	return n
}

func heapAfterGC() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestContactCacheBounded: however many contacts are admitted, the cache
// holds at most its size, and its memory stops growing once it is full:
// churn (an attacker sending to ever new numbers, or months of ordinary
// traffic) must not inflate it.
func TestContactCacheBounded(t *testing.T) {
	const size = 64 * 200
	c := newContactCache(size)
	admitN(c, 0, 4*size)
	if n := c.entries(); n > size || n < size/2 {
		t.Fatalf("%d entries after %d admits, size %d", n, 4*size, size)
	}
	full := heapAfterGC()
	admitN(c, 4*size, 200*size)
	if n := c.entries(); n > size {
		t.Fatalf("%d entries, over the size %d", n, size)
	}
	churned := heapAfterGC()
	runtime.KeepAlive(c)
	if churned > full+full/4 {
		t.Fatalf("heap %d bytes when full, %d after %d more admits: the cache grows under churn", full, churned, 196*size)
	}
	t.Logf("heap %d bytes when full, %d after churn", full, churned)
}

// TestContactCacheHits: an admitted contact is returned as admitted, to
// the subject that admitted it; another subject or
// another country is another entry; an evicted one is
// parsed again, with no key.
func TestContactCacheHits(t *testing.T) {
	c := newContactCache(64)
	ct, err := contact.Parse("+8613612345678", "")
	if err != nil {
		t.Fatal(err)
	}
	c.admit("alice", "+8613612345678", "", ct)
	if got, err := c.parse("alice", "+8613612345678", "", contact.DefaultCountry); err != nil || got != ct || c.hits(t, "alice", "+8613612345678", "") != 1 {
		t.Fatalf("hit: %v %v", got, err)
	}
	if got, err := c.parse("alice", "+8613612345678", "chinaPR", contact.DefaultCountry); err != nil || got != ct || c.hits(t, "alice", "+8613612345678", "chinaPR") != 0 {
		t.Fatalf("another country: %v %v, want a parse", got, err)
	}
	if got, err := c.parse("bob", "+8613612345678", "", contact.DefaultCountry); err != nil || got != ct || c.hits(t, "bob", "+8613612345678", "") != 0 {
		t.Fatalf("another subject: %v %v, want a parse", got, err)
	}
	admitN(c, 0, 64*64) // evicts everything admitted before
	if got, err := c.parse("alice", "+8613612345678", "", contact.DefaultCountry); err != nil || got != ct || c.hits(t, "alice", "+8613612345678", "") != 0 {
		t.Fatalf("after eviction: %v %v, want a parse", got, err)
	}
	var off *contactCache // WithContactCache(0)
	off.admit("alice", "+8613612345678", "", ct)
	if got, err := off.parse("alice", "+8613612345678", "", contact.DefaultCountry); err != nil || got != ct || off.hits(t, "alice", "+8613612345678", "") != 0 {
		t.Fatalf("no cache: %v %v, want a parse", got, err)
	}
}

// hits reports whether the cache holds subject's entry for raw and country
// (1) or not (0).
func (c *contactCache) hits(t *testing.T, subject, raw, country string) int {
	t.Helper()
	if c == nil {
		return 0
	}
	s := c.shard(subject, raw)
	s.mu.RLock()
	defer s.mu.RUnlock()
	k := cacheKey{subject, raw, country}
	if _, ok := s.cur[k]; ok {
		return 1
	}
	if _, ok := s.prev[k]; ok {
		return 1
	}
	return 0
}

// TestContactCacheLazy: a new cache allocates nothing per shard until the
// first admit.
func TestContactCacheLazy(t *testing.T) {
	c := newContactCache(defaultContactCache)
	for i := range c.shards {
		if c.shards[i].cur != nil || c.shards[i].prev != nil {
			t.Fatalf("shard %d allocated before any admit", i)
		}
	}
	allocs := testing.AllocsPerRun(10, func() { newContactCache(defaultContactCache) })
	if allocs > 2 {
		t.Fatalf("newContactCache: %v allocations, want the struct alone", allocs)
	}
}
