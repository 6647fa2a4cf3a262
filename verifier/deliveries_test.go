package verifier_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/vcodetest"
	"github.com/vcodekit/vcode/verifier"
)

// refusing is a notifier whose gateway certainly refuses every message
// (Twilio's 21408, "region not enabled"), counting the calls.
type refusing struct{ calls int }

func (n *refusing) Notify(context.Context, delivery.Message) error {
	n.calls++
	return delivery.Undelivered(errors.New("twilio: HTTP 400 21408"))
}

// TestRefusedDeliveriesBounded: a refused delivery gives its limits back,
// so that the user may ask again at once; but the calls to the provider
// are bounded whatever their outcome, per contact, per subject and per
// IP (Limits.Deliveries, Subject.Deliveries, IP.Deliveries). One token,
// one IP and one number made ~5,000 provider calls in 10 s before.
func TestRefusedDeliveriesBounded(t *testing.T) {
	defaults := verifier.DefaultLimits()
	for _, tt := range []struct {
		name  string
		span  time.Duration
		req   func(i int) verifier.Request
		most  int    // provider calls at most
		limit string // the limit that refuses once they are spent
	}{
		{"one token, IP and number for 10 s", 10 * time.Second,
			func(int) verifier.Request {
				return verifier.Request{Contact: phone, Subject: "mallory", ClientIP: "192.0.2.1"}
			},
			10, "contact"},
		{"one token, many numbers and IPs for an hour", time.Hour,
			func(i int) verifier.Request {
				return verifier.Request{Contact: fmt.Sprintf("+86136%08d", i), Subject: "mallory", ClientIP: fmt.Sprintf("2001:db8:%x::1", i)}
			},
			defaults.Subject.Deliveries.Limit, "subject"},
		{"one IP, many tokens and numbers for an hour", time.Hour,
			func(i int) verifier.Request {
				return verifier.Request{Contact: fmt.Sprintf("+86136%08d", i), Subject: fmt.Sprint("token-", i), ClientIP: "192.0.2.1"}
			},
			defaults.IP.Deliveries.Limit, "ip"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n := &refusing{}
			clk := vcodetest.NewClock(start)
			v, err := verifier.New(n, verifier.WithClock(clk.Now))
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			const requests = 5000
			step := tt.span / requests
			var last error
			for i := range requests {
				_, last = v.Send(context.Background(), tt.req(i))
				if i < 2 && !errors.Is(last, delivery.ErrUndelivered) {
					// The first refusal gives everything back: the
					// user may ask again at once.
					t.Fatalf("request %d: %v, want the provider's refusal", i, last)
				}
				clk.Advance(step)
			}
			if n.calls > tt.most || n.calls < 2 {
				t.Fatalf("%d provider calls in %v, want 2 to %d", n.calls, tt.span, tt.most)
			}
			var rl *verifier.RateLimitError
			if !errors.As(last, &rl) || rl.Limit != tt.limit || rl.RetryAfter <= 0 {
				t.Fatalf("once the calls are spent: %v, want the %s limit", last, tt.limit)
			}
			t.Logf("%d provider calls for %d requests in %v", n.calls, requests, tt.span)
		})
	}
}

// TestDeliveriesCountWhateverTheOutcome: a refused call and the calls that
// deliver all count on Limits.Deliveries, and a refused call is not given
// back to it, while the cooldown, the hourly cap and the quotas count only
// what may have left.
func TestDeliveriesCountWhateverTheOutcome(t *testing.T) {
	fail := true
	calls := 0
	rec := &notify.Recorder{}
	n := delivery.NotifierFunc(func(ctx context.Context, m delivery.Message) error {
		calls++
		if fail {
			return delivery.Undelivered(errors.New("refused"))
		}
		return rec.Notify(ctx, m)
	})
	clk := vcodetest.NewClock(start)
	v, err := verifier.New(n, verifier.WithClock(clk.Now), withLimits(func(l *verifier.Limits) {
		l.Deliveries = limiter.Rule{Limit: 10, Window: time.Hour} // as many as the hourly cap
		l.Cooldown = 0
	}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := v.Send(ctx, req(phone)); !errors.Is(err, delivery.ErrUndelivered) {
		t.Fatal(err)
	}
	fail = false
	// Nine codes by two subjects (each may take half of the cap): the
	// cap of 10 has room for a tenth, the deliveries have not.
	for i := range 9 {
		r := req(phone)
		if i%2 == 1 {
			r.Subject = "bob"
		}
		if _, err := v.Send(ctx, r); err != nil {
			t.Fatalf("send %d after a refusal: %v", i, err)
		}
	}
	bob := req(phone)
	bob.Subject = "bob"
	retryAfter(t, sendErr(v, bob), verifier.ErrTooFrequent)
	if calls != 10 || rec.Len() != 9 {
		t.Fatalf("%d calls, %d delivered; want 10 and 9", calls, rec.Len())
	}
}

// TestOneSubjectCannotHoldAContact: with the guard off, one subject asking
// for a contact as often as it may all day long once kept its owner from
// any code (0 of 576 attempts): it spent the contact's hourly cap with its
// own quota. No subject may take more than half of a contact's cap, so the
// owner, another subject, still gets codes every hour, and waits at most
// one cooldown for the other subject's.
func TestOneSubjectCannotHoldAContact(t *testing.T) {
	clk := vcodetest.NewClock(start)
	rec := &notify.Recorder{}
	v, err := verifier.New(rec, verifier.WithClock(clk.Now), verifier.WithGuard(verifier.Guard{}))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	ctx := context.Background()
	owner := verifier.Request{Contact: phone, Subject: "owner", ClientIP: "192.0.2.1"}
	mallory := verifier.Request{Contact: phone, Subject: "mallory", ClientIP: "198.51.100.7"}
	var ownerCodes, malloryCodes, attempts int
	perHour := make([]int, 24)
	var ownerSent []time.Time
	share := verifier.DefaultLimits().Send.Limit / 2
	for tick := 0; tick < 24*360; tick++ { // a request by mallory every 10 s for a day
		if _, err := v.Send(ctx, mallory); err == nil {
			malloryCodes++
		}
		if tick%15 == 0 { // the owner asks every 150 s: 576 times
			attempts++
			_, err := v.Send(ctx, owner)
			var rl *verifier.RateLimitError
			switch {
			case err == nil:
				ownerCodes++
				perHour[tick/360]++
				ownerSent = append(ownerSent, clk.Now())
			case !errors.As(err, &rl):
				t.Fatalf("owner at %v: %v", clk.Now().Sub(start), err)
			case rl.RetryAfter > verifier.DefaultLimits().Cooldown:
				// Held longer than a cooldown: only by its own share.
				recent := 0
				for _, at := range ownerSent {
					if clk.Now().Sub(at) < time.Hour {
						recent++
					}
				}
				if recent < share {
					t.Fatalf("owner at %v: held for %v with %d codes of its own in the hour: %v", clk.Now().Sub(start), rl.RetryAfter, recent, err)
				}
			}
		}
		clk.Advance(10 * time.Second)
	}
	t.Logf("owner: %d codes of %d attempts; the other subject: %d codes of 8,640", ownerCodes, attempts, malloryCodes)
	for h, n := range perHour {
		if n < 4 {
			t.Fatalf("hour %d: the owner got %d codes (%v in all), want at least 4 an hour", h, n, perHour)
		}
	}
	if malloryCodes > 24*5+5 {
		t.Fatalf("the other subject got %d codes in a day, more than half of the contact's cap", malloryCodes)
	}
}
