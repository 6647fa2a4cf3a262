package verifier_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/observe"
	"github.com/vcodekit/vcode/store"
	"github.com/vcodekit/vcode/verifier"
)

// TestCancel: a cancelled code no longer verifies; Cancel says nothing
// about whether a code was pending; other subjects' and purposes' codes
// stay.
func TestCancel(t *testing.T) {
	f := newFixture(t, verifier.WithValidity(5*time.Minute))
	ctx := context.Background()
	login := verifier.Request{Contact: phone, Subject: "alice", Purpose: "login"}
	other := verifier.Request{Contact: phone, Subject: "alice", Purpose: "change-phone"}
	code := f.send(t, login)
	otherCode := f.send(t, verifier.Request{Contact: "+8613612345679", Subject: "alice"})
	f.clk.Advance(time.Minute)
	kept := f.send(t, other)
	if err := f.v.Cancel(ctx, login); err != nil {
		t.Fatal(err)
	}
	if err := f.verify(login, code); !errors.Is(err, verifier.ErrWrongCode) {
		t.Fatalf("cancelled code: %v, want ErrWrongCode", err)
	}
	if err := f.v.Cancel(ctx, login); err != nil {
		t.Fatalf("cancelling nothing: %v", err)
	}
	if err := f.verify(other, kept); err != nil {
		t.Fatalf("another purpose's code: %v", err)
	}
	if err := f.verify(verifier.Request{Contact: "+8613612345679", Subject: "alice"}, otherCode); err != nil {
		t.Fatalf("another contact's code: %v", err)
	}
	for _, tt := range []struct {
		r    verifier.Request
		want error
	}{
		{verifier.Request{Contact: phone}, verifier.ErrNoSubject},
		{verifier.Request{Contact: "nope", Subject: "alice"}, contact.ErrInvalid},
	} {
		if err := f.v.Cancel(ctx, tt.r); !errors.Is(err, tt.want) {
			t.Errorf("Cancel(%+v) = %v, want %v", tt.r, err, tt.want)
		}
	}
}

// TestSentNextSendAt: Sent says when the cooldown lets the next code go,
// and a send at that moment goes through.
func TestSentNextSendAt(t *testing.T) {
	f := newFixture(t)
	sent, err := f.v.Send(context.Background(), req(phone))
	if err != nil {
		t.Fatal(err)
	}
	if want := f.clk.Now().Add(time.Minute); !sent.NextSendAt.Equal(want) {
		t.Fatalf("NextSendAt %v, want %v", sent.NextSendAt, want)
	}
	f.clk.Advance(sent.NextSendAt.Sub(f.clk.Now()) - time.Second)
	retryAfter(t, sendErr(f.v, req(phone)), verifier.ErrTooFrequent)
	f.clk.Advance(time.Second)
	if err := sendErr(f.v, req(phone)); err != nil {
		t.Fatalf("send at NextSendAt: %v", err)
	}
}

// TestRateLimitErrorSaysWhichLimit: a refusal names the limit that refused.
func TestRateLimitErrorSaysWhichLimit(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		limits func(*verifier.Limits)
		verify bool
		want   string
	}{
		{"contact cooldown", func(*verifier.Limits) {}, false, "contact"},
		{"contact attempts", func(l *verifier.Limits) { l.Verify.Limit = 1 }, true, "contact"},
		{"subject sends", func(l *verifier.Limits) { l.Subject.Send.Limit = 1 }, false, "subject"},
		{"subject attempts", func(l *verifier.Limits) { l.Subject.Verify.Limit = 1 }, true, "subject"},
		{"IP sends", func(l *verifier.Limits) { l.IP.Send.Limit = 1 }, false, "ip"},
		{"IP attempts", func(l *verifier.Limits) { l.IP.Verify.Limit = 1 }, true, "ip"},
		{"region", func(l *verifier.Limits) { l.RegionDaily = 1 }, false, "region"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, withLimits(tt.limits))
			var err error
			for i := range 2 {
				// The second request is another contact unless the
				// contact's own limit is the one under test.
				c := phone
				if tt.want != "contact" {
					c = fmt.Sprintf("+86136000000%02d", i)
				}
				r := verifier.Request{Contact: c, Subject: "alice", ClientIP: "192.0.2.1"}
				if tt.verify {
					_, err = f.v.Verify(ctx, r, "000000")
				} else {
					_, err = f.v.Send(ctx, r)
				}
			}
			var rl *verifier.RateLimitError
			if !errors.As(err, &rl) || rl.Limit != tt.want {
				t.Fatalf("second request: %v, want the %s limit", err, tt.want)
			}
		})
	}
}

// TestCodeTypedWithSeparators: a code typed in groups verifies.
func TestCodeTypedWithSeparators(t *testing.T) {
	for _, typed := range []func(string) string{
		func(c string) string { return c[:3] + " " + c[3:] },
		func(c string) string { return c[:3] + "-" + c[3:] },
		func(c string) string { return " " + c + " " },
	} {
		f := newFixture(t)
		code := f.send(t, req(phone))
		if err := f.verify(req(phone), typed(code)); err != nil {
			t.Fatalf("%q: %v", typed(code), err)
		}
	}
}

// TestClassifyIsTheObserversOrder: the outcome an observer sees follows
// Classify, including a notifier's ErrNotAllowed inside a backend error,
// which is a refusal of the destination (as httpmw answers it: 403).
func TestClassifyIsTheObserversOrder(t *testing.T) {
	tests := []struct {
		err  error
		want error
	}{
		{nil, nil},
		{errors.New("unexpected"), nil},
		{fmt.Errorf("x: %w", verifier.ErrWrongCode), verifier.ErrWrongCode},
		{&verifier.RateLimitError{Reason: verifier.ErrTooFrequent}, verifier.ErrTooFrequent},
		{&verifier.BackendError{Op: "notify", Err: fmt.Errorf("router: %w", delivery.ErrNotAllowed)}, delivery.ErrNotAllowed},
		{&verifier.BackendError{Op: "store", Err: errDown}, verifier.ErrBackend},
		{verifier.ErrNoSubject, verifier.ErrNoSubject},
		{contact.ErrCountryMismatch, contact.ErrCountryMismatch},
		{&verifier.RateLimitError{Reason: verifier.ErrTooManyAttempts}, verifier.ErrTooManyAttempts},
		{&verifier.RateLimitError{Reason: fmt.Errorf("x: %w", verifier.ErrWrongCode)}, verifier.ErrWrongCode},
		{&verifier.RateLimitError{}, nil},
		{unhashableError{[]string{"x"}}, nil}, // compared without a panic
	}
	for _, tt := range tests {
		if got := verifier.Classify(tt.err); got != tt.want {
			t.Errorf("Classify(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
	log := &eventLog{}
	n := delivery.NotifierFunc(func(context.Context, delivery.Message) error {
		return fmt.Errorf("no route: %w", delivery.ErrNotAllowed)
	})
	v, err := verifier.New(n, verifier.WithObserver(log))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	_, err = v.Send(context.Background(), req(phone))
	if verifier.Classify(err) != delivery.ErrNotAllowed {
		t.Fatalf("Send = %v", err)
	}
	if got := log.last().Outcome; got != observe.OutcomeNotAllowed {
		t.Fatalf("outcome %q, want not_allowed", got)
	}
}

// unhashableError is an error value of a type == cannot compare.
type unhashableError struct{ s []string }

func (e unhashableError) Error() string { return "unhashable" }

// TestClose: Close is idempotent, and a Verifier made with the caller's
// backends leaves them to the caller.
func TestClose(t *testing.T) {
	v, err := verifier.New(notify.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if err := v.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// TestDefaultCountry: a national number without a country is read in the
// host's default country; international numbers and explicit countries are
// unaffected; an unknown default is refused at New.
func TestDefaultCountry(t *testing.T) {
	f := newFixture(t, verifier.WithDefaultCountry("usa"))
	ctx := context.Background()
	for _, tt := range []struct {
		contact, country, want string
	}{
		{"(650) 253-0000", "", "+16502530000"},
		{"+8613612345678", "", "+8613612345678"},
		{"13612345679", "chinaPR", "+8613612345679"},
	} {
		sent, err := f.v.Send(ctx, verifier.Request{Contact: tt.contact, Country: tt.country, Subject: "alice"})
		if err != nil || sent.Contact.Value != tt.want {
			t.Errorf("%q in %q: %v %v, want %s", tt.contact, tt.country, sent.Contact.Value, err, tt.want)
		}
	}
	if _, err := verifier.New(f.rec, verifier.WithDefaultCountry("Atlantis")); err == nil {
		t.Error("an unknown default country was accepted")
	}
}

// TestTwoPoliciesShareContactLimits: a second Verifier with larger quotas
// for one caller, on the same backends and secrets, keeps the per-contact
// cooldown shared with the first.
func TestTwoPoliciesShareContactLimits(t *testing.T) {
	st, lim := store.NewMemory(), limiter.NewMemory()
	defer st.Close()
	defer lim.Close()
	secret := verifier.WithSecrets([]byte("one secret for both verifiers"))
	users, err := verifier.New(notify.Discard, secret, verifier.WithStore(st), verifier.WithLimiter(lim))
	if err != nil {
		t.Fatal(err)
	}
	backend, err := verifier.New(notify.Discard, secret, verifier.WithStore(st), verifier.WithLimiter(lim),
		withLimits(func(l *verifier.Limits) { l.Subject.Send.Limit, l.Subject.Deliveries.Limit = 5000, 10000 }))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := users.Send(ctx, verifier.Request{Contact: phone, Subject: "alice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := backend.Send(ctx, verifier.Request{Contact: phone, Subject: "backend"}); !errors.Is(err, verifier.ErrTooFrequent) {
		t.Fatalf("the backend's Verifier past the contact's cooldown: %v", err)
	}
}

// TestBackendErrorMessage: the step is named once, also when the
// backend's message starts with it, as notify's notifiers' do.
func TestBackendErrorMessage(t *testing.T) {
	for _, tt := range []struct {
		err  *verifier.BackendError
		want string
	}{
		{&verifier.BackendError{Op: "store", Err: errors.New("redis: connection refused")}, "verifier: store: redis: connection refused"},
		{&verifier.BackendError{Op: "notify", Err: errors.New("notify: twilio: HTTP 400 21211")}, "verifier: notify: twilio: HTTP 400 21211"},
		{&verifier.BackendError{Op: "notify", Err: errors.New("notifyx: odd")}, "verifier: notify: notifyx: odd"},
	} {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%q, want %q", got, tt.want)
		}
	}
}
