package vcode_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/internal/smtptest"
	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/vcodetest"
	"github.com/vcodekit/vcode/verifier"
)

// The pumping test's policy: small enough that every limit binds within
// its simulated hour.
const (
	pumpCooldown    = time.Minute
	pumpContactHour = 10
	pumpSubjectHour = 6
	pumpIPHour      = 15
	pumpRegionDay   = 40
)

// pumpGateway is a slow receiver that counts what it took, whatever the
// sender later hears.
type pumpGateway struct {
	name    string
	start   func(t *testing.T, clk *vcodetest.Clock, rng *lockedRand) (delivery.Notifier, func() []taken)
	contact func(i int) string
	region  bool // an SMS gateway: the region cap applies
}

// taken is one message a gateway took: its destination, code and the
// (fake) time at which it arrived.
type taken struct {
	to, code string
	at       time.Time
}

type lockedRand struct {
	mu sync.Mutex
	r  *rand.Rand
}

func (l *lockedRand) IntN(n int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.IntN(n)
}

var pumpGateways = []pumpGateway{
	{
		name: "webhook",
		// Refuses some messages (400) and fails others (503) before taking
		// them; takes the rest, then answers after 2-10 ms, or after the
		// sender's 40 ms timeout (an ambiguous failure: taken all the same).
		start: func(t *testing.T, clk *vcodetest.Clock, rng *lockedRand) (delivery.Notifier, func() []taken) {
			var mu sync.Mutex
			var got []taken
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var m struct{ To, Code string }
				body, _ := io.ReadAll(r.Body)
				json.Unmarshal(body, &m)
				switch p := rng.IntN(100); {
				case p < 10:
					w.WriteHeader(http.StatusBadRequest)
					return
				case p < 20:
					w.WriteHeader(http.StatusServiceUnavailable)
					return
				}
				mu.Lock()
				got = append(got, taken{m.To, m.Code, clk.Now()})
				mu.Unlock()
				delay := time.Duration(2+rng.IntN(8)) * time.Millisecond
				if rng.IntN(10) == 0 {
					delay = 60 * time.Millisecond
				}
				time.Sleep(delay) // a slow gateway, not a wait for a window
			}))
			t.Cleanup(srv.Close)
			hook, err := notify.NewWebhook(notify.WebhookConfig{
				URL: srv.URL, Secret: []byte("pumping test webhook secret"),
				Timeout: 40 * time.Millisecond, Retries: 2, Backoff: time.Millisecond,
			})
			if err != nil {
				t.Fatal(err)
			}
			return hook, func() []taken {
				mu.Lock()
				defer mu.Unlock()
				return slices.Clone(got)
			}
		},
		contact: func(i int) string { return fmt.Sprintf("+861360000000%d", i) },
		region:  true,
	},
	{
		name: "smtp",
		// Refuses some messages at the end of DATA, takes some and hangs
		// up before answering (ambiguous), and hangs up at every QUIT
		// after its 250.
		start: func(t *testing.T, clk *vcodetest.Clock, rng *lockedRand) (delivery.Notifier, func() []taken) {
			srv := smtptest.Start(t)
			srv.Delay = 8 * time.Millisecond
			srv.DropAtQuit = true
			srv.OnEnd = func(int) smtptest.End {
				switch p := rng.IntN(100); {
				case p < 15:
					return smtptest.Refuse
				case p < 25:
					return smtptest.TakeAndDrop
				}
				return smtptest.Accept
			}
			mailer, err := notify.NewSMTP(notify.SMTPConfig{Addr: srv.Addr, Security: notify.Plain, From: "noreply@example.com", Timeout: 2 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			// The server keeps no times: a message is stamped with the
			// round it was first seen after (the clock is frozen within a
			// round).
			var mu sync.Mutex
			var stamped []taken
			codeIn := regexp.MustCompile(`(?:^|\D)(\d{6})(?:\D|$)`)
			codeOf := func(data string) string {
				_, body, _ := strings.Cut(data, "\r\n\r\n")
				text, _ := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
				if m := codeIn.FindStringSubmatch(string(text)); m != nil {
					return m[1]
				}
				return ""
			}
			return mailer, func() []taken {
				mu.Lock()
				defer mu.Unlock()
				for _, m := range srv.Taken()[len(stamped):] {
					stamped = append(stamped, taken{m.To, codeOf(m.Data), clk.Now()})
				}
				return slices.Clone(stamped)
			}
		},
		contact: func(i int) string { return fmt.Sprintf("victim%d@example.com", i) },
	},
}

// TestPumpingInvariant: whatever clients do (hang up at any moment, time
// out, retry, run concurrently), each contact receives at most one message
// per cooldown and at most its hourly cap per hour, and every message that
// may have left counts against the per-subject, per-IP and per-region
// quotas. Counted at the receiving end: a slow webhook gateway that
// refuses, fails and times out at random, and an SMTP server that refuses,
// drops the connection before its answer, and drops it at QUIT. Rounds of
// concurrent clients over real HTTP, each hanging up at a random moment,
// with the fake clock frozen within a round and advanced between rounds
// over a simulated hour; memory and Redis backends.
func TestPumpingInvariant(t *testing.T) {
	for _, b := range allBackends {
		for _, gw := range pumpGateways {
			t.Run(b.name+"/"+gw.name, func(t *testing.T) { runPumping(t, b, gw) })
		}
	}
}

func runPumping(t *testing.T, b backends, gw pumpGateway) {
	const (
		rounds   = 120
		clients  = 8
		contacts = 3
	)
	clk := vcodetest.NewClock(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	rng := &lockedRand{r: rand.New(rand.NewPCG(1, 2))}
	gateway, takenSoFar := gw.start(t, clk, rng)
	// Which request a message belongs to, for the per-subject counts, and
	// the (fake) time vcode handed it to the gateway's client. A message
	// is counted at that time, not at the gateway's: on a loaded machine
	// the gateway may run an attempt vcode gave up on (its 40 ms timeout,
	// ambiguous, the cooldown kept) only after the round ended and the
	// clock moved on, and its stamp would put it beside the next round's
	// legitimate message. A message the gateway took twice still counts
	// twice, at one time.
	var requestOf, handedAt sync.Map // to|code -> request id, time
	notifier := delivery.NotifierFunc(func(ctx context.Context, m delivery.Message) error {
		requestOf.Store(m.To+"|"+m.Code, m.RequestID)
		handedAt.Store(m.To+"|"+m.Code, clk.Now())
		return gateway.Notify(ctx, m)
	})
	st, lim := b.build(t, clk.Now)
	v, err := verifier.New(notifier, verifier.WithClock(clk.Now), verifier.WithStore(st), verifier.WithLimiter(lim), verifier.WithSecrets(sharedSecret),
		// Off: it would block these three numbers' prefix, rightly, and
		// this test is about what hang-ups get past the limits alone.
		verifier.WithGuard(verifier.Guard{}),
		withLimits(func(l *verifier.Limits) {
			l.Subject = verifier.ClientLimits{Send: limiter.Rule{Limit: pumpSubjectHour, Window: time.Hour}, Deliveries: limiter.Rule{Limit: 1 << 20, Window: time.Hour}}
			l.IP = verifier.ClientLimits{Send: limiter.Rule{Limit: pumpIPHour, Window: time.Hour}, Deliveries: limiter.Rule{Limit: 1 << 20, Window: time.Hour}}
			l.RegionDaily = pumpRegionDay
		}))
	if err != nil {
		t.Fatal(err)
	}
	auth, _ := httpmw.NewStaticTokens(map[string]string{"t0": "s0", "t1": "s1", "t2": "s2"})
	h, err := httpmw.New(v, auth)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	var hungUp, answered atomic.Int32
	for round := range rounds {
		// A server per round: Close waits for every request it took, so
		// no delivery of this round runs on after the clock moves.
		srv := httptest.NewServer(h)
		var wg sync.WaitGroup
		for i := range clients {
			subject := []int{0, 0, 0, 1, 1, 2}[rng.IntN(6)]
			to := gw.contact(rng.IntN(contacts))
			hangUp := time.Duration(1+rng.IntN(8)) * time.Millisecond
			if rng.IntN(10) < 3 {
				hangUp = time.Minute // this one waits for its answer
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), hangUp)
				defer cancel()
				req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+httpmw.SendPath, strings.NewReader(`{"contact":"`+to+`"}`))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Access-Token", fmt.Sprintf("t%d", subject))
				req.Header.Set("X-Request-Id", fmt.Sprintf("s%d-r%d-c%d", subject, round, i))
				resp, err := client.Do(req)
				if err != nil {
					hungUp.Add(1)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				answered.Add(1)
			}()
		}
		wg.Wait()
		srv.Close()
		takenSoFar()                                              // stamp this round's messages with its time
		clk.Advance(time.Duration(1+rng.IntN(180)) * time.Second) // three hours in all
	}

	got := takenSoFar()
	byContact := map[string][]time.Time{}
	bySubject := map[string][]time.Time{}
	var all []time.Time
	for _, m := range got {
		id, ok := requestOf.Load(m.to + "|" + m.code)
		if !ok {
			t.Fatalf("the gateway took a message vcode never handed it: %s %q", m.to, m.code)
		}
		at, _ := handedAt.Load(m.to + "|" + m.code)
		sent := at.(time.Time)
		if m.at.Before(sent) {
			t.Fatalf("the gateway took %s %q at %v, before vcode handed it over at %v", m.to, m.code, m.at, sent)
		}
		byContact[m.to] = append(byContact[m.to], sent)
		subject, _, _ := strings.Cut(id.(string), "-")
		bySubject[subject] = append(bySubject[subject], sent)
		all = append(all, sent)
	}
	t.Logf("%d messages taken by the gateway; %d clients hung up, %d answered", len(got), hungUp.Load(), answered.Load())
	if len(got) < 30 || hungUp.Load() < 10 || answered.Load() < rounds {
		t.Fatalf("too little happened to show anything: %d messages, %d hang-ups, %d answers", len(got), hungUp.Load(), answered.Load())
	}
	for to, times := range byContact {
		atMost(t, "contact "+to+" (cooldown)", times, 1, pumpCooldown)
		atMost(t, "contact "+to+" (hourly cap)", times, pumpContactHour, time.Hour)
	}
	for subject, times := range bySubject {
		atMost(t, "subject "+subject, times, pumpSubjectHour, time.Hour)
	}
	atMost(t, "the client IP", all, pumpIPHour, time.Hour)
	if gw.region {
		atMost(t, "region CN", all, pumpRegionDay, 24*time.Hour)
	}
}

// atMost fails unless times holds at most limit events in any window.
func atMost(t *testing.T, what string, times []time.Time, limit int, window time.Duration) {
	t.Helper()
	s := slices.Clone(times)
	slices.SortFunc(s, func(a, b time.Time) int { return a.Compare(b) })
	for i := range s {
		n := 1
		for j := i + 1; j < len(s) && s[j].Sub(s[i]) < window; j++ {
			n++
		}
		if n > limit {
			t.Errorf("%s received %d messages within %v from %s, limit %d", what, n, window, s[i].Format(time.TimeOnly), limit)
			return
		}
	}
}
