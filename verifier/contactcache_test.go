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
		c.admit("alice", raw, "", contact.Contact{Kind: contact.Phone, Value: raw, Region: "CN", CallingCode: 86}, "verify:"+raw)
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

// TestContactCacheHits: an admitted contact is returned as admitted, with
// its verify key, to the subject that admitted it; another subject or
// another country is another entry; an evicted one is
// parsed again, with no key.
func TestContactCacheHits(t *testing.T) {
	c := newContactCache(64)
	ct, err := contact.Parse("+8613612345678", "")
	if err != nil {
		t.Fatal(err)
	}
	c.admit("alice", "+8613612345678", "", ct, "key")
	if got, key, err := c.parse("alice", "+8613612345678", ""); err != nil || got != ct || key != "key" {
		t.Fatalf("hit: %v %q %v", got, key, err)
	}
	if got, key, err := c.parse("alice", "+8613612345678", "chinaPR"); err != nil || got != ct || key != "" {
		t.Fatalf("another country: %v %q %v, want a parse and no key", got, key, err)
	}
	if got, key, err := c.parse("bob", "+8613612345678", ""); err != nil || got != ct || key != "" {
		t.Fatalf("another subject: %v %q %v, want a parse and no key", got, key, err)
	}
	admitN(c, 0, 64*64) // evicts everything admitted before
	if got, key, err := c.parse("alice", "+8613612345678", ""); err != nil || got != ct || key != "" {
		t.Fatalf("after eviction: %v %q %v, want a parse and no key", got, key, err)
	}
	var off *contactCache // WithContactCache(0)
	off.admit("alice", "+8613612345678", "", ct, "key")
	if got, key, err := off.parse("alice", "+8613612345678", ""); err != nil || got != ct || key != "" {
		t.Fatalf("no cache: %v %q %v", got, key, err)
	}
}
