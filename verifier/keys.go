package verifier

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/vcodekit/vcode/contact"
)

// Key derivation: what a code is bound to, the HMACs that stand for codes
// and store keys, and the sealing of a code kept for WithResendSameCode, so
// that no store ever holds a code, a phone number or an address. The limit
// keys are HMACs too, made by limitKey in limits.go with the keyed hashes
// and the domainLimit byte defined here.

// binding is what a code is bound to: purpose, subject and contact.
func (v *Verifier) binding(r Request, c contact.Contact) []byte {
	b := make([]byte, 0, 8+len(r.Purpose)+len(r.Subject)+len(c.Value))
	b = appendField(b, r.Purpose)
	b = appendField(b, r.Subject)
	return appendField(b, c.Value)
}

// storeKey is a 128-bit HMAC of the binding under secret i: enough to make
// collisions between contacts negligible, and no phone number or address
// in the store.
func (v *Verifier) storeKey(i int, binding []byte) string {
	var buf [32]byte
	return string(v.hashes[i].sum(buf[:0], domainKey, binding, "")[:16])
}

func (v *Verifier) digest(i int, binding []byte, code string) []byte {
	return v.hashes[i].sum(make([]byte, 0, 32), domainCode, binding, code)
}

// Domain-separation bytes: a store key, a code digest and a limit key are
// HMACs of different messages even when their inputs coincide.
const (
	domainKey   = 'k'
	domainCode  = 'c'
	domainLimit = 'l'
	domainSeal  = 's'
)

// newSealer returns AES-256-GCM under a key derived from secret, for the
// codes kept for WithResendSameCode.
func newSealer(secret []byte) cipher.AEAD {
	key := newKeyedHash(secret).sum(nil, domainSeal, nil, "")
	block, err := aes.NewCipher(key)
	if err != nil {
		panic(err) // a 32-byte key always makes a cipher
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return aead
}

// seal encrypts code with a random nonce, bound to the store key: a sealed
// code moved to another key does not open.
func (v *Verifier) seal(key, code string) []byte {
	nonce := make([]byte, v.sealer.NonceSize(), v.sealer.NonceSize()+len(code)+v.sealer.Overhead())
	rand.Read(nonce)
	return v.sealer.Seal(nonce, nonce, []byte(code), []byte(key))
}

func (v *Verifier) unseal(key string, sealed []byte) (string, bool) {
	n := v.sealer.NonceSize()
	if len(sealed) < n {
		return "", false
	}
	code, err := v.sealer.Open(nil, sealed[:n], sealed[n:], []byte(key))
	if err != nil {
		return "", false
	}
	return string(code), true
}

// keyedHash is an HMAC-SHA256 under one secret. hmac.New is not cheap (it
// hashes the padded key twice), so keyed states are pooled and Reset, which
// restores the keyed state without rehashing the key. Each pooled state
// carries buffers for the message and the sum, so that hashing allocates
// nothing: arguments handed to the hash.Hash interface would escape.
type keyedHash struct {
	pool sync.Pool
}

type hashState struct {
	h   hash.Hash
	msg []byte
	out []byte
}

func newKeyedHash(secret []byte) *keyedHash {
	key := append([]byte(nil), secret...)
	k := &keyedHash{}
	k.pool.New = func() any {
		return &hashState{h: hmac.New(sha256.New, key), msg: make([]byte, 0, 256), out: make([]byte, 0, sha256.Size)}
	}
	return k
}

// sum appends HMAC(domain || binding || extra) to dst.
func (k *keyedHash) sum(dst []byte, domain byte, binding []byte, extra string) []byte {
	st := k.pool.Get().(*hashState)
	st.msg = append(append(append(st.msg[:0], domain), binding...), extra...)
	st.h.Reset()
	st.h.Write(st.msg)
	st.out = st.h.Sum(st.out[:0])
	dst = append(dst, st.out...)
	k.pool.Put(st)
	return dst
}

// appendField appends s with its length, so that ("ab", "c") and ("a", "bc")
// bind differently.
func appendField(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// keyCache remembers the limit keys of recent subjects and client IPs,
// and a subject's verify key for a contact, so that a client hammering the
// endpoints (the attack path: every request a 429) does not pay an HMAC
// per rule per request (about 0.8 µs each, three on a verify).
//
// It is never consulted for a key of a contact alone (the per-contact
// send cap, cooldown and deliveries, the guard's keys): how fast such a
// key comes back would tell any subject whether somebody else used that
// contact lately, the cross-subject oracle SECURITY.md rules out. Every
// key it holds has the asking subject or the client's own address in its
// input, so a hit says only that the same subject (or someone behind the
// same address) made a request lately, which the quotas' own counts tell
// it already.
//
// It is direct-mapped: a slot is chosen by maphash under a per-process
// random seed and holds the last key derived there; entries are immutable
// and swapped atomically, so a lookup takes no lock and a hit allocates
// nothing. It holds at most keyCacheSlots entries of inputs no longer
// than maxCachedFields, about 200 KiB at most.
type keyCache struct {
	seed  maphash.Seed
	slots [keyCacheSlots]atomic.Pointer[cachedKey]
}

const (
	keyCacheSlots   = 1024 // a power of two
	maxCachedFields = 128
)

// cachedKey is one slot's entry: the rule's name and HMAC input, and the
// key derived from them, the two strings over the entry's own array (one
// allocation a miss, as deriving the key alone took), which is never
// written again once the entry is stored.
type cachedKey struct {
	name, fields, key string
	buf               [maxCachedFields + maxCachedName + 1 + 16]byte
}

// maxCachedName bounds the names of cached keys (vsub, verify, ...).
const maxCachedName = 15

func newKeyCache() *keyCache {
	return &keyCache{seed: maphash.MakeSeed()}
}

// cachedLimitKeyOf is limitKeyOf through the cache. Callers pass only
// inputs that hold the subject or the client IP; see keyCache.
func (v *Verifier) cachedLimitKeyOf(name string, fields []byte) string {
	c := v.keys
	if len(fields) > maxCachedFields || len(name) > maxCachedName {
		return v.limitKeyOf(name, fields)
	}
	h := maphash.Bytes(c.seed, fields) ^ maphash.String(c.seed, name)
	slot := &c.slots[h&(keyCacheSlots-1)]
	if e := slot.Load(); e != nil && e.name == name && e.fields == string(fields) {
		return e.key
	}
	var kb [64]byte
	k := v.appendLimitKey(kb[:0], name, fields)
	e := &cachedKey{name: name}
	n := copy(e.buf[:], fields)
	m := copy(e.buf[n:], k)
	e.fields = unsafe.String(&e.buf[0], n)
	e.key = unsafe.String(&e.buf[n], m)
	slot.Store(e)
	return e.key
}
