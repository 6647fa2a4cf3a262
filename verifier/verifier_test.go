package verifier_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/i18n"
	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/store"
	"github.com/vcodekit/vcode/vcodetest"
	"github.com/vcodekit/vcode/verifier"
)

const phone = "+8613612345678"

var start = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

type fixture struct {
	v   *verifier.Verifier
	rec *notify.Recorder
	clk *vcodetest.Clock
}

// testSecret is the secrets of tests that give a store or limiter of their
// own, which New refuses without them.
var testSecret = verifier.WithSecrets([]byte("vcode test secret, 32 bytes long"))

// newFixture builds a verifier on memory backends with a fake clock and a
// recorder; opts come after the fixture's own, so they win. Its secret
// lets opts give a store or limiter.
func newFixture(t *testing.T, opts ...verifier.Option) fixture {
	t.Helper()
	clk := vcodetest.NewClock(start)
	rec := &notify.Recorder{}
	v, err := verifier.New(rec, append([]verifier.Option{verifier.WithClock(clk.Now), testSecret}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return fixture{v, rec, clk}
}

// withLimits is the default policy changed by edit.
func withLimits(edit func(l *verifier.Limits)) verifier.Option {
	l := verifier.DefaultLimits()
	edit(&l)
	return verifier.WithLimits(l)
}

// defaultVerifyLimit is the default attempts per subject and contact.
var defaultVerifyLimit = verifier.DefaultLimits().Verify.Limit

func req(contact string) verifier.Request {
	return verifier.Request{Contact: contact, Subject: "alice"}
}

func (f fixture) send(t *testing.T, r verifier.Request) string {
	t.Helper()
	sent, err := f.v.Send(context.Background(), r)
	if err != nil {
		t.Fatalf("Send(%s): %v", r.Contact, err)
	}
	code, ok := f.rec.LastCode(sent.Contact.Value)
	if !ok {
		t.Fatalf("no code delivered to %s", sent.Contact)
	}
	return code
}

func (f fixture) verify(r verifier.Request, code string) error {
	_, err := f.v.Verify(context.Background(), r, code)
	return err
}

func wrong(code string) string {
	b := []byte(code)
	b[0] = '0' + (b[0]-'0'+1)%10
	return string(b)
}

func TestSendThenVerify(t *testing.T) {
	f := newFixture(t)
	code := f.send(t, req(phone))
	if len(code) != 6 {
		t.Fatalf("code %q is not 6 digits", code)
	}
	if err := f.verify(req("136 1234 5678"), code); err != nil {
		t.Fatalf("Verify with the right code (national format): %v", err)
	}
	if err := f.verify(req(phone), code); !errors.Is(err, verifier.ErrWrongCode) {
		t.Fatalf("second Verify = %v, want ErrWrongCode (single use)", err)
	}
}

func TestMessage(t *testing.T) {
	f := newFixture(t, verifier.WithValidity(5*time.Minute))
	r := req("Alice@Example.com")
	r.Language, r.RequestID = i18n.EnUS, "req-1"
	code := f.send(t, r)
	m, _ := f.rec.Last("alice@example.com")
	want := delivery.Message{
		Channel: delivery.Email, To: "alice@example.com", Code: code,
		Validity: 5 * time.Minute, ExpiresAt: start.Add(5 * time.Minute), Language: i18n.EnUS,
		Subject: "Your verification code", RequestID: "req-1",
		Text: i18n.Default().EmailBody(i18n.EnUS, i18n.Data{Code: code, Validity: 5 * time.Minute}),
	}
	if !m.ExpiresAt.Equal(want.ExpiresAt) {
		t.Fatalf("expires at %v, want %v", m.ExpiresAt, want.ExpiresAt)
	}
	m.ExpiresAt = want.ExpiresAt
	if m != want {
		t.Fatalf("message = %+v\nwant %+v", m, want)
	}

	f.send(t, req(phone))
	m, _ = f.rec.Last(phone)
	if m.Channel != delivery.SMS || m.Region != "CN" || m.Subject != "" ||
		m.Text != "您的验证码为"+m.Code+"，5分钟内有效。请勿将验证码告知他人。" {
		t.Fatalf("SMS message = %+v", m)
	}
}

func TestVerifyErrors(t *testing.T) {
	tests := []struct {
		name    string
		contact string
		country string
		code    func(sent string) string
		before  func(f fixture)
		want    error
	}{
		{"wrong code", phone, "", wrong, nil, verifier.ErrWrongCode},
		{"expired", phone, "", same, func(f fixture) { f.clk.Advance(time.Minute) }, verifier.ErrWrongCode},
		{"just before expiry", phone, "", same, func(f fixture) { f.clk.Advance(time.Minute - time.Nanosecond) }, nil},
		{"never sent", "+8613912345678", "", same, nil, verifier.ErrWrongCode},
		{"too short", phone, "", func(string) string { return "12345" }, nil, verifier.ErrInvalidCode},
		{"letters", phone, "", func(string) string { return "12345a" }, nil, verifier.ErrInvalidCode},
		{"empty", phone, "", func(string) string { return "" }, nil, verifier.ErrInvalidCode},
		{"arabic-indic digits", phone, "", func(string) string { return "١٢٣٤٥٦" }, nil, verifier.ErrInvalidCode},
		{"full-width digits fold", phone, "", toFullWidth, nil, nil},
		{"invalid contact", "not a number", "", same, nil, contact.ErrInvalid},
		{"unknown country", phone, "atlantis", same, nil, contact.ErrUnknownCountry},
		{"country mismatch", phone, "usa", same, nil, contact.ErrCountryMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			sent := f.send(t, req(phone))
			if tt.before != nil {
				tt.before(f)
			}
			r := req(tt.contact)
			r.Country = tt.country
			err := f.verify(r, tt.code(sent))
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

func same(s string) string { return s }

func toFullWidth(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteRune(r - '0' + '０')
	}
	return b.String()
}

func TestSendErrors(t *testing.T) {
	tests := []struct {
		name    string
		opts    []verifier.Option
		contact string
		country string
		want    error
	}{
		{"invalid contact", nil, "12", "", contact.ErrInvalid},
		{"unknown country", nil, phone, "chinapr", contact.ErrUnknownCountry},
		{"mismatch", nil, phone, "UK", contact.ErrCountryMismatch},
		{"email channel off", []verifier.Option{verifier.WithChannels(delivery.SMS)}, "a@example.com", "", delivery.ErrNotAllowed},
		{"sms channel off", []verifier.Option{verifier.WithChannels(delivery.Email)}, phone, "", delivery.ErrNotAllowed},
		{"region not allowed", []verifier.Option{verifier.WithAllowedRegions("HK", "MO")}, phone, "", delivery.ErrNotAllowed},
		{"region allowed", []verifier.Option{verifier.WithAllowedRegions("CN")}, phone, "", nil},
		{"regions do not restrict email", []verifier.Option{verifier.WithAllowedRegions("HK")}, "a@example.com", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.opts...)
			r := req(tt.contact)
			r.Country = tt.country
			_, err := f.v.Send(context.Background(), r)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("Send = %v, want %v", err, tt.want)
			}
			if tt.want != nil && f.rec.Len() != 0 {
				t.Fatal("a refused send delivered a message")
			}
		})
	}
}

func retryAfter(t *testing.T, err error, reason error) time.Duration {
	t.Helper()
	var rl *verifier.RateLimitError
	if !errors.As(err, &rl) || !errors.Is(err, reason) {
		t.Fatalf("error = %v, want a RateLimitError for %v", err, reason)
	}
	return rl.RetryAfter
}

func TestSendCooldownAndQuota(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.send(t, req(phone))
	f.clk.Advance(20 * time.Second)
	_, err := f.v.Send(ctx, req(phone))
	if got := retryAfter(t, err, verifier.ErrTooFrequent); got != 40*time.Second {
		t.Fatalf("cooldown retry after %v, want 40s", got)
	}
	// Another contact is not affected.
	f.send(t, req("+8613912345678"))

	// Ten sends an hour, one a minute, by two subjects: no subject may
	// take more than half of the cap.
	for i := 1; i < 10; i++ {
		f.clk.Advance(time.Minute)
		r := req(phone)
		if i%2 == 1 {
			r.Subject = "bob"
		}
		f.send(t, r)
	}
	f.clk.Advance(time.Minute)
	_, err = f.v.Send(ctx, req(phone))
	// The first send was at 0; it leaves the hour window at 60 min; now is
	// 20 s + 9 min + 1 min after it.
	if got := retryAfter(t, err, verifier.ErrTooFrequent); got != 60*time.Minute-10*time.Minute-20*time.Second {
		t.Fatalf("hourly retry after %v", got)
	}
	// A refused hourly send did not take the cooldown.
	f.clk.Advance(60*time.Minute - 10*time.Minute - 20*time.Second)
	f.send(t, req(phone))
}

func TestVerifyRateLimit(t *testing.T) {
	f := newFixture(t)
	code := f.send(t, req(phone))
	for i := range 4 {
		f.clk.Advance(time.Second)
		if err := f.verify(req(phone), wrong(code)); !errors.Is(err, verifier.ErrWrongCode) {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	f.clk.Advance(time.Second)
	if err := f.verify(req(phone), code); err != nil {
		t.Fatalf("fifth attempt with the right code: %v", err)
	}
	f.clk.Advance(time.Second)
	err := f.verify(req(phone), code)
	if got := retryAfter(t, err, verifier.ErrTooManyAttempts); got != 55*time.Second {
		t.Fatalf("retry after %v, want 55s", got)
	}
	// Rolling: one attempt frees up each second after the first left.
	f.clk.Advance(55 * time.Second)
	if err := f.verify(req(phone), code); !errors.Is(err, verifier.ErrWrongCode) {
		t.Fatalf("after the window: %v, want ErrWrongCode (the code was used)", err)
	}
	if err := f.verify(req(phone), code); !errors.Is(err, verifier.ErrTooManyAttempts) {
		t.Fatalf("immediately again: %v, want ErrTooManyAttempts", err)
	}
}

func TestMaxGuessesKillCode(t *testing.T) {
	f := newFixture(t, withLimits(func(l *verifier.Limits) { l.Verify.Limit, l.Guesses = 100, 3 }))
	code := f.send(t, req(phone))
	for range 3 {
		if err := f.verify(req(phone), wrong(code)); !errors.Is(err, verifier.ErrWrongCode) {
			t.Fatal(err)
		}
	}
	if err := f.verify(req(phone), code); !errors.Is(err, verifier.ErrWrongCode) {
		t.Fatalf("right code after the guess cap: %v, want ErrWrongCode", err)
	}
}

func TestResendReplacesCode(t *testing.T) {
	f := newFixture(t, withLimits(func(l *verifier.Limits) { l.Cooldown = 0 }))
	first := f.send(t, req(phone))
	second := f.send(t, req(phone))
	if first != second {
		if err := f.verify(req(phone), first); !errors.Is(err, verifier.ErrWrongCode) {
			t.Fatalf("replaced code: %v, want ErrWrongCode", err)
		}
	}
	if err := f.verify(req(phone), second); err != nil {
		t.Fatalf("new code: %v", err)
	}
}

func TestCodeLength(t *testing.T) {
	for _, n := range []int{4, 8, 10} {
		f := newFixture(t, verifier.WithCodeLength(n))
		code := f.send(t, req(phone))
		if len(code) != n || strings.Trim(code, "0123456789") != "" {
			t.Fatalf("length %d: code %q", n, code)
		}
		if err := f.verify(req(phone), code); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOptionsValidated(t *testing.T) {
	tests := []struct {
		name string
		opt  verifier.Option
	}{
		{"code too short", verifier.WithCodeLength(3)},
		{"code too long", verifier.WithCodeLength(11)},
		{"validity zero", verifier.WithValidity(0)},
		{"validity over 10 min", verifier.WithValidity(11 * time.Minute)},
		{"short secret", verifier.WithSecrets([]byte("short"))},
		{"no secret", verifier.WithSecrets()},
		{"guesses zero", withLimits(func(l *verifier.Limits) { l.Guesses = 0 })},
		{"verify limit zero", withLimits(func(l *verifier.Limits) { l.Verify.Limit = 0 })},
		{"verify limit off", withLimits(func(l *verifier.Limits) { l.Verify = limiter.Rule{} })},
		{"send window zero", withLimits(func(l *verifier.Limits) { l.Send.Window = 0 })},
		{"negative cooldown", withLimits(func(l *verifier.Limits) { l.Cooldown = -time.Second })},
		{"negative region cap", withLimits(func(l *verifier.Limits) { l.RegionDaily = -1 })},
		{"negative region cap for HK", withLimits(func(l *verifier.Limits) { l.RegionDailyBy = map[string]int{"HK": -1} })},
		{"unknown channel", verifier.WithChannels("fax")},
		{"nil store", verifier.WithStore(nil)},
		{"nil limiter", verifier.WithLimiter(nil)},
		{"contact send limit off", withLimits(func(l *verifier.Limits) { l.Send = limiter.Rule{} })},
		{"half a client rule", withLimits(func(l *verifier.Limits) { l.IP.Send = limiter.Rule{Limit: 5} })},
		{"deliveries off", withLimits(func(l *verifier.Limits) { l.Deliveries = limiter.Rule{} })},
		{"subject deliveries left out", withLimits(func(l *verifier.Limits) {
			l.Subject = verifier.ClientLimits{Send: limiter.Rule{Limit: 5, Window: time.Hour}}
		})},
		{"IP deliveries left on, IP sends off", withLimits(func(l *verifier.Limits) { l.IP.Send = limiter.Rule{} })},
		{"subject deliveries under its sends", withLimits(func(l *verifier.Limits) { l.Subject.Send.Limit = 5000 })},
		{"contact deliveries under its sends", withLimits(func(l *verifier.Limits) { l.Deliveries = limiter.Rule{Limit: 5, Window: time.Hour} })},
		// Off by their values: a nanosecond window, an overflowing count.
		{"verify per nanosecond", withLimits(func(l *verifier.Limits) { l.Verify.Window = time.Nanosecond })},
		{"send per nanosecond", withLimits(func(l *verifier.Limits) { l.Send.Window = time.Nanosecond })},
		{"cooldown of a nanosecond", withLimits(func(l *verifier.Limits) { l.Cooldown = time.Nanosecond })},
		{"guesses past 2^30", withLimits(func(l *verifier.Limits) { l.Guesses = 1<<30 + 1 })},
		{"send count past 2^30", withLimits(func(l *verifier.Limits) { l.Send.Limit = 1 << 62 })},
		{"region cap past 2^30", withLimits(func(l *verifier.Limits) { l.RegionDaily = 1 << 62 })},
		{"validity of a nanosecond", verifier.WithValidity(time.Nanosecond)},
	}
	for _, tt := range tests {
		if _, err := verifier.New(notify.Discard, tt.opt); err == nil {
			t.Errorf("%s: New accepted it", tt.name)
		}
	}
	if _, err := verifier.New(nil); err == nil {
		t.Error("New accepted a nil notifier")
	}
	if _, err := verifier.New(notify.Discard, verifier.WithValidity(10*time.Minute)); err != nil {
		t.Errorf("WithValidity(10m): %v", err)
	}
	// Every problem is reported, in the order of the fields of Limits.
	bad := verifier.DefaultLimits()
	bad.Guesses, bad.Send, bad.IP.Verify, bad.Cooldown = 0, limiter.Rule{}, limiter.Rule{Window: time.Hour}, -1
	_, err := verifier.New(notify.Discard, verifier.WithLimits(bad))
	want := "verifier: Limits.Guesses 0 outside 1..1073741824\n" +
		"verifier: Limits.Cooldown -1ns is neither 0 nor 1s to 366 days\n" +
		"verifier: Limits.Send may not be off\n" +
		"verifier: Limits.IP.Verify 0 per 1h0m0s is not a limit: 1 to 1073741824 per 1s to 366 days"
	if err == nil || err.Error() != want {
		t.Errorf("New with bad limits:\n%v\nwant\n%s", err, want)
	}
}

// failing backends -------------------------------------------------------

var errDown = errors.New("backend down")

type brokenStore struct {
	store.CodeStore
	save, consume, del error
}

func (b brokenStore) Save(ctx context.Context, k string, r store.Record) error {
	if b.save != nil {
		return b.save
	}
	return b.CodeStore.Save(ctx, k, r)
}

func (b brokenStore) Consume(ctx context.Context, k string, d []byte) (store.Result, error) {
	if b.consume != nil {
		return store.Match, b.consume // a broken store that even claims a match
	}
	return b.CodeStore.Consume(ctx, k, d)
}

func (b brokenStore) Delete(ctx context.Context, k string) error {
	if b.del != nil {
		return b.del
	}
	return b.CodeStore.Delete(ctx, k)
}

type brokenLimiter struct{}

func (brokenLimiter) Allow(context.Context, string, ...limiter.Rule) (limiter.Decision, error) {
	return limiter.Decision{Allowed: true}, errDown
}
func (brokenLimiter) Release(context.Context, string, time.Time) error { return errDown }

// And the pumping guard's methods, so that the guard stays on.
func (brokenLimiter) AllowAll(context.Context, []limiter.Request, []limiter.Decision) (int, error) {
	return -1, errDown
}
func (brokenLimiter) AllowSend(context.Context, []limiter.Request, limiter.GuardSend, []limiter.Decision) (limiter.SendDecision, error) {
	return limiter.SendDecision{Refused: -1}, errDown
}
func (brokenLimiter) ReleaseSend(context.Context, limiter.GuardKey, time.Time) error { return errDown }
func (brokenLimiter) Verified(context.Context, limiter.GuardKey, time.Time) error    { return errDown }

func TestFailClosed(t *testing.T) {
	mem := store.NewMemory()
	tests := []struct {
		name       string
		opt        verifier.Option
		sendFails  bool
		verifyFail bool
	}{
		{"store save", verifier.WithStore(brokenStore{CodeStore: mem, save: errDown}), true, false},
		{"store consume", verifier.WithStore(brokenStore{CodeStore: mem, consume: errDown}), false, true},
		{"limiter", verifier.WithLimiter(brokenLimiter{}), true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.opt)
			_, err := f.v.Send(context.Background(), req(phone))
			if tt.sendFails != (err != nil) {
				t.Fatalf("Send = %v", err)
			}
			if err != nil {
				var be *verifier.BackendError
				if !errors.Is(err, verifier.ErrBackend) || !errors.As(err, &be) || !errors.Is(err, errDown) {
					t.Fatalf("Send error %v is not a backend error wrapping the cause", err)
				}
				if f.rec.Len() != 0 {
					t.Fatal("a failed send delivered a code")
				}
			}
			if err := f.verify(req(phone), "123456"); tt.verifyFail && !errors.Is(err, verifier.ErrBackend) {
				t.Fatalf("Verify = %v, want ErrBackend", err)
			}
		})
	}
}

// TestDeliveryFailureLeavesNoCode: when the gateway certainly refused the
// message (Undelivered), the code is withdrawn and every limit the send
// took is given back: the user is not held to a cooldown for our failure.
func TestDeliveryFailureLeavesNoCode(t *testing.T) {
	clk := vcodetest.NewClock(start)
	var delivered []string
	fail := true
	n := delivery.NotifierFunc(func(ctx context.Context, m delivery.Message) error {
		delivered = append(delivered, m.Code)
		if fail {
			return fmt.Errorf("gateway: %w", delivery.Undelivered(errDown))
		}
		return nil
	})
	v, err := verifier.New(n, verifier.WithClock(clk.Now),
		withLimits(func(l *verifier.Limits) { l.Subject.Send = limiter.Rule{Limit: 1, Window: time.Hour} }))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, err = v.Send(ctx, req(phone))
	if !errors.Is(err, verifier.ErrBackend) || !errors.Is(err, errDown) || !errors.Is(err, delivery.ErrUndelivered) {
		t.Fatalf("Send = %v, want a backend error", err)
	}
	// The undelivered code is dead.
	if _, err := v.Verify(ctx, req(phone), delivered[0]); !errors.Is(err, verifier.ErrWrongCode) {
		t.Fatalf("undelivered code: %v, want ErrWrongCode", err)
	}
	// Neither the cooldown nor the subject's quota of one holds the user.
	fail = false
	if _, err := v.Send(ctx, req(phone)); err != nil {
		t.Fatalf("resend right after a refused delivery: %v", err)
	}
	if _, err := v.Verify(ctx, req(phone), delivered[1]); err != nil {
		t.Fatal(err)
	}
}

// TestAmbiguousDeliveryKeepsLimits: a delivery that failed in a way that
// may have sent the message (a timeout, a reset, a 5xx) counts against
// every limit, and its code stays valid, since it may arrive.
func TestAmbiguousDeliveryKeepsLimits(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
	}{
		{"plain error", errDown},
		{"timeout", context.DeadlineExceeded},
		{"cancelled", context.Canceled},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			n := delivery.NotifierFunc(func(ctx context.Context, m delivery.Message) error {
				f.rec.Notify(ctx, m) // it reached the gateway...
				return tt.err        // ...which did not say so
			})
			v, err := verifier.New(n, verifier.WithClock(f.clk.Now),
				withLimits(func(l *verifier.Limits) { l.Subject.Send = limiter.Rule{Limit: 2, Window: time.Hour} }))
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if _, err := v.Send(ctx, req(phone)); !errors.Is(err, verifier.ErrBackend) || errors.Is(err, delivery.ErrUndelivered) {
				t.Fatalf("Send = %v, want an ambiguous backend error", err)
			}
			// The cooldown holds...
			retryAfter(t, sendErr(v, req(phone)), verifier.ErrTooFrequent)
			// ...and so does the subject's quota: one of two is used.
			if _, err := v.Send(ctx, req("+8613612345679")); !errors.Is(err, verifier.ErrBackend) {
				t.Fatal(err)
			}
			retryAfter(t, sendErr(v, req("+8613612345670")), verifier.ErrTooFrequent)
			// The code that may have arrived verifies.
			code, _ := f.rec.LastCode(phone)
			if _, err := v.Verify(ctx, req(phone), code); err != nil {
				t.Fatalf("the code of an ambiguous delivery: %v", err)
			}
		})
	}
}

func sendErr(v *verifier.Verifier, r verifier.Request) error {
	_, err := v.Send(context.Background(), r)
	return err
}

// TestDeliveryDetachedFromCancel: a caller that hangs up while its code is
// on the way does not cancel the delivery, nor turn it into a failure that
// gives the limits back (the SMS-pumping-by-hanging-up attack). The
// notifier's context keeps the caller's values and is bounded by the
// delivery timeout instead.
func TestDeliveryDetachedFromCancel(t *testing.T) {
	type key struct{}
	f := newFixture(t)
	hungUp := make(chan struct{})
	var sawErr error
	var sawValue any
	var deadline time.Duration
	n := delivery.NotifierFunc(func(ctx context.Context, m delivery.Message) error {
		<-hungUp // the client is gone by now
		sawErr, sawValue = ctx.Err(), ctx.Value(key{})
		if d, ok := ctx.Deadline(); ok {
			deadline = time.Until(d)
		}
		return f.rec.Notify(ctx, m)
	})
	v, err := verifier.New(n, verifier.WithClock(f.clk.Now), verifier.WithDeliveryTimeout(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "trace"))
	done := make(chan error)
	go func() {
		_, err := v.Send(ctx, req(phone))
		done <- err
	}()
	cancel()
	close(hungUp)
	if err := <-done; err != nil {
		t.Fatalf("Send after the caller hung up: %v", err)
	}
	if sawErr != nil || sawValue != "trace" || deadline < 59*time.Minute || deadline > time.Hour {
		t.Fatalf("notifier's context: err %v, value %v, deadline in %v; want live, with the value, bounded by the delivery timeout", sawErr, sawValue, deadline)
	}
	code, ok := f.rec.LastCode(phone)
	if !ok {
		t.Fatal("nothing delivered")
	}
	retryAfter(t, sendErr(v, req(phone)), verifier.ErrTooFrequent)
	if _, err := v.Verify(context.Background(), req(phone), code); err != nil {
		t.Fatal(err)
	}
}

// TestDeliveryTimeout: a notifier that never answers is cut off by the
// delivery timeout, as an ambiguous failure.
func TestDeliveryTimeout(t *testing.T) {
	n := delivery.NotifierFunc(func(ctx context.Context, m delivery.Message) error {
		<-ctx.Done()
		return ctx.Err()
	})
	v, err := verifier.New(n, verifier.WithDeliveryTimeout(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Send(context.Background(), req(phone)); !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, delivery.ErrUndelivered) {
		t.Fatalf("Send = %v, want the delivery timeout, ambiguous", err)
	}
	retryAfter(t, sendErr(v, req(phone)), verifier.ErrTooFrequent)
	if _, err := verifier.New(n, verifier.WithDeliveryTimeout(0)); err == nil {
		t.Fatal("a zero delivery timeout was accepted")
	}
}

// TestRefusedCleanupSurvivesCancel: the clean-up after a refused delivery
// (withdraw the code, give back the limits) runs even though the caller
// is gone, on a store that honours cancellation.
func TestRefusedCleanupSurvivesCancel(t *testing.T) {
	var code string
	checking := ctxCheckingStore{store.NewMemory()}
	ctx, cancel := context.WithCancel(context.Background())
	n := delivery.NotifierFunc(func(context.Context, delivery.Message) error {
		cancel() // the client hangs up while the gateway refuses
		return delivery.Undelivered(errDown)
	})
	v, err := verifier.New(delivery.NotifierFunc(func(c context.Context, m delivery.Message) error {
		code = m.Code
		return n(c, m)
	}), verifier.WithStore(checking), testSecret)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Send(ctx, req(phone)); !errors.Is(err, delivery.ErrUndelivered) {
		t.Fatalf("Send = %v", err)
	}
	if _, err := v.Verify(context.Background(), req(phone), code); !errors.Is(err, verifier.ErrWrongCode) {
		t.Fatalf("code of a refused send: %v, want ErrWrongCode", err)
	}
}

// ctxCheckingStore fails Delete on a cancelled context, as a network store
// would.
type ctxCheckingStore struct{ store.CodeStore }

func (s ctxCheckingStore) Delete(ctx context.Context, k string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.CodeStore.Delete(ctx, k)
}

func TestClientLimits(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t,
		withLimits(func(l *verifier.Limits) {
			l.Subject = verifier.ClientLimits{Send: limiter.Rule{Limit: 2, Window: time.Hour}, Verify: limiter.Rule{Limit: 3, Window: time.Hour}, Deliveries: limiter.Rule{Limit: 4, Window: time.Hour}}
			l.IP = verifier.ClientLimits{Send: limiter.Rule{Limit: 3, Window: time.Hour}, Deliveries: limiter.Rule{Limit: 6, Window: time.Hour}}
		}))
	send := func(contact, subject, ip string) error {
		_, err := f.v.Send(ctx, verifier.Request{Contact: contact, Subject: subject, ClientIP: ip})
		return err
	}
	// The subject quota spans contacts.
	for i, c := range []string{"+8613600000001", "+8613600000002"} {
		if err := send(c, "alice", "192.0.2.1"); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	err := send("+8613600000003", "alice", "192.0.2.1")
	if got := retryAfter(t, err, verifier.ErrTooFrequent); got != time.Hour {
		t.Fatalf("subject quota retry after %v", got)
	}
	// The IP quota spans subjects: one more from bob fills it.
	if err := send("+8613600000004", "bob", "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	retryAfter(t, send("+8613600000005", "carol", "192.0.2.1"), verifier.ErrTooFrequent)
	// Another IP, and no IP at all, are not held by it.
	if err := send("+8613600000005", "carol", "192.0.2.2"); err != nil {
		t.Fatal(err)
	}
	if err := send("+8613600000006", "dave", ""); err != nil {
		t.Fatal(err)
	}
	// A refused send took nothing from the contact's own limits: the
	// contact refused above for alice's quota can still get a code.
	if err := send("+8613600000003", "erin", "192.0.2.9"); err != nil {
		t.Fatalf("contact held by another client's refusal: %v", err)
	}
	// Verification attempts per subject.
	for range 3 {
		if _, err := f.v.Verify(ctx, verifier.Request{Contact: "+8613600000009", Subject: "mallory"}, "000000"); !errors.Is(err, verifier.ErrWrongCode) {
			t.Fatal(err)
		}
	}
	_, err = f.v.Verify(ctx, verifier.Request{Contact: "+8613600000010", Subject: "mallory"}, "000000")
	retryAfter(t, err, verifier.ErrTooManyAttempts)
}

func TestClientLimitsOff(t *testing.T) {
	f := newFixture(t, withLimits(func(l *verifier.Limits) {
		l.Subject, l.IP, l.Cooldown, l.Send = verifier.ClientLimits{}, verifier.ClientLimits{}, 0, limiter.Rule{Limit: 1000, Window: time.Hour}
		l.Deliveries = l.Send
	}), verifier.WithGuard(verifier.Guard{})) // 100 unverified codes to one prefix
	for i := range 100 {
		r := verifier.Request{Contact: fmt.Sprintf("+86136%08d", i), Subject: "s", ClientIP: "192.0.2.1"}
		if _, err := f.v.Send(context.Background(), r); err != nil {
			t.Fatalf("send %d with client limits off: %v", i, err)
		}
	}
}

// TestNotifierPanicKeepsLimits: a notifier that panics fails the send
// without a panic for the caller; as nobody knows how far it got, the
// failure is ambiguous: the limits stay counted and the code stays valid.
func TestNotifierPanicKeepsLimits(t *testing.T) {
	var code string
	n := delivery.NotifierFunc(func(ctx context.Context, m delivery.Message) error {
		code = m.Code
		panic("gateway client bug")
	})
	v, err := verifier.New(n)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := v.Send(ctx, req(phone)); !errors.Is(err, verifier.ErrBackend) {
		t.Fatalf("Send with a panicking notifier: %v", err)
	}
	retryAfter(t, sendErr(v, req(phone)), verifier.ErrTooFrequent)
	if _, err := v.Verify(ctx, req(phone), code); err != nil {
		t.Fatalf("the code of an ambiguous delivery: %v", err)
	}
}

// TestCachedContactSharesLimit: attempts made before a contact was cached
// and after count against the same window, so the cached limit key is the
// computed one.
func TestCachedContactSharesLimit(t *testing.T) {
	f := newFixture(t, withLimits(func(l *verifier.Limits) { l.Verify.Limit = 2 }))
	if err := f.verify(req(phone), "000000"); !errors.Is(err, verifier.ErrWrongCode) {
		t.Fatal(err) // not cached yet: no code was ever sent
	}
	code := f.send(t, req(phone)) // now cached
	if err := f.verify(req(phone), wrong(code)); !errors.Is(err, verifier.ErrWrongCode) {
		t.Fatal(err)
	}
	if err := f.verify(req(phone), code); !errors.Is(err, verifier.ErrTooManyAttempts) {
		t.Fatalf("third attempt across the cache boundary: %v, want the shared limit", err)
	}
	// Without the cache the same sequence gives the same answers.
	g := newFixture(t, withLimits(func(l *verifier.Limits) { l.Verify.Limit = 2 }), verifier.WithContactCache(0))
	g.verify(req(phone), "000000")
	code = g.send(t, req(phone))
	g.verify(req(phone), wrong(code))
	if err := g.verify(req(phone), code); !errors.Is(err, verifier.ErrTooManyAttempts) {
		t.Fatalf("without the cache: %v", err)
	}
}
