package verifier

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"io"
	"math"
	"sync"
)

var pow10 = [...]uint64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10}

// newCode draws a code of n decimal digits from r, uniformly: a 64-bit draw
// at or above the largest multiple of 10^n is thrown away (rejection
// sampling), so that no residue is likelier than another.
func newCode(r io.Reader, n int) (string, error) {
	space := pow10[n]
	bound := math.MaxUint64 / space * space
	var buf [8]byte
	for {
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			return "", err
		}
		x := binary.LittleEndian.Uint64(buf[:])
		if x >= bound {
			continue
		}
		x %= space
		out := make([]byte, n)
		for i := n - 1; i >= 0; i-- {
			out[i] = byte('0' + x%10)
			x /= 10
		}
		return string(out), nil
	}
}

// normaliseCode returns code as n ASCII digits, folding full-width digits
// (which Chinese input methods produce), or false if it is anything else.
func normaliseCode(code string, n int) (string, bool) {
	if len(code) == n {
		for i := 0; i < n; i++ {
			if code[i] < '0' || code[i] > '9' {
				return "", false
			}
		}
		return code, true
	}
	if len(code) != 3*n { // each full-width digit is 3 bytes of UTF-8
		return "", false
	}
	out := make([]byte, 0, n)
	for _, r := range code {
		if r < '０' || r > '９' {
			return "", false
		}
		out = append(out, byte('0'+r-'０'))
	}
	if len(out) != n {
		return "", false
	}
	return string(out), true
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
