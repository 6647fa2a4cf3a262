// Package store defines where vcode keeps issued codes, and provides the
// in-memory implementation.
//
// A store keeps digests, never codes: the verifier hands it an opaque key and
// an HMAC digest, and later asks it to check a candidate digest. Policy (how
// long a code lives, how many wrong guesses kill it, whose code it is) stays
// in the verifier; the store's one job is to make check-and-consume atomic,
// so that a code is used at most once and the attempt cap holds under any
// concurrency.
//
// Implementations: Memory here, for one process; redisstore for several
// instances sharing Redis. Both pass the conformance suite in storetest.
//
// A Memory readies itself on first use and then runs a goroutine that
// reclaims expired records; Close stops it. Close every Memory you create
// and are done with (a test suite that checks for leaked goroutines will
// notice one left running).
package store

import (
	"context"
	"errors"
	"time"
)

// Result is the outcome of CodeStore.Consume.
type Result uint8

// The outcomes of Consume.
const (
	// NotFound: no live record under the key: never saved, expired,
	// already consumed, deleted, or killed by too many wrong guesses.
	NotFound Result = iota
	// Match: the digest matched and the record was removed; no later
	// Consume of the key can match it again.
	Match
	// Mismatch: the digest did not match; the record's attempt count went
	// up by one and the record stays live.
	Mismatch
	// Exhausted: the digest did not match and that was the last attempt the
	// record allowed; the record was removed.
	Exhausted
)

// String returns the outcome's name.
func (r Result) String() string {
	switch r {
	case NotFound:
		return "not found"
	case Match:
		return "match"
	case Mismatch:
		return "mismatch"
	case Exhausted:
		return "exhausted"
	}
	return "invalid"
}

// ErrInvalidRecord is returned by Save for a non-positive TTL or attempt cap,
// or an empty digest.
var ErrInvalidRecord = errors.New("store: invalid record")

// Record is what Save keeps under a key.
type Record struct {
	// Digest is compared by Consume.
	Digest []byte
	// Sealed is an optional opaque payload that a Peeker's Peek returns
	// while the record lives: the verifier keeps the code there, encrypted,
	// when it re-sends a pending code instead of issuing a new one
	// (verifier.WithResendSameCode, which needs a Peeker). Nil otherwise; a
	// store that is not a Peeker need not keep it.
	Sealed []byte
	// TTL is how long the record lives; MaxAttempts how many mismatches
	// kill it.
	TTL         time.Duration
	MaxAttempts int
}

// CodeStore keeps the digest of the code pending for each key.
//
// Keys and digests are opaque bytes (keys may hold any byte); implementations
// must not interpret them. All methods are safe for concurrent use, across
// processes too where the implementation is shared.
//
// Errors mean the store could not answer (network, server, cancelled
// context); "not found" is never an error but the NotFound result. The
// verifier treats every error as a failure of the request: it fails closed.
type CodeStore interface {
	// Save records rec under key, replacing any record already there and
	// resetting its attempt count. The record expires rec.TTL after now, as
	// the store's clock tells, and dies after rec.MaxAttempts mismatches.
	// The value and its expiry are set in one atomic step.
	Save(ctx context.Context, key string, rec Record) error

	// Consume compares digest with the live record under key, in constant
	// time, and atomically: removes the record on a match (Match), or
	// counts a failed attempt (Mismatch), removing the record when that was
	// its last one (Exhausted). With no live record it returns NotFound and
	// changes nothing. Under any number of concurrent calls at most one
	// returns Match, and at most maxAttempts return Mismatch or Exhausted.
	Consume(ctx context.Context, key string, digest []byte) (Result, error)

	// Delete removes the record under key. Deleting a missing key is not an
	// error.
	Delete(ctx context.Context, key string) error
}

// Peeker is a CodeStore that also keeps Record.Sealed and shows it: an
// ability only verifier.WithResendSameCode needs, which New requires of
// the store when that option is on. Memory and redisstore are Peekers.
type Peeker interface {
	CodeStore

	// Peek returns the Sealed payload of the live record under key and the
	// time it has left, without counting an attempt. With no live record,
	// or one saved without a payload, it returns nil and zero.
	Peek(ctx context.Context, key string) (sealed []byte, remaining time.Duration, err error)
}

// Check returns ErrInvalidRecord for a record no store may keep.
func (r Record) Check() error {
	if len(r.Digest) == 0 || r.TTL <= 0 || r.MaxAttempts < 1 {
		return ErrInvalidRecord
	}
	return nil
}
