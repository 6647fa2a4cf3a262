package verifier

import (
	"context"
	"errors"
	"time"

	"github.com/vcodekit/vcode/delivery"
)

// Outcome is how a Send or Verify ended, for metrics.
type Outcome string

// The outcomes. Every Send and Verify call reports exactly one, decided by
// Classify.
const (
	OutcomeSent           Outcome = "sent"            // a code was delivered
	OutcomeDeliveryFailed Outcome = "delivery_failed" // the message certainly did not leave; the code was withdrawn
	// OutcomeDeliveryUnknown: the notifier failed in a way that may have
	// sent the message (a timeout, a reset, a 5xx, a panic); the limits
	// stay counted and the code valid.
	OutcomeDeliveryUnknown Outcome = "delivery_unknown"
	// OutcomePumpingBlocked: the pumping guard refused the destination's
	// prefix or region (see Guard); Event.BlockedPrefix or BlockedRegion
	// names it when this call started the block.
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
	// Outcome is how it ended.
	Outcome Outcome
	// Channel and Region describe the destination; empty when the contact
	// did not parse (Region is empty for email).
	Channel Channel
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

// WithObserver sets the observer of every Send and Verify.
func WithObserver(o Observer) Option {
	return func(c *config) { c.observer = o }
}

func (v *Verifier) observe(ctx context.Context, e Event, start time.Time, err error) {
	if v.cfg.observer == nil {
		return
	}
	e.Outcome, e.Latency = outcomeOf(e.Op, err), time.Since(start)
	v.cfg.observer.Observe(ctx, e)
}

func outcomeOf(op string, err error) Outcome {
	switch Classify(err) {
	case nil:
		switch {
		case err != nil:
			return OutcomeBackendError // unexpected: answered as internal
		case op == "send":
			return OutcomeSent
		}
		return OutcomeVerified
	case ErrWrongCode:
		return OutcomeWrongCode
	case ErrTooManyAttempts:
		return OutcomeRateLimited
	case ErrTooFrequent:
		return OutcomeCooldown
	case ErrNotAllowed:
		if errors.Is(err, ErrPumping) {
			return OutcomePumpingBlocked
		}
		return OutcomeNotAllowed
	case ErrBackend:
		var be *BackendError
		switch {
		case !errors.As(err, &be) || be.Op != "notify":
			return OutcomeBackendError
		case errors.Is(err, ErrUndelivered):
			return OutcomeDeliveryFailed
		}
		return OutcomeDeliveryUnknown
	}
	if errors.Is(err, delivery.ErrInvalidRecipient) {
		return OutcomeInvalidRecipient
	}
	return OutcomeInvalid
}

// pinger is implemented by backends that can tell whether they are
// reachable, such as redisstore and redislimiter.
type pinger interface {
	Ping(ctx context.Context) error
}

// Ready reports whether the store and the limiter answer, for readiness
// probes: it calls the Ping(ctx) error method of those that have one, as
// redisstore and redislimiter do (in-memory backends are always ready).
func (v *Verifier) Ready(ctx context.Context) error {
	for _, b := range []any{v.cfg.store, v.cfg.limiter} {
		if p, ok := b.(pinger); ok {
			if err := p.Ping(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}
