package verifier_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/store"
	"github.com/vcodekit/vcode/verifier"
)

// spyStore records what the verifier hands the store.
type spyStore struct {
	store.CodeStore
	mu       sync.Mutex
	saved    [][]byte // keys and digests
	consumed []string
}

func (s *spyStore) Save(ctx context.Context, k string, r store.Record) error {
	s.mu.Lock()
	s.saved = append(s.saved, []byte(k), append([]byte(nil), r.Digest...))
	if r.Sealed != nil {
		s.saved = append(s.saved, append([]byte(nil), r.Sealed...))
	}
	s.mu.Unlock()
	return s.CodeStore.Save(ctx, k, r)
}

func (s *spyStore) Consume(ctx context.Context, k string, d []byte) (store.Result, error) {
	s.mu.Lock()
	s.consumed = append(s.consumed, k)
	s.mu.Unlock()
	return s.CodeStore.Consume(ctx, k, d)
}

// Peek passes on to the store it spies on, which must be a store.Peeker.
func (s *spyStore) Peek(ctx context.Context, k string) ([]byte, time.Duration, error) {
	return s.CodeStore.(store.Peeker).Peek(ctx, k)
}

// TestStoreHoldsDigestsOnly: nothing the store receives contains the code or
// the contact, in any common encoding, and the digest is keyed: the same
// code under another secret gives another digest, and it is not a plain hash.
func TestStoreHoldsDigestsOnly(t *testing.T) {
	digestUnder := func(secret string) (code string, saved [][]byte) {
		spy := &spyStore{CodeStore: store.NewMemory()}
		rec := &notify.Recorder{}
		v, err := verifier.New(rec, verifier.WithStore(spy), verifier.WithSecrets([]byte(secret)),
			verifier.WithRandomForTest(bytes.NewReader(make([]byte, 64))))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := v.Send(context.Background(), req(phone)); err != nil {
			t.Fatal(err)
		}
		code, _ = rec.LastCode(phone)
		return code, spy.saved
	}
	code1, saved1 := digestUnder("first secret, 32 bytes long.....")
	code2, saved2 := digestUnder("second secret, 32 bytes long....")
	if code1 != code2 {
		t.Fatalf("fixed randomness gave codes %q and %q", code1, code2)
	}
	if len(saved1) != 2 {
		t.Fatalf("store got %d values, want a key and a digest", len(saved1))
	}
	plain := sha256.Sum256([]byte(code1))
	for _, b := range saved1 {
		for _, secret := range []string{code1, phone, "8613612345678", "13612345678", "alice"} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("store value %x contains %q", b, secret)
			}
		}
		if bytes.Equal(b, plain[:]) {
			t.Error("digest is an unkeyed SHA-256 of the code")
		}
	}
	if bytes.Equal(saved1[1], saved2[1]) || bytes.Equal(saved1[0], saved2[0]) {
		t.Error("key or digest does not depend on the secret")
	}
	if len(saved1[1]) != sha256.Size {
		t.Errorf("digest is %d bytes, want an HMAC-SHA256", len(saved1[1]))
	}
}

// TestOneErrorForAllFailures: wrong, expired, used, exhausted and never-sent
// codes give the very same error value, so neither its text nor its
// identity tells them apart.
func TestOneErrorForAllFailures(t *testing.T) {
	f := newFixture(t, withLimits(func(l *verifier.Limits) { l.Verify.Limit, l.Guesses = 100, 1 }))
	ctx := context.Background()
	var errs []error
	collect := func(r verifier.Request, code string) {
		_, err := f.v.Verify(ctx, r, code)
		errs = append(errs, err)
	}
	collect(req("+8613900000001"), "123456") // never sent

	code := f.send(t, req(phone))
	collect(req(phone), wrong(code)) // wrong, and the cap of 1 kills it
	collect(req(phone), code)        // exhausted

	f.clk.Advance(time.Hour)
	code = f.send(t, req(phone))
	if _, err := f.v.Verify(ctx, req(phone), code); err != nil {
		t.Fatal(err)
	}
	collect(req(phone), code) // used

	code = f.send(t, req("+8613900000002"))
	f.clk.Advance(2 * time.Minute)
	collect(req("+8613900000002"), code) // expired

	for i, err := range errs {
		if err != verifier.ErrWrongCode {
			t.Errorf("case %d: error %v is not exactly ErrWrongCode", i, err)
		}
	}
}

// TestSameWorkWhetherOrNotSent: a verify touches the store the same way for
// a pending code and for none, so status, body and store traffic cannot
// tell them apart. (Timing is covered by the store's constant-time
// comparison and, end to end, by the HTTP enumeration test.)
func TestSameWorkWhetherOrNotSent(t *testing.T) {
	for _, secrets := range [][][]byte{
		{[]byte("only secret, 32 bytes long......")},
		{[]byte("new secret, 32 bytes long.......!"), []byte("old secret, 32 bytes long.......")},
	} {
		spy := &spyStore{CodeStore: store.NewMemory()}
		rec := &notify.Recorder{}
		v, err := verifier.New(rec, verifier.WithStore(spy), verifier.WithSecrets(secrets...))
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if _, err := v.Send(ctx, req(phone)); err != nil {
			t.Fatal(err)
		}
		code, _ := rec.LastCode(phone)
		_, errPending := v.Verify(ctx, req(phone), wrong(code))
		pending := len(spy.consumed)
		_, errNone := v.Verify(ctx, req("+8613900000009"), wrong(code))
		none := len(spy.consumed) - pending
		if pending != len(secrets) || none != len(secrets) {
			t.Fatalf("%d secrets: %d store calls for a pending code, %d for none", len(secrets), pending, none)
		}
		if errPending != errNone {
			t.Fatalf("errors differ: %v / %v", errPending, errNone)
		}
	}
}

func TestCodeBoundToSubjectAndPurpose(t *testing.T) {
	f := newFixture(t, withLimits(func(l *verifier.Limits) { l.Verify.Limit = 100 }))
	code := f.send(t, verifier.Request{Contact: phone, Subject: "alice", Purpose: "login"})
	for _, r := range []verifier.Request{
		{Contact: phone, Subject: "mallory", Purpose: "login"},
		{Contact: phone, Subject: "alice", Purpose: "change-phone"},
		{Contact: phone, Subject: "alicelogin"}, // field boundaries are bound too
		{Contact: "+8613612345679", Subject: "alice", Purpose: "login"},
	} {
		if err := f.verify(r, code); !errors.Is(err, verifier.ErrWrongCode) {
			t.Fatalf("%+v verified another's code: %v", r, err)
		}
	}
	// A request without a subject is refused outright: it would share
	// one binding (and one quota) with every other subject-less caller.
	if err := f.verify(verifier.Request{Contact: phone, Purpose: "login"}, code); !errors.Is(err, verifier.ErrNoSubject) {
		t.Fatalf("no subject: %v, want ErrNoSubject", err)
	}
	if _, err := f.v.Send(context.Background(), verifier.Request{Contact: phone}); !errors.Is(err, verifier.ErrNoSubject) {
		t.Fatalf("send with no subject: %v, want ErrNoSubject", err)
	}
	// Those attempts did not use up or consume alice's code.
	if err := f.verify(verifier.Request{Contact: phone, Subject: "alice", Purpose: "login"}, code); err != nil {
		t.Fatalf("owner: %v", err)
	}
}

func TestConcurrentVerifySingleUse(t *testing.T) {
	const n = 200
	f := newFixture(t, withLimits(func(l *verifier.Limits) { l.Verify.Limit, l.Subject = 10*n, verifier.ClientLimits{} }))
	code := f.send(t, req(phone))
	var ok, wrongs atomic.Int32
	var wg sync.WaitGroup
	startGate := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-startGate
			switch err := f.verify(req(phone), code); {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, verifier.ErrWrongCode):
				wrongs.Add(1)
			default:
				t.Error(err)
			}
		}()
	}
	close(startGate)
	wg.Wait()
	if ok.Load() != 1 || wrongs.Load() != n-1 {
		t.Fatalf("%d concurrent verifies of the right code: %d succeeded, %d wrong", n, ok.Load(), wrongs.Load())
	}
}

// TestConcurrentGuessesCapped: with a high per-contact limit, concurrent
// wrong guesses still kill the code after the per-code cap, so the right code
// typed later fails.
func TestConcurrentGuessesCapped(t *testing.T) {
	const n = 200
	f := newFixture(t, withLimits(func(l *verifier.Limits) { l.Verify.Limit, l.Subject = 10*n, verifier.ClientLimits{} }))
	code := f.send(t, req(phone))
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			guess := []byte(code)
			guess[5] = '0' + byte(i%9+1+int(code[5]-'0'))%10 // never the right code
			if err := f.verify(req(phone), string(guess)); !errors.Is(err, verifier.ErrWrongCode) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if err := f.verify(req(phone), code); !errors.Is(err, verifier.ErrWrongCode) {
		t.Fatalf("right code after %d concurrent wrong guesses: %v", n, err)
	}
}

// TestConcurrentVerifyLimit: the per-contact attempt limit holds under
// concurrency: of many simultaneous attempts exactly the limit get through.
func TestConcurrentVerifyLimit(t *testing.T) {
	f := newFixture(t)
	code := f.send(t, req(phone))
	var limited, through atomic.Int32
	var wg sync.WaitGroup
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := f.verify(req(phone), wrong(code))
			if errors.Is(err, verifier.ErrTooManyAttempts) {
				limited.Add(1)
			} else {
				through.Add(1)
			}
		}()
	}
	wg.Wait()
	if int(through.Load()) != defaultVerifyLimit {
		t.Fatalf("%d attempts got through the limit of %d", through.Load(), defaultVerifyLimit)
	}
}

func TestSecretRotation(t *testing.T) {
	oldS := []byte("old secret, 32 bytes long.......")
	newS := []byte("new secret, 32 bytes long.......")
	mem, lim := store.NewMemory(), limiter.NewMemory()
	ctx := context.Background()
	build := func(secrets ...[]byte) (*verifier.Verifier, *notify.Recorder) {
		rec := &notify.Recorder{}
		v, err := verifier.New(rec, verifier.WithStore(mem), verifier.WithLimiter(lim),
			verifier.WithSecrets(secrets...), withLimits(func(l *verifier.Limits) { l.Verify.Limit, l.Cooldown = 100, 0 }))
		if err != nil {
			t.Fatal(err)
		}
		return v, rec
	}
	before, beforeRec := build(oldS)
	during, duringRec := build(newS, oldS)
	after, _ := build(newS)

	// A code issued before the rotation verifies during it.
	if _, err := before.Send(ctx, req(phone)); err != nil {
		t.Fatal(err)
	}
	code, _ := beforeRec.LastCode(phone)
	if _, err := after.Verify(ctx, req(phone), code); !errors.Is(err, verifier.ErrWrongCode) {
		t.Fatalf("old-secret code verified without the old secret: %v", err)
	}
	if _, err := during.Verify(ctx, req(phone), code); err != nil {
		t.Fatalf("old-secret code during rotation: %v", err)
	}

	// A resend during the rotation kills the code issued under the old
	// secret, and its own code verifies after the old secret is gone.
	if _, err := before.Send(ctx, req(phone)); err != nil {
		t.Fatal(err)
	}
	oldCode, _ := beforeRec.LastCode(phone)
	if _, err := during.Send(ctx, req(phone)); err != nil {
		t.Fatal(err)
	}
	newCode, _ := duringRec.LastCode(phone)
	if oldCode != newCode {
		if _, err := during.Verify(ctx, req(phone), oldCode); !errors.Is(err, verifier.ErrWrongCode) {
			t.Fatalf("replaced old-secret code: %v", err)
		}
	}
	if _, err := after.Verify(ctx, req(phone), newCode); err != nil {
		t.Fatalf("new-secret code after rotation: %v", err)
	}
}

// TestNoLockoutByAnotherSubject: verification attempts count per subject
// and contact. Another subject's wrong guesses on a contact, however many,
// neither reach the owner's code (it is bound to the owner) nor lock the
// owner out of it.
func TestNoLockoutByAnotherSubject(t *testing.T) {
	f := newFixture(t)
	alice := verifier.Request{Contact: phone, Subject: "alice"}
	mallory := verifier.Request{Contact: phone, Subject: "mallory"}
	code := f.send(t, alice)
	for i := range defaultVerifyLimit {
		if err := f.verify(mallory, wrong(code)); !errors.Is(err, verifier.ErrWrongCode) {
			t.Fatalf("mallory's guess %d: %v", i, err)
		}
	}
	if err := f.verify(mallory, code); !errors.Is(err, verifier.ErrTooManyAttempts) {
		t.Fatalf("mallory past the limit: %v, want ErrTooManyAttempts", err)
	}
	if err := f.verify(alice, code); err != nil {
		t.Fatalf("alice locked out of her own code by mallory's guesses: %v", err)
	}
	// The owner's own attempts still meet the limit.
	g := newFixture(t)
	code = g.send(t, alice)
	for range defaultVerifyLimit {
		g.verify(alice, wrong(wrong(code)))
	}
	if err := g.verify(alice, code); !errors.Is(err, verifier.ErrTooManyAttempts) && !errors.Is(err, verifier.ErrWrongCode) {
		t.Fatalf("alice past her own limit: %v", err)
	}
}

// TestNoCrossSubjectTiming: one subject cannot tell, by how long a verify
// takes, whether another subject was ever sent a code for a contact. The
// parsed-contact cache made such a verify several times faster; it is now
// kept per subject. Medians of interleaved probes on contacts alice was
// sent codes for and on fresh ones must agree within 15% (one of three
// rounds, so that a noisy neighbour does not fail it; a real leak fails
// all three).
func TestNoCrossSubjectTiming(t *testing.T) {
	if testing.Short() {
		t.Skip("timing")
	}
	const n = 600
	f := newFixture(t, withLimits(func(l *verifier.Limits) {
		l.Verify.Limit, l.Subject, l.IP = 1000, verifier.ClientLimits{}, verifier.ClientLimits{}
	}), verifier.WithGuard(verifier.Guard{})) // 600 sends to one prefix at once are a burst to it
	ctx := context.Background()
	sent := make([]string, n)
	fresh := make([]string, n)
	for i := range n {
		sent[i] = fmt.Sprintf("+86136%08d", 2*i)
		fresh[i] = fmt.Sprintf("+86136%08d", 2*i+1)
		if _, err := f.v.Send(ctx, verifier.Request{Contact: sent[i], Subject: "alice"}); err != nil {
			t.Fatal(err)
		}
	}
	probe := func(c string) time.Duration {
		t0 := time.Now()
		_, err := f.v.Verify(ctx, verifier.Request{Contact: c, Subject: "mallory"}, "000000")
		d := time.Since(t0)
		if !errors.Is(err, verifier.ErrWrongCode) {
			t.Fatal(err)
		}
		return d
	}
	var ratio float64
	for round := range 3 {
		var a, b []time.Duration
		for rep := range 3 {
			for i := range n {
				if (i+rep)%2 == 0 {
					a = append(a, probe(sent[i]))
					b = append(b, probe(fresh[i]))
				} else {
					b = append(b, probe(fresh[i]))
					a = append(a, probe(sent[i]))
				}
			}
		}
		ma, mb := median(a), median(b)
		ratio = float64(ma) / float64(mb)
		t.Logf("round %d: median %v on contacts sent to by another subject, %v on fresh ones (ratio %.3f)", round, ma, mb, ratio)
		if ratio > 0.85 && ratio < 1/0.85 {
			return
		}
	}
	t.Fatalf("verify timing tells contacts another subject sent codes to from fresh ones: ratio %.3f", ratio)
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// TestRightCodeBeatsSharedQuotas: the per-IP and per-subject verify quotas
// are shared (an IP by everyone behind it); one subject spending its IP's
// quota must not keep another from their own right code. Wrong codes past
// the quota are still refused with the quota's 429, and the guesses stay
// bounded by each code's guess cap.
func TestRightCodeBeatsSharedQuotas(t *testing.T) {
	f := newFixture(t, withLimits(func(l *verifier.Limits) {
		l.IP.Verify = limiter.Rule{Limit: 3, Window: time.Hour}
	}))
	ctx := context.Background()
	const ip = "192.0.2.7"
	alice := verifier.Request{Contact: phone, Subject: "alice", ClientIP: ip}
	code := f.send(t, alice)
	// mallory, behind the same address, spends its verify quota.
	for i := range 3 {
		r := verifier.Request{Contact: fmt.Sprintf("+86136000000%02d", i), Subject: "mallory", ClientIP: ip}
		if err := f.verify(r, "000000"); !errors.Is(err, verifier.ErrWrongCode) {
			t.Fatalf("mallory's guess %d: %v", i, err)
		}
	}
	mallory := verifier.Request{Contact: "+8613600000099", Subject: "mallory", ClientIP: ip}
	var rl *verifier.RateLimitError
	if err := f.verify(mallory, "000000"); !errors.As(err, &rl) || rl.Limit != "ip" {
		t.Fatalf("mallory past the IP quota: %v, want the ip limit", err)
	}
	// alice's typo is refused by the spent quota; her right code is not.
	if err := f.verify(alice, wrong(code)); !errors.As(err, &rl) || rl.Limit != "ip" {
		t.Fatalf("alice's wrong code past the IP quota: %v, want the ip limit", err)
	}
	if _, err := f.v.Verify(ctx, alice, code); err != nil {
		t.Fatalf("alice's right code behind a spent IP quota: %v", err)
	}
	// Past the quota, guesses at a code still meet its guess cap: five
	// wrong ones kill it.
	mine := f.send(t, mallory)
	for range verifier.DefaultLimits().Guesses {
		if err := f.verify(mallory, wrong(mine)); !errors.As(err, &rl) || rl.Limit != "ip" {
			t.Fatalf("mallory's guess past the IP quota: %v, want the ip limit", err)
		}
	}
	if err := f.verify(mallory, mine); !errors.As(err, &rl) || rl.Limit != "ip" {
		t.Fatalf("mallory's right code after five wrong guesses: %v, want it dead (the ip limit's 429)", err)
	}
}
