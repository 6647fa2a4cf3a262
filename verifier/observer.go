package verifier

import (
	"context"
	"errors"
	"time"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/observe"
)

func (v *Verifier) observe(ctx context.Context, e observe.Event, start time.Time, err error) {
	if v.cfg.observer == nil {
		return
	}
	e.Outcome, e.Latency = outcomeOf(e.Op, err), time.Since(start)
	v.cfg.observer.Observe(ctx, e)
}

func outcomeOf(op string, err error) observe.Outcome {
	switch Classify(err) {
	case nil:
		switch {
		case err != nil:
			return observe.OutcomeBackendError // unexpected: answered as internal
		case op == "send":
			return observe.OutcomeSent
		}
		return observe.OutcomeVerified
	case ErrWrongCode:
		return observe.OutcomeWrongCode
	case ErrTooManyAttempts:
		return observe.OutcomeRateLimited
	case ErrTooFrequent:
		return observe.OutcomeCooldown
	case delivery.ErrNotAllowed:
		if errors.Is(err, ErrPumping) {
			return observe.OutcomePumpingBlocked
		}
		return observe.OutcomeNotAllowed
	case ErrBackend:
		var be *BackendError
		switch {
		case !errors.As(err, &be) || be.Op != "notify":
			return observe.OutcomeBackendError
		case errors.Is(err, delivery.ErrUndelivered):
			return observe.OutcomeDeliveryFailed
		}
		return observe.OutcomeDeliveryUnknown
	}
	if errors.Is(err, delivery.ErrInvalidRecipient) {
		return observe.OutcomeInvalidRecipient
	}
	return observe.OutcomeInvalid
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
