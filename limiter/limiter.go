// Package limiter defines vcode's rate limits and provides the in-memory
// implementation.
//
// A Limiter enforces an exact rolling window: never more than limit events
// in ANY interval of length window, not merely per fixed clock-aligned
// bucket. A fixed window lets a client spend its quota at the end of one
// bucket and again at the start of the next, twice the limit within a
// moment; for verification codes that doubles an attacker's guesses.
//
// The cost of exactness is memory: the limiter remembers the times of up to
// the largest limit's worth of recent events per key, which for vcode's
// small limits (5, 10) is a few dozen bytes. One key may carry several
// rules (a cooldown of one per minute and a cap of ten per hour on the same
// sends): they are checked against one list of events, which costs less
// than a key per rule and answers with the longest wait.
//
// Implementations: Memory here; redislimiter for several instances sharing
// Redis. Both pass the conformance suite in limitertest. Both are
// BatchLimiters too: AllowAll takes the events of several keys at once, all
// or nothing, which on Redis saves a round trip per key. And both are
// GuardLimiters: they keep the SMS pumping guard's counts of sends and
// verified codes per destination prefix and region, and judge a send by
// them (Allowance.Decide) in the call that takes its limits.
//
// The guard's rule is decided by the limiter, not by its caller, unlike
// the rest of vcode's policy: the rule is a pure function (Decide), but it
// must run where the counts are kept, in the step that records the send,
// or concurrent sends all judge the same stale counts and refused sends
// count for a moment. The verifier chooses the rule's parameters.
//
// A Memory readies itself on first use and then runs a goroutine that drops
// stale keys; Close stops it. Close every Memory you create and are done
// with (a test suite that checks for leaked goroutines will notice one left
// running).
package limiter

import (
	"context"
	"errors"
	"time"
)

// Decision is the answer to one Allow call.
type Decision struct {
	// Allowed reports whether the event was accepted and recorded.
	Allowed bool
	// Remaining is how many more events the window takes right after this
	// call.
	Remaining int
	// RetryAfter is, when the event was refused, how long until the oldest
	// event in the window leaves it and a new one would be accepted.
	RetryAfter time.Duration
	// At is the time recorded for an accepted event, by the limiter's
	// clock; pass it to Release to take the event back.
	At time.Time
}

// Rule is a rolling-window limit: at most Limit events in any interval of
// length Window. The zero Rule is not a limit.
type Rule struct {
	Limit  int
	Window time.Duration
}

// ErrInvalidRule is returned for no rule, a limit below one or a
// non-positive window.
var ErrInvalidRule = errors.New("limiter: invalid limit or window")

// Limiter counts events per key in a rolling window.
//
// Keys are opaque bytes. One key must always be used with the same rules;
// distinct rules use distinct keys, or one key with all its rules (a
// cooldown and an hourly cap on the same events need one key, not two). All
// methods are safe for concurrent use, across processes too where the
// implementation is shared.
//
// Errors mean the limiter could not answer (network, server, cancelled
// context); a refusal is never an error but a Decision with Allowed false.
// The verifier treats every error as a failure of the request: it fails
// closed, never open.
type Limiter interface {
	// Allow records an event for key at the limiter's current time t if,
	// for every rule, fewer than rule.Limit events were recorded in
	// (t-rule.Window, t], atomically. Otherwise it records nothing and
	// reports when every refusing rule will let an event through (the
	// longest wait). Remaining is the smallest of the rules' remainders.
	Allow(ctx context.Context, key string, rules ...Rule) (Decision, error)

	// Release takes back one event recorded for key at the time at (a
	// Decision's At), as if it had never been allowed: for an action that
	// was allowed but then failed on the service's side. Releasing an
	// event that is not there (already out of the window, or never
	// recorded) is not an error.
	Release(ctx context.Context, key string, at time.Time) error
}

// Request is one key and its rules, for AllowAll.
type Request struct {
	Key   string
	Rules []Rule
}

// ErrShortDecisions is returned by AllowAll when decisions has fewer
// elements than reqs.
var ErrShortDecisions = errors.New("limiter: fewer decisions than requests")

// BatchLimiter is a Limiter that takes the events of several keys in one
// call: for a backend across the network, one round trip instead of one per
// key. The verifier uses it when its Limiter implements it, and calls Allow
// once per key otherwise.
type BatchLimiter interface {
	Limiter

	// AllowAll records one event for every request if every one allows
	// it, and nothing otherwise: a refusal by any gives back what the
	// others took. Each request is decided as Allow would decide it
	// after the requests before it (a key may appear twice), with the
	// same exact rolling windows, and its rules are checked as Allow's.
	//
	// It writes the decisions to decisions[:len(reqs)] and returns -1
	// when all were allowed. Otherwise it returns the index of the first
	// refusing request, whose decision holds the refusal (its
	// RetryAfter); every other decision is then the zero Decision. An
	// event given back may, for a moment, have been seen by concurrent
	// callers: a refusal can refuse others in passing, never let more
	// through than the limits.
	//
	// An error means the limiter could not answer; it returns -1 and
	// gives back what it knows it took. Invalid rules, and decisions
	// shorter than reqs (ErrShortDecisions), are errors with nothing
	// recorded. No request is not an error: AllowAll returns -1.
	AllowAll(ctx context.Context, reqs []Request, decisions []Decision) (refused int, err error)
}

// CheckRules returns ErrInvalidRule unless rules holds at least one rule
// and every one is a limit; it also returns the largest limit and window,
// which bound what a key must remember.
func CheckRules(rules []Rule) (maxLimit int, maxWindow time.Duration, err error) {
	if len(rules) == 0 {
		return 0, 0, ErrInvalidRule
	}
	for _, r := range rules {
		if r.Limit < 1 || r.Window <= 0 {
			return 0, 0, ErrInvalidRule
		}
		maxLimit, maxWindow = max(maxLimit, r.Limit), max(maxWindow, r.Window)
	}
	return maxLimit, maxWindow, nil
}
