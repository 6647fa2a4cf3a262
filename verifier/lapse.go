package verifier

import (
	"context"
	"slices"

	"github.com/vcodekit/vcode/observe"
)

// lapses records one call's lapses, for its Event. Send and Verify put it
// in the context their writes run on (only when there is an Observer to
// tell), so that every best-effort write, however deep, reports the same
// way: lapsed(ctx, kind).
type lapses struct{ list []observe.Lapse }

type lapsesKey struct{}

// watch returns ctx carrying a new record of lapses when the Verifier has
// an Observer, and ctx and nil otherwise (nothing allocated).
func (v *Verifier) watch(ctx context.Context) (context.Context, *lapses) {
	if v.cfg.observer == nil {
		return ctx, nil
	}
	l := new(lapses)
	return context.WithValue(ctx, lapsesKey{}, l), l
}

// kinds is what l recorded; nil for none, or for no record.
func (l *lapses) kinds() []observe.Lapse {
	if l == nil {
		return nil
	}
	return l.list
}

// lapsed records, for the call ctx belongs to, that a best-effort write
// of kind failed (once per kind).
func lapsed(ctx context.Context, kind observe.Lapse) {
	l, ok := ctx.Value(lapsesKey{}).(*lapses)
	if ok && !slices.Contains(l.list, kind) {
		l.list = append(l.list, kind)
	}
}
