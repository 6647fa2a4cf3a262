package vcode_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/internal/redistest"
	"github.com/vcodekit/vcode/limiter/redislimiter"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/store/redisstore"
	"github.com/vcodekit/vcode/verifier"
)

var sharedSecret = []byte("shared secret for every instance")

// instance is one vcode server on the shared Redis.
type instance struct {
	srv *httptest.Server
	rec *notify.Recorder
	v   *verifier.Verifier
}

// onRequest marks the contexts of the requests an instance serves, so
// that roundTrips tells the requests' round trips from work done after
// them.
type onRequest struct{}

func markRequests(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), onRequest{}, true)))
	})
}

func newInstance(t *testing.T, client redis.UniversalClient, prefix string, vopts ...verifier.Option) *instance {
	t.Helper()
	rec := &notify.Recorder{}
	opts := append([]verifier.Option{
		verifier.WithSecrets(sharedSecret),
		verifier.WithStore(redistest.Must(redisstore.New(client, prefix+"code:", redisstore.WithTimeout(500*time.Millisecond)))(t)),
		verifier.WithLimiter(redistest.Must(redislimiter.New(client, prefix+"limit:", redislimiter.WithTimeout(500*time.Millisecond)))(t)),
	}, vopts...)
	v, err := verifier.New(rec, opts...)
	if err != nil {
		t.Fatal(err)
	}
	auth, _ := httpmw.NewStaticTokens(map[string]string{"token": "app"})
	h, err := httpmw.New(v, auth)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(markRequests(h))
	t.Cleanup(srv.Close)
	return &instance{srv, rec, v}
}

// patientBackends are newInstance's store and limiter with a timeout of
// 10 s, for tests that put many requests in flight at once; as later
// options they replace newInstance's.
func patientBackends(t *testing.T, client redis.UniversalClient, prefix string) []verifier.Option {
	return []verifier.Option{
		verifier.WithStore(redistest.Must(redisstore.New(client, prefix+"code:", redisstore.WithTimeout(10*time.Second)))(t)),
		verifier.WithLimiter(redistest.Must(redislimiter.New(client, prefix+"limit:", redislimiter.WithTimeout(10*time.Second)))(t)),
	}
}

func (in *instance) post(t *testing.T, path, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", in.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Access-Token", "token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0, ""
	}
	defer resp.Body.Close()
	var e struct {
		Code string `json:"error_code"`
	}
	json.NewDecoder(resp.Body).Decode(&e)
	return resp.StatusCode, e.Code
}

const contactBody = `{"contact":"+8613612345678"`

func verifyJSON(code string) string { return contactBody + `,"verificationCode":"` + code + `"}` }

// TestTwoInstancesShareRedis: a code sent through one instance verifies
// through the other, once; the per-contact verify limit is shared (5 across
// both, not 10); single use holds across both under concurrency.
func TestTwoInstancesShareRedis(t *testing.T) {
	client := redistest.Client(t)
	prefix := redistest.Prefix(t)
	a, b := newInstance(t, client, prefix), newInstance(t, client, prefix)

	if st, code := a.post(t, httpmw.SendPath, contactBody+`}`); st != 200 {
		t.Fatalf("send through A: %d %s", st, code)
	}
	code, _ := a.rec.LastCode("+8613612345678")
	if st, ec := b.post(t, httpmw.VerifyPath, verifyJSON(code)); st != 200 {
		t.Fatalf("verify through B: %d %s", st, ec)
	}
	if st, ec := a.post(t, httpmw.VerifyPath, verifyJSON(code)); st != 400 || ec != httpmw.CodeWrongCode {
		t.Fatalf("verify again through A: %d %s, want the code used", st, ec)
	}

	// Two attempts were made above; three more, alternating, fill the
	// shared limit of five.
	for _, in := range []*instance{b, a, b} {
		if st, ec := in.post(t, httpmw.VerifyPath, verifyJSON("000000")); st != 400 || ec != httpmw.CodeWrongCode {
			t.Fatalf("attempt within the limit: %d %s", st, ec)
		}
	}
	for _, in := range []*instance{a, b} {
		if st, ec := in.post(t, httpmw.VerifyPath, verifyJSON("000000")); st != 429 || ec != httpmw.CodeTooManyAttempts {
			t.Fatalf("sixth attempt: %d %s, want the shared limit", st, ec)
		}
	}
	// The send cooldown is shared too.
	if st, ec := b.post(t, httpmw.SendPath, contactBody+`}`); st != 429 || ec != httpmw.CodeTooFrequent {
		t.Fatalf("resend through B within the cooldown: %d %s", st, ec)
	}
}

func TestTwoInstancesSingleUseUnderConcurrency(t *testing.T) {
	client := redistest.Client(t)
	prefix := redistest.Prefix(t)
	lift := []verifier.Option{
		withLimits(func(l *verifier.Limits) {
			l.Verify.Limit, l.Subject, l.IP = 1000, verifier.ClientLimits{}, verifier.ClientLimits{}
		}),
	}
	// 100 requests in flight on two instances: on a loaded machine a
	// Redis call may wait longer for a pooled connection than the 500 ms
	// the fault tests want, and this test is about single use, not time.
	lift = append(lift, patientBackends(t, client, prefix)...)
	a, b := newInstance(t, client, prefix, lift...), newInstance(t, client, prefix, lift...)
	if st, _ := a.post(t, httpmw.SendPath, contactBody+`}`); st != 200 {
		t.Fatal("send failed")
	}
	code, _ := a.rec.LastCode("+8613612345678")
	var ok, wrong atomic.Int32
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := a
			if i%2 == 1 {
				in = b
			}
			switch st, ec := in.post(t, httpmw.VerifyPath, verifyJSON(code)); {
			case st == 200:
				ok.Add(1)
			case ec == httpmw.CodeWrongCode:
				wrong.Add(1)
			default:
				t.Errorf("status %d %s", st, ec)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 1 || wrong.Load() != 99 {
		t.Fatalf("100 concurrent verifies across two instances: %d succeeded, %d wrong", ok.Load(), wrong.Load())
	}
}

// TestRedisDownFailsClosed: with Redis unreachable or hung, send and verify
// answer 500 USG.201060500 and never succeed; when it is back, service
// resumes with the same clients, no restart.
func TestRedisDownFailsClosed(t *testing.T) {
	proxy := redistest.NewProxy(t, redistest.Addr(t))
	client := redistest.NewClient(t, proxy.Addr())
	in := newInstance(t, client, redistest.Prefix(t), withLimits(func(l *verifier.Limits) { l.Cooldown = 0 }))
	if st, _ := in.post(t, httpmw.SendPath, contactBody+`}`); st != 200 {
		t.Fatal("send failed")
	}
	code, _ := in.rec.LastCode("+8613612345678")

	for name, breakIt := range map[string]func(){"down": proxy.Cut, "hung": proxy.Hang} {
		breakIt()
		start := time.Now()
		for _, c := range []struct{ path, body string }{
			{httpmw.SendPath, contactBody + `}`},
			{httpmw.VerifyPath, verifyJSON(code)},
		} {
			if st, ec := in.post(t, c.path, c.body); st != 500 || ec != httpmw.CodeInternal {
				t.Fatalf("%s: %s = %d %s, want 500 %s", name, c.path, st, ec, httpmw.CodeInternal)
			}
		}
		if elapsed := time.Since(start); elapsed > 10*time.Second {
			t.Fatalf("%s: two requests took %v with 500 ms backend timeouts", name, elapsed)
		}
		proxy.Restore()
	}
	// Back: the code sent before the outage still verifies, once.
	if st, ec := in.post(t, httpmw.VerifyPath, verifyJSON(code)); st != 200 {
		t.Fatalf("after recovery: %d %s", st, ec)
	}
}

// roundTrips counts the commands a client sends to Redis, each one a round
// trip (the stores use no pipelines): n those made for a request (on its
// context), all every one.
type roundTrips struct{ n, all atomic.Int64 }

func (r *roundTrips) count(ctx context.Context) {
	r.all.Add(1)
	if ctx.Value(onRequest{}) != nil {
		r.n.Add(1)
	}
}

func (r *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }
func (r *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		switch cmd.Name() {
		case "hello", "client", "ping", "info": // connection set-up and the test's own probes
		default:
			r.count(ctx)
		}
		return next(ctx, cmd)
	}
}
func (r *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		r.count(ctx)
		return next(ctx, cmds)
	}
}

// TestRoundTrips pins how many round trips a send and a verify cost with
// the Redis backends, once the scripts are cached: for an SMS send, one
// for all the limit keys and the pumping guard's decision and count of the
// send (redislimiter's AllowSend, one script on a single node) and one for
// the store; for a verify, one for its limits and one to consume. A right
// SMS code's count for the guard (its conversion, and its contact on the
// safe list) is written after the answer, off the request's path: one
// more round trip, which Flush waits for. An email send skips the guard.
// Before AllowAll, each limit key cost a round trip of its own: 4 and 4;
// before AllowSend, the guard's read of its counts cost one more (3 for
// an SMS send); before the conversions' queue, a right SMS code cost 3.
func TestRoundTrips(t *testing.T) {
	client := redistest.Client(t)
	counter := &roundTrips{}
	client.AddHook(counter)
	in := newInstance(t, client, redistest.Prefix(t))
	in.post(t, httpmw.SendPath, `{"contact":"+8613600000000"}`) // loads the scripts
	in.post(t, httpmw.VerifyPath, `{"contact":"+8613600000000","verificationCode":"000000"}`)
	warm, _ := in.rec.LastCode("+8613600000000")
	in.post(t, httpmw.VerifyPath, `{"contact":"+8613600000000","verificationCode":"`+warm+`"}`) // the guard's count too
	// That right code's conversion is written after its answer: wait for
	// it here, or it lands in the first measured request's count.
	in.v.Flush(context.Background())

	var after int64 // round trips after the request's answer
	measure := func(path, body string, want int) int64 {
		before, calls := counter.n.Load(), int64(0)
		if redistest.Real() {
			calls = evalCalls(t, client)
		}
		all := counter.all.Load()
		if st, ec := in.post(t, path, body); st != want {
			t.Fatalf("%s %s: %d %s, want %d", path, body, st, ec, want)
		}
		n := counter.n.Load() - before
		in.v.Flush(context.Background())
		after = counter.all.Load() - all - n
		// On a real server, Redis's own count of script calls agrees. It
		// is the server's, so other packages' tests running scripts on
		// the same server meanwhile can only add to it: fewer than the
		// client sent is a failure, more is their traffic.
		if redistest.Real() {
			switch got := evalCalls(t, client) - calls; {
			case got < n:
				t.Fatalf("%s: INFO commandstats counts %d script calls, the client %d commands", path, got, n)
			case got > n:
				t.Logf("%s: INFO commandstats counts %d script calls, the client %d commands: other clients ran scripts meanwhile", path, got, n)
			}
		}
		return n
	}
	// httptest's client comes from 127.0.0.1, so the per-IP rules apply.
	const mail = `{"contact":"rt@example.com"`
	for _, tt := range []struct {
		name, path, body string
		want, after      int64
	}{
		{"SMS send", httpmw.SendPath, contactBody + `}`, 2, 0},
		{"wrong code", httpmw.VerifyPath, verifyJSON("000000"), 2, 0},
		{"right SMS code", httpmw.VerifyPath, "", 2, 1},
		{"email send", httpmw.SendPath, mail + `}`, 2, 0},
		{"right email code", httpmw.VerifyPath, "", 2, 0},
	} {
		if tt.body == "" {
			to := "+8613612345678"
			if strings.Contains(tt.name, "email") {
				to = "rt@example.com"
			}
			code, ok := in.rec.LastCode(to)
			if !ok {
				t.Fatalf("%s: no code sent to %s", tt.name, to)
			}
			tt.body = `{"contact":"` + to + `","verificationCode":"` + code + `"}`
		}
		status := 200
		if tt.name == "wrong code" {
			status = 400
		}
		if got := measure(tt.path, tt.body, status); got != tt.want || after != tt.after {
			t.Errorf("%s took %d round trips, and %d after its answer; want %d and %d", tt.name, got, after, tt.want, tt.after)
		}
	}
}

// evalCalls reads the number of EVALSHA and EVAL calls from INFO
// commandstats, which miniredis lacks.
func evalCalls(t *testing.T, client *redis.Client) int64 {
	t.Helper()
	info, err := client.Info(context.Background(), "commandstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, line := range strings.Split(info, "\n") {
		for _, name := range []string{"cmdstat_evalsha:calls=", "cmdstat_eval:calls="} {
			if rest, ok := strings.CutPrefix(strings.TrimSpace(line), name); ok {
				n, _ := strconv.ParseInt(rest[:strings.IndexByte(rest, ',')], 10, 64)
				total += n
			}
		}
	}
	return total
}

// TestRedisKeyspaceHoldsNoSecrets: after sends (with the same-code resend
// keeping an encrypted copy) and verifies through the HTTP handler, a scan
// of every key and value vcode wrote finds no phone number, no email
// address, no subject and no code.
func TestRedisKeyspaceHoldsNoSecrets(t *testing.T) {
	client := redistest.Client(t)
	prefix := redistest.Prefix(t)
	in := newInstance(t, client, prefix, verifier.WithCodeLength(10), verifier.WithResendSameCode(),
		verifier.WithValidity(5*time.Minute))
	for _, c := range []string{"+8613612345678", "alice.secret@example.com"} {
		if st, ec := in.post(t, httpmw.SendPath, `{"contact":"`+c+`"}`); st != 200 {
			t.Fatalf("send %s: %d %s", c, st, ec)
		}
		in.post(t, httpmw.VerifyPath, `{"contact":"`+c+`","verificationCode":"0000000000"}`)
	}
	var secrets []string
	for _, m := range in.rec.Messages() {
		secrets = append(secrets, m.Code)
	}
	secrets = append(secrets, "8613612345678", "13612345678", "alice.secret", "example.com", "app")

	ctx := context.Background()
	var keys []string
	iter := client.Scan(ctx, 0, prefix+"*", 100).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	if len(keys) < 5 {
		t.Fatalf("only %d keys written: %v", len(keys), keys)
	}
	for _, k := range keys {
		dump := strings.TrimPrefix(k, prefix)
		switch typ := client.Type(ctx, k).Val(); typ {
		case "hash":
			for f, v := range client.HGetAll(ctx, k).Val() {
				dump += "|" + f + "=" + v
			}
		case "zset":
			for _, m := range client.ZRange(ctx, k, 0, -1).Val() {
				dump += "|" + m
			}
		default:
			t.Fatalf("key %s of unexpected type %s", k, typ)
		}
		for _, s := range secrets {
			if strings.Contains(dump, s) {
				t.Errorf("key %q and its values contain %q", k, s)
			}
		}
	}
}
