package verifier

import (
	"hash/maphash"
	"strings"
	"sync"

	"github.com/vcodekit/vcode/contact"
)

// defaultContactCache is how many parsed contacts a Verifier remembers
// unless WithContactCache says otherwise.
const defaultContactCache = 100_000

// contactCache remembers parsed contacts, because parsing a phone number is
// by far the largest cost of a request (phonenumbers takes some 16 µs).
//
// It is bounded and admits a contact only when a code was sent to it: the
// verify path, where an attacker can try any number of contacts, only
// reads. An attacker can therefore add entries no faster than the send
// quotas allow, and an evicted contact is merely parsed again. A cached
// entry is exactly what Parse returned for the same raw input and country.
//
// Entries are kept per subject: a hit is faster than a parse, so a cache
// shared by all subjects would tell one subject, by the time a verify
// takes, whether anyone else was ever sent a code for that contact
// (TestNoCrossSubjectTiming). A subject only ever hits what its own sends
// put there.
//
// Each shard keeps two generations of at most half its share: new entries
// go into the current one, and when it is full it becomes the previous one
// and the previous one is dropped whole. Nothing is ever deleted from a Go
// map: evicting an arbitrary entry before each insert would keep the maps
// growing under churn, however few entries they held
// (TestContactCacheBounded).
type contactCache struct {
	seed   maphash.Seed
	perGen int
	shards [cacheShards]cacheShard
}

const cacheShards = 64

// cacheShard's maps are made on the first admit: a Verifier that never
// sends (or a test suite making many) allocates nothing for the cache.
type cacheShard struct {
	mu        sync.RWMutex
	cur, prev map[cacheKey]contact.Contact
}

type cacheKey struct{ subject, raw, country string }

func newContactCache(size int) *contactCache {
	if size <= 0 {
		return nil
	}
	return &contactCache{seed: maphash.MakeSeed(), perGen: max(size/cacheShards/2, 1)}
}

func (c *contactCache) shard(subject, raw string) *cacheShard {
	var h maphash.Hash
	h.SetSeed(c.seed)
	h.WriteString(subject)
	h.WriteByte(0)
	h.WriteString(raw)
	return &c.shards[h.Sum64()%cacheShards]
}

// parse returns the contact cached for subject, raw and country, or parses
// it, reading a national number without a country in defaultCountry.
func (c *contactCache) parse(subject, raw, country, defaultCountry string) (contact.Contact, error) {
	if c != nil {
		s := c.shard(subject, raw)
		k := cacheKey{subject, raw, country}
		s.mu.RLock()
		e, ok := s.cur[k]
		if !ok {
			e, ok = s.prev[k]
		}
		s.mu.RUnlock()
		if ok {
			return e, nil
		}
	}
	return contact.ParseIn(raw, country, defaultCountry)
}

// admit remembers, for subject, a contact that it sent a code to. A
// contact found only in the previous generation moves to the current one,
// so that contacts in use stay.
func (c *contactCache) admit(subject, raw, country string, ct contact.Contact) {
	if c == nil {
		return
	}
	s := c.shard(subject, raw)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.cur[cacheKey{subject, raw, country}]; ok {
		return
	}
	if s.cur == nil || len(s.cur) >= c.perGen {
		s.prev, s.cur = s.cur, make(map[cacheKey]contact.Contact, c.perGen)
	}
	s.cur[cacheKey{strings.Clone(subject), strings.Clone(raw), strings.Clone(country)}] = ct
}

func (s *cacheShard) len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.cur) + len(s.prev)
}
