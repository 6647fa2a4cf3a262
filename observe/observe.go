// Package observe is the contract between the verifier and what watches
// it: the Event each Send and Verify ends with, its Outcome and its Lapses,
// and the Observer that receives it (verifier.WithObserver). It imports no
// vcode package but delivery, so that a metrics adapter (prommetrics, or
// a host's OpenTelemetry one) depends on the contract and not on the
// verifier.
//
// An Observer is one method:
//
//	type logObserver struct{ log *slog.Logger }
//
//	func (o logObserver) Observe(ctx context.Context, e observe.Event) {
//		if e.BlockedPrefix != "" {
//			o.log.WarnContext(ctx, "pumping guard blocks a prefix", "prefix", e.BlockedPrefix)
//		}
//	}
//
//	v, err := verifier.New(n, verifier.WithObserver(logObserver{slog.Default()}))
package observe

import (
	"context"
	"time"

	"github.com/vcodekit/vcode/delivery"
)

// Outcome is how a Send or Verify ended, for metrics.
type Outcome string

// The outcomes. Every Send and Verify call reports exactly one, decided by
// verifier.Classify.
const (
	OutcomeSent           Outcome = "sent"            // a code was delivered
	OutcomeDeliveryFailed Outcome = "delivery_failed" // the message certainly did not leave; the code was withdrawn
	// OutcomeDeliveryUnknown: the notifier failed in a way that may have
	// sent the message (a timeout, a reset, a 5xx, a panic); the limits
	// stay counted and the code valid.
	OutcomeDeliveryUnknown Outcome = "delivery_unknown"
	// OutcomePumpingBlocked: the pumping guard refused the destination's
	// prefix or region (see verifier.Guard); Event.BlockedPrefix or
	// BlockedRegion names it when this call started the block.
	OutcomePumpingBlocked Outcome = "pumping_blocked"
	OutcomeVerified       Outcome = "verified"      // the right code, consumed
	OutcomeWrongCode      Outcome = "wrong_code"    // wrong, expired, used or never sent
	OutcomeRateLimited    Outcome = "rate_limited"  // too many verification attempts
	OutcomeCooldown       Outcome = "cooldown"      // codes requested too often (cooldown, quotas, caps)
	OutcomeNotAllowed     Outcome = "not_allowed"   // channel, region or route refused
	OutcomeInvalid        Outcome = "invalid"       // no subject; bad contact, country or code format
	OutcomeBackendError   Outcome = "backend_error" // the store, limiter or random source failed, or an unexpected error

	// OutcomeInvalidRecipient: the provider refused the contact as
	// invalid (delivery.ErrInvalidRecipient); answered as a bad contact,
	// the limits given back. Apart from OutcomeInvalid so that a provider
	// refusing every number shows.
	OutcomeInvalidRecipient Outcome = "invalid_recipient"
)

// Event describes one finished Send or Verify. It never holds the contact
// or the code.
type Event struct {
	// Op is "send" or "verify".
	Op string
	// Purpose is the Request's Purpose, as the caller gave it: httpmw's
	// is the host's constant (httpmw.WithPurpose), but a caller of the Go
	// API may put anything there, so an observer that makes a label of it
	// bounds it to the purposes the host declared (prommetrics.WithPurposes
	// maps the others to "other").
	Purpose string
	// Outcome is how it ended.
	Outcome Outcome
	// Channel and Region describe the destination; empty when the contact
	// did not parse (Region is empty for email).
	Channel delivery.Channel
	Region  string
	// Latency is the time the call took.
	Latency time.Duration
	// BlockedPrefix is the destination prefix ("+86138") whose block by
	// the pumping guard this call started: the prefix's first refusal
	// after an hour without one. BlockedRegion is the same for a region
	// (its ISO code, "PG"), refused as a whole for sends its prefixes did
	// not earn. Both are empty otherwise. A host logs them: once per
	// block.
	BlockedPrefix, BlockedRegion string
	// Lapses are this call's best-effort writes that failed, each kind
	// once, in the order they failed (see Lapse); nil when none did, the
	// usual case. They never change Outcome.
	Lapses []Lapse
}

// Observer receives an Event for every Send and Verify, synchronously on the
// caller's goroutine: it must be quick and safe for concurrent use. The
// prommetrics package has a Prometheus implementation.
type Observer interface {
	Observe(ctx context.Context, e Event)
}

// Lapse names a best-effort write that failed. Some writes of a Send or
// Verify come after its answer is decided: giving back the limits of a
// request that did not go through, withdrawing a code that was never
// delivered, counting a verified code for the pumping guard. Their failure
// does not change the answer (the request's own result or error stands),
// and is reported, always in the same way, to the Observer: in
// Event.Lapses, each kind once per call. prommetrics counts them.
type Lapse string

// The lapses.
const (
	// LapseRelease: limits taken for a request that did not go through
	// (refused by a later limit, or certainly undelivered) were not given
	// back. They count until their windows pass: the user may be held
	// for a cooldown or a quota that should have been free.
	LapseRelease Lapse = "release"
	// LapseWithdraw: a new code whose message certainly did not leave
	// was not deleted. Nobody was sent it; it stays valid until it
	// expires, guessed only within its guess cap.
	LapseWithdraw Lapse = "withdraw"
	// LapseGuardCount: a verified code was not counted for the pumping
	// guard, so its prefix looks less converting than it is.
	LapseGuardCount Lapse = "guard_count"
)
