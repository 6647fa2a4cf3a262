package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/vcodekit/vcode/internal/redistest"
	"github.com/vcodekit/vcode/notify"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type server struct {
	url            string
	stdout, stderr *syncBuffer
	stop           func() error
}

func start(t *testing.T, args []string, env map[string]string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	addrs := make(chan net.Addr, 1)
	done := make(chan error, 1)
	getenv := func(k string) string { return env[k] }
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), getenv, s.stdout, s.stderr, func(a net.Addr) { addrs <- a })
	}()
	select {
	case a := <-addrs:
		s.url = "http://" + a.String()
	case err := <-done:
		cancel()
		t.Fatalf("server did not start: %v\n%s", err, s.stderr)
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("server did not start in 10 s")
	}
	var once sync.Once
	var stopErr error
	s.stop = func() error {
		once.Do(func() { cancel(); stopErr = <-done })
		return stopErr
	}
	t.Cleanup(func() { s.stop() })
	return s
}

func post(t *testing.T, url, token, body string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Access-Token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// lastCode reads the code for to from the server's standard output, where
// the writer notifier prints one JSON object per line.
func lastCode(t *testing.T, stdout, to string) string {
	t.Helper()
	code := ""
	sc := bufio.NewScanner(strings.NewReader(stdout))
	for sc.Scan() {
		var m struct{ To, Code, Channel, Language, Expires_at string }
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("stdout line is not JSON: %q", sc.Text())
		}
		if m.To == to {
			code = m.Code
		}
	}
	if code == "" {
		t.Fatalf("no code for %s in stdout:\n%s", to, stdout)
	}
	return code
}

// TestEndToEnd starts vcoded's server on a free port and drives it over
// real HTTP, as the README's quick start does.
func TestEndToEnd(t *testing.T) {
	s := start(t, []string{"-tokens", "demo-token, second-token"}, nil)
	sendURL := s.url + "/v1/usg/dcs/member/verification-code"
	verifyURL := sendURL + "/verify"

	resp, body := post(t, sendURL, "demo-token", `{"contact":"+8613612345678","country":"chinaPR"}`)
	if resp.StatusCode != 200 || body != "" || resp.Header.Get("X-Request-Id") == "" {
		t.Fatalf("send: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	code := lastCode(t, s.stdout.String(), "+8613612345678")

	// Another token is another subject: the code is not theirs.
	resp, body = post(t, verifyURL, "second-token", `{"contact":"+8613612345678","country":"chinaPR","verificationCode":"`+code+`"}`)
	if resp.StatusCode != 400 || !strings.Contains(body, "USG.201060005") {
		t.Fatalf("verify by another subject: %d %s", resp.StatusCode, body)
	}
	resp, body = post(t, verifyURL, "demo-token", `{"contact":"+8613612345678","country":"chinaPR","verificationCode":"`+code+`"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("verify: %d %s", resp.StatusCode, body)
	}
	resp, _ = post(t, verifyURL, "wrong-token", `{}`)
	if resp.StatusCode != 401 {
		t.Fatalf("bad token: %d", resp.StatusCode)
	}

	if err := s.stop(); err != nil {
		t.Fatalf("graceful shutdown: %v", err)
	}
	// After the stop: the request lines are written asynchronously.
	logs := s.stderr.String()
	if strings.Contains(logs, code) || strings.Contains(logs, "demo-token") || strings.Contains(logs, "13612345678") {
		t.Fatalf("logs leak a code, token or contact:\n%s", logs)
	}
	if n := strings.Count(logs, `msg="vcode request"`); n != 4 {
		t.Fatalf("%d request lines, want 4:\n%s", n, logs)
	}
	if !strings.Contains(s.stderr.String(), "shutting down") {
		t.Fatal("no shutdown line")
	}
}

func TestGeneratedToken(t *testing.T) {
	s := start(t, nil, nil)
	m := regexp.MustCompile(`generated access token: ([0-9a-f]{32})`).FindStringSubmatch(s.stderr.String())
	if m == nil {
		t.Fatalf("no generated token printed:\n%s", s.stderr)
	}
	resp, body := post(t, s.url+"/v1/usg/dcs/member/verification-code", m[1], `{"contact":"user@example.com"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("send with the generated token: %d %s", resp.StatusCode, body)
	}
}

func TestEnvironment(t *testing.T) {
	s := start(t, nil, map[string]string{"VCODE_TOKENS": "env-token"})
	resp, _ := post(t, s.url+"/v1/usg/dcs/member/verification-code", "env-token", `{"contact":"user@example.com"}`)
	if resp.StatusCode != 200 || strings.Contains(s.stderr.String(), "generated") {
		t.Fatalf("VCODE_TOKENS not used: %d", resp.StatusCode)
	}
}

func TestBadArguments(t *testing.T) {
	for _, args := range [][]string{{"-nope"}, {"extra"}, {"-addr", "not an address"}} {
		err := run(context.Background(), args, func(string) string { return "" }, io.Discard, io.Discard, nil)
		if err == nil {
			t.Errorf("%q accepted", args)
		}
	}
}

// TestTimeoutsSet guards the slow-client defences documented in the package
// comment: a server without them lets a client that trickles its headers hold
// a connection forever.
func TestTimeoutsSet(t *testing.T) {
	srv := newHTTPServer(http.NotFoundHandler(), slog.New(slog.DiscardHandler))
	for name, d := range map[string]time.Duration{
		"read header": srv.ReadHeaderTimeout, "read": srv.ReadTimeout, "write": srv.WriteTimeout, "idle": srv.IdleTimeout,
	} {
		if d <= 0 || d > time.Minute {
			t.Errorf("%s timeout %v, want set and at most a minute", name, d)
		}
	}
	if srv.MaxHeaderBytes <= 0 || srv.MaxHeaderBytes > 1<<20 {
		t.Errorf("MaxHeaderBytes %d", srv.MaxHeaderBytes)
	}
}

// TestRedisBackend: two vcoded processes on one Redis and one secret; a code
// sent through one verifies through the other.
func TestRedisBackend(t *testing.T) {
	env := map[string]string{
		"VCODE_REDIS_URL":    "redis://" + redistest.Addr(t) + "/0",
		"VCODE_REDIS_PREFIX": redistest.Prefix(t), // runs must not see each other's limits
		"VCODE_SECRET":       "a secret shared by both instances",
		"VCODE_TOKENS":       "tok",
	}
	a, b := start(t, nil, env), start(t, nil, env)
	if !strings.Contains(a.stderr.String(), "backend=redis") {
		t.Fatalf("not on Redis:\n%s", a.stderr)
	}
	sendThroughVerifyThrough(t, a, b)
}

func TestRedisNeedsSecret(t *testing.T) {
	for name, env := range map[string]map[string]string{
		"no secret":    {"VCODE_REDIS_URL": "redis://127.0.0.1:1/0"},
		"bad URL":      {"VCODE_REDIS_URL": "http://x", "VCODE_SECRET": "long enough secret value"},
		"short secret": {"VCODE_SECRET": "short"},
	} {
		err := run(context.Background(), []string{"-addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, io.Discard, io.Discard, nil)
		if err == nil {
			t.Errorf("%s: vcoded started", name)
		}
	}
}

// TestDeliveryRouting: with a webhook and no SMTP, SMS and email both go to
// the webhook, signed; with SMTP only, email goes there and SMS is refused.
func TestDeliveryRouting(t *testing.T) {
	secret := "webhook secret, 16+ bytes"
	got := make(chan map[string]string, 4)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := notify.VerifySignature([]byte(secret), r.Header.Get(notify.SignatureHeader), body, 0, time.Now()); err != nil {
			t.Errorf("signature: %v", err)
		}
		var m map[string]string
		json.Unmarshal(body, &m)
		got <- m
	}))
	defer hook.Close()
	s := start(t, nil, map[string]string{"VCODE_TOKENS": "tok", "VCODE_WEBHOOK_URL": hook.URL, "VCODE_WEBHOOK_SECRET": secret})
	for _, c := range []string{"+8613612345678", "a@example.com"} {
		if resp, msg := post(t, s.url+"/v1/usg/dcs/member/verification-code", "tok", `{"contact":"`+c+`"}`); resp.StatusCode != 200 {
			t.Fatalf("send to %s: %d %s", c, resp.StatusCode, msg)
		}
		if m := <-got; m["to"] != c || len(m["code"]) != 6 {
			t.Fatalf("webhook got %v", m)
		}
	}
	if s.stdout.String() != "" {
		t.Fatalf("codes printed while a webhook is configured: %s", s.stdout)
	}

	s = start(t, nil, map[string]string{"VCODE_TOKENS": "tok", "VCODE_SMTP_URL": "smtp://127.0.0.1:1?from=noreply@example.com"})
	resp, msg := post(t, s.url+"/v1/usg/dcs/member/verification-code", "tok", `{"contact":"+8613612345678"}`)
	if resp.StatusCode != 403 || !strings.Contains(msg, "USG.201060008") {
		t.Fatalf("SMS with only SMTP configured: %d %s", resp.StatusCode, msg)
	}
	// Email goes to SMTP, which is not listening here: a 500, not stdout.
	resp, _ = post(t, s.url+"/v1/usg/dcs/member/verification-code", "tok", `{"contact":"a@example.com"}`)
	if resp.StatusCode != 500 || s.stdout.String() != "" {
		t.Fatalf("email to an unreachable SMTP server: %d, stdout %q", resp.StatusCode, s.stdout)
	}
}

func TestDeliveryFlagsChecked(t *testing.T) {
	for name, env := range map[string]map[string]string{
		"webhook without secret": {"VCODE_WEBHOOK_URL": "http://127.0.0.1:9/hook"},
		"webhook over http":      {"VCODE_WEBHOOK_URL": "http://example.com/hook", "VCODE_WEBHOOK_SECRET": "0123456789abcdef"},
		"smtp without from":      {"VCODE_SMTP_URL": "smtp://mail.example.com"},
	} {
		err := run(context.Background(), []string{"-addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, io.Discard, io.Discard, nil)
		if err == nil {
			t.Errorf("%s: vcoded started", name)
		}
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestMetricsEndpoint scrapes /metrics on its own listener after a send and
// a verify and finds the expected series.
func TestMetricsEndpoint(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := ln.Addr().String()
	ln.Close()
	s := start(t, []string{"-tokens", "tok", "-metrics-addr", metricsAddr}, nil)
	post(t, s.url+"/v1/usg/dcs/member/verification-code", "tok", `{"contact":"+8613612345678"}`)
	post(t, s.url+"/v1/usg/dcs/member/verification-code/verify", "tok", `{"contact":"+8613612345678","verificationCode":"000000"}`)

	status, body := get(t, "http://"+metricsAddr+"/metrics")
	if status != 200 {
		t.Fatalf("/metrics: %d", status)
	}
	for _, series := range []string{
		`vcode_events_total{channel="sms",op="send",outcome="sent",purpose=""} 1`,
		`vcode_events_total{channel="sms",op="verify",outcome="wrong_code",purpose=""} 1`,
		`vcode_codes_sent_total{channel="sms",region="CN"} 1`,
		`vcode_http_requests_total{code="",purpose="",route="send",route_name="",status="200"} 1`,
		`vcode_http_requests_total{code="USG.201060005",purpose="",route="verify",route_name="",status="400"} 1`,
		`vcode_http_request_duration_seconds_count{purpose="",route="verify",route_name=""} 1`,
		`vcode_operation_duration_seconds_count{op="send"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, series) {
			t.Errorf("/metrics lacks %s", series)
		}
	}
	if strings.Contains(body, "13612345678") {
		t.Error("/metrics shows a phone number")
	}
	// Not on the main listener.
	if status, _ := get(t, s.url+"/metrics"); status != 404 {
		t.Errorf("/metrics on the API listener: %d", status)
	}
}

// TestHealthAndReadiness: /readyz, and vcode_backend_ready on /metrics
// beside it, follow Redis going away and coming back; /healthz stays 200.
func TestHealthAndReadiness(t *testing.T) {
	proxy := redistest.NewProxy(t, redistest.Addr(t))
	metricsAddr := freeAddr(t)
	s := start(t, []string{"-metrics-addr", metricsAddr}, map[string]string{
		"VCODE_TOKENS": "tok", "VCODE_REDIS_URL": "redis://" + proxy.Addr() + "/0", "VCODE_SECRET": "a shared secret of 16+ bytes",
		"VCODE_REDIS_PREFIX": redistest.Prefix(t),
	})
	ready := func(when string, want int) {
		t.Helper()
		if status, _ := get(t, s.url+"/readyz"); status != want {
			t.Fatalf("/readyz %s: %d, want %d", when, status, want)
		}
		gauge := "vcode_backend_ready 1\n"
		if want != 200 {
			gauge = "vcode_backend_ready 0\n"
		}
		if _, body := get(t, "http://"+metricsAddr+"/metrics"); !strings.Contains(body, gauge) {
			t.Fatalf("/metrics %s lacks %q", when, gauge)
		}
	}
	if status, _ := get(t, s.url+"/healthz"); status != 200 {
		t.Fatalf("/healthz: %d", status)
	}
	ready("with Redis up", 200)
	proxy.Cut()
	ready("with Redis down", 503)
	if status, _ := get(t, s.url+"/healthz"); status != 200 {
		t.Fatalf("/healthz with Redis down: %d, want 200 (alive)", status)
	}
	proxy.Restore()
	ready("after Redis came back", 200)
}

// freeAddr returns a loopback address free a moment ago, for -metrics-addr.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestSlowClientDropped: a client that trickles its headers (slowloris) is
// cut off by the read-header timeout instead of holding a connection.
func TestSlowClientDropped(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the server's 5 s header timeout")
	}
	s := start(t, []string{"-tokens", "tok"}, nil)
	c, err := net.Dial("tcp", strings.TrimPrefix(s.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "POST /v1/usg/dcs/member/verification-code HTTP/1.1\r\nHost: x\r\n")
	c.SetReadDeadline(time.Now().Add(readHeaderTimeout + 5*time.Second))
	start := time.Now()
	_, err = io.ReadAll(c) // returns when the server closes the connection
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the server held a slow client for %v", time.Since(start))
	}
	if elapsed := time.Since(start); elapsed < readHeaderTimeout-time.Second {
		t.Fatalf("closed after %v, before the header timeout", elapsed)
	}
	// And the server still serves others.
	if resp, _ := post(t, s.url+"/v1/usg/dcs/member/verification-code", "tok", `{"contact":"a@example.com"}`); resp.StatusCode != 200 {
		t.Fatalf("after a slow client: %d", resp.StatusCode)
	}
}

// The secret and user name planted in the leak tests below.
const (
	leakPass = "s3cretpass"
	leakUser = "mailuser"
)

// runOnce runs vcoded in a way expected to fail at start: it returns the
// error and everything written to stderr.
func runOnce(t *testing.T, args []string, env map[string]string) (string, error) {
	t.Helper()
	var stderr syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), func(k string) string { return env[k] }, io.Discard, &stderr, func(net.Addr) { cancel() })
	return stderr.String(), err
}

// TestSecretsNotEchoed: a malformed URL holding a password, given as a flag
// or in the environment, stops vcoded, and neither the error nor anything
// printed on standard error holds the password or the user name. Each URL is
// one that url.Parse or redis.ParseURL reports with the URL or a piece of
// it quoted.
func TestSecretsNotEchoed(t *testing.T) {
	hookSecret := map[string]string{"VCODE_WEBHOOK_SECRET": "a webhook secret of 16+ bytes"}
	redisSecret := map[string]string{"VCODE_SECRET": "an HMAC secret of 16+ bytes"}
	tests := []struct {
		name  string
		flag  string // the flag, or "" for -h and stray arguments
		env   string // its environment variable
		value string
		more  map[string]string // more environment
	}{
		{"smtp bad escape", "-smtp-url", "VCODE_SMTP_URL", "smtp://" + leakUser + ":" + leakPass + "%zz@mail.example.com?from=a@example.com", nil},
		{"smtp bad port", "-smtp-url", "VCODE_SMTP_URL", "smtp://" + leakUser + ":" + leakPass + "@mail.example.com:notaport?from=a@example.com", nil},
		{"smtp slash in password", "-smtp-url", "VCODE_SMTP_URL", "smtp://" + leakUser + ":" + leakPass + "/x@mail.example.com?from=a@example.com", nil},
		{"smtp question mark in password", "-smtp-url", "VCODE_SMTP_URL", "smtp://" + leakUser + ":25?" + leakPass + "@mail.example.com&from=a@example.com", nil},
		{"smtp hash in password", "-smtp-url", "VCODE_SMTP_URL", "smtp://" + leakUser + ":25#" + leakPass + "@mail.example.com?from=a@example.com", nil},
		{"smtp without scheme", "-smtp-url", "VCODE_SMTP_URL", leakUser + ":" + leakPass + "@mail.example.com?from=a@example.com", nil},
		{"smtp control character", "-smtp-url", "VCODE_SMTP_URL", "smtp://" + leakUser + ":" + leakPass + "\n@mail.example.com?from=a@example.com", nil},
		{"redis bad escape", "-redis", "VCODE_REDIS_URL", "redis://" + leakUser + ":" + leakPass + "%zz@127.0.0.1:6379/0", redisSecret},
		{"redis slash in password", "-redis", "VCODE_REDIS_URL", "redis://" + leakUser + ":6379/" + leakPass + "@127.0.0.1:6379/0", redisSecret},
		{"redis question mark in password", "-redis", "VCODE_REDIS_URL", "redis://" + leakUser + ":6379?" + leakPass + "@127.0.0.1:6379/0", redisSecret},
		{"redis without scheme", "-redis", "VCODE_REDIS_URL", leakUser + ":" + leakPass + "@127.0.0.1:6379/0", redisSecret},
		{"redis bad option", "-redis", "VCODE_REDIS_URL", "redis://" + leakUser + ":" + leakPass + "@127.0.0.1:6379/0?dial_timeout=soon", redisSecret},
		{"redis cluster bad escape", "-redis", "VCODE_REDIS_URL", "redis+cluster://" + leakUser + ":" + leakPass + "%zz@127.0.0.1:7001,127.0.0.1:7002", redisSecret},
		{"redis cluster bad option", "-redis", "VCODE_REDIS_URL", "redis+cluster://" + leakUser + ":" + leakPass + "@127.0.0.1:7001?pool_size=" + leakPass, redisSecret},
		{"redis sentinel slash in password", "-redis", "VCODE_REDIS_URL", "redis+sentinel://" + leakUser + ":" + leakPass + "/x@127.0.0.1:26379/master", redisSecret},
		{"redis sentinel bad option", "-redis", "VCODE_REDIS_URL", "redis+sentinel://127.0.0.1:26379/master?sentinel_password=" + leakPass + "&dial_timeout=" + leakUser, redisSecret},
		{"webhook bad escape", "-webhook-url", "VCODE_WEBHOOK_URL", "https://" + leakUser + ":" + leakPass + "%zz@hook.example.com/sms", hookSecret},
		{"webhook without scheme", "-webhook-url", "VCODE_WEBHOOK_URL", leakUser + ":" + leakPass + "@hook.example.com/sms", hookSecret},
	}
	for _, tt := range tests {
		for _, via := range []string{"flag", "env"} {
			t.Run(tt.name+" by "+via, func(t *testing.T) {
				env := map[string]string{"VCODE_TOKENS": "tok"}
				for k, v := range tt.more {
					env[k] = v
				}
				var args []string
				if via == "flag" {
					args = []string{tt.flag, tt.value}
				} else {
					env[tt.env] = tt.value
				}
				stderr, err := runOnce(t, args, env)
				if err == nil {
					t.Fatal("vcoded started")
				}
				for _, s := range []string{err.Error(), stderr} {
					if strings.Contains(s, leakPass) || strings.Contains(s, leakUser) {
						t.Fatalf("the password or user name leaks:\nerror: %v\nstderr: %s", err, stderr)
					}
				}
				if !strings.Contains(err.Error(), tt.flag+":") {
					t.Errorf("the error does not name %s: %v", tt.flag, err)
				}
			})
		}
	}
}

// TestSecretsNotInUsage: -h and stray arguments print neither the secrets
// from the environment (flag defaults) nor the arguments.
func TestSecretsNotInUsage(t *testing.T) {
	env := map[string]string{
		"VCODE_TOKENS":         leakPass + "-token",
		"VCODE_WEBHOOK_SECRET": leakPass + "-webhook",
		"VCODE_SMTP_URL":       "smtp://" + leakUser + ":" + leakPass + "@mail.example.com?from=a@example.com",
		"VCODE_REDIS_URL":      "redis://" + leakUser + ":" + leakPass + "@127.0.0.1:6379/0",
		"VCODE_WEBHOOK_URL":    "https://" + leakUser + ":" + leakPass + "@hook.example.com/sms",
	}
	for _, args := range [][]string{
		{"-h"},
		{"-no-such-flag"},
		{"-webhook-secret", "two", leakPass}, // an unquoted secret with a space
	} {
		stderr, err := runOnce(t, args, env)
		if err == nil {
			t.Fatalf("%q: vcoded started", args)
		}
		if strings.Contains(err.Error()+stderr, leakPass) || strings.Contains(err.Error()+stderr, leakUser) {
			t.Errorf("%q shows a secret:\nerror: %v\nstderr: %s", args, err, stderr)
		}
	}
}

// TestParseSMTPURLHidesCredentials checks notify.ParseSMTPURL itself: its
// errors never hold the user name, the password or the query.
func TestParseSMTPURLHidesCredentials(t *testing.T) {
	for _, raw := range []string{
		"smtp://" + leakUser + ":" + leakPass + "%zz@mail.example.com?from=a@example.com",
		"smtp://" + leakUser + ":" + leakPass + "@mail.example.com:notaport?from=a@example.com",
		"smtp://" + leakUser + ":" + leakPass + "/x@mail.example.com?from=a@example.com",
		"smtp://" + leakUser + ":25/" + leakPass + "@mail.example.com?from=a@example.com",
		"smtp://" + leakUser + ":25?" + leakPass + "@mail.example.com&from=a@example.com",
		"smtp://" + leakUser + ":25#" + leakPass + "@mail.example.com?from=a@example.com",
		"smtp://" + leakUser + ":" + leakPass + "@[::1?from=a@example.com",
		leakUser + ":" + leakPass + "@mail.example.com?from=a@example.com",
		"http://" + leakUser + ":" + leakPass + "@mail.example.com?from=a@example.com",
		"smtp://" + leakUser + ":" + leakPass + "@?from=a@example.com",
		"smtp://" + leakUser + ":" + leakPass + "@mail.example.com?q=" + leakPass + "%zz",
		"smtp://" + leakUser + ":" + leakPass + "@mail.example.com?q=" + leakPass,
	} {
		_, err := notify.ParseSMTPURL(raw)
		if err == nil {
			t.Errorf("%q accepted", raw)
			continue
		}
		if strings.Contains(err.Error(), leakPass) || strings.Contains(err.Error(), leakUser) {
			t.Errorf("%q: the error shows a credential: %v", raw, err)
		}
	}
	// Percent-encoded, the same characters are fine.
	encoded := (&url.URL{Scheme: "smtp", User: url.UserPassword(leakUser, "p/?#@:%ss"), Host: "mail.example.com", RawQuery: "from=a@example.com"}).String()
	cfg, err := notify.ParseSMTPURL(encoded)
	if err != nil || cfg.Username != leakUser || cfg.Password != "p/?#@:%ss" || cfg.Addr != "mail.example.com:587" {
		t.Fatalf("encoded password: %+v, %v", cfg, err)
	}
}

// writeFile writes content to a new file in the test's directory.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestTokensFile: the tokens are read from -tokens-file or
// VCODE_TOKENS_FILE, one per line or comma-separated, comments and blank
// lines ignored.
func TestTokensFile(t *testing.T) {
	path := writeFile(t, "tokens", "# vcoded access tokens\n\nfile-token-1\n  file-token-2, file-token-3  \n#commented-token\n")
	for _, via := range []string{"flag", "env"} {
		t.Run(via, func(t *testing.T) {
			var s *server
			if via == "flag" {
				s = start(t, []string{"-tokens-file", path}, nil)
			} else {
				s = start(t, nil, map[string]string{"VCODE_TOKENS_FILE": path})
			}
			sendURL := s.url + "/v1/usg/dcs/member/verification-code"
			for i, tt := range []struct {
				token string
				want  int
			}{
				{"file-token-1", 200}, {"file-token-2", 200}, {"file-token-3", 200},
				{"#commented-token", 401}, {"commented-token", 401}, {"# vcoded access tokens", 401},
			} {
				token, want := tt.token, tt.want
				// A contact each: one contact's cooldown would refuse the second send.
				if resp, body := post(t, sendURL, token, fmt.Sprintf(`{"contact":"user%d@example.com"}`, i)); resp.StatusCode != want {
					t.Errorf("token %q: %d %s, want %d", token, resp.StatusCode, body, want)
				}
			}
			logs := s.stderr.String()
			if strings.Contains(logs, "generated") || strings.Contains(logs, "file-token") || strings.Contains(logs, "level=WARN") {
				t.Fatalf("stderr:\n%s", logs)
			}
		})
	}
}

// TestSecretFileErrors: a file that cannot be read, or holds nothing, stops
// vcoded with an error naming the file and not what it holds.
func TestSecretFileErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing")
	commentsOnly := writeFile(t, "comments", "# "+leakPass+"\n\n")
	blank := writeFile(t, "blank", " \n\n")
	hook := map[string]string{"VCODE_WEBHOOK_URL": "http://127.0.0.1:9/hook"}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		path string // the error names it
	}{
		{"missing tokens file", []string{"-tokens-file", missing}, nil, missing},
		{"missing tokens file by env", nil, map[string]string{"VCODE_TOKENS_FILE": missing}, missing},
		{"tokens file is a directory", []string{"-tokens-file", dir}, nil, dir},
		{"tokens file with only comments", []string{"-tokens-file", commentsOnly}, nil, commentsOnly},
		{"missing webhook secret file", []string{"-tokens", "tok", "-webhook-secret-file", missing}, hook, missing},
		{"blank webhook secret file", []string{"-tokens", "tok", "-webhook-secret-file", blank}, hook, blank},
		{"missing secret file", []string{"-tokens", "tok"}, map[string]string{"VCODE_SECRET_FILE": missing}, missing},
		{"secret file with only comments", []string{"-tokens", "tok"}, map[string]string{"VCODE_SECRET_FILE": commentsOnly}, commentsOnly},
	}
	for _, tt := range tests {
		stderr, err := runOnce(t, tt.args, tt.env)
		if err == nil {
			t.Errorf("%s: vcoded started", tt.name)
			continue
		}
		if !strings.Contains(err.Error(), tt.path) {
			t.Errorf("%s: the error does not name the file: %v", tt.name, err)
		}
		if strings.Contains(err.Error()+stderr, leakPass) {
			t.Errorf("%s: the file's contents are shown: %v\n%s", tt.name, err, stderr)
		}
	}
}

// TestValueAndFileExclusive: a setting given both as a value and as a file,
// by flag or environment, is an error.
func TestValueAndFileExclusive(t *testing.T) {
	tokens := writeFile(t, "tokens", "file-token\n")
	secret := writeFile(t, "secret", "a secret of 16+ bytes\n")
	hook := map[string]string{"VCODE_WEBHOOK_URL": "http://127.0.0.1:9/hook"}
	tests := []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"-tokens and -tokens-file", []string{"-tokens", "tok", "-tokens-file", tokens}, nil},
		{"VCODE_TOKENS and -tokens-file", []string{"-tokens-file", tokens}, map[string]string{"VCODE_TOKENS": "tok"}},
		{"-tokens and VCODE_TOKENS_FILE", []string{"-tokens", "tok"}, map[string]string{"VCODE_TOKENS_FILE": tokens}},
		{"-webhook-secret and -webhook-secret-file", []string{"-tokens", "tok", "-webhook-secret", "a secret of 16+ bytes", "-webhook-secret-file", secret}, hook},
		{"VCODE_WEBHOOK_SECRET and VCODE_WEBHOOK_SECRET_FILE", []string{"-tokens", "tok"},
			map[string]string{"VCODE_WEBHOOK_URL": hook["VCODE_WEBHOOK_URL"], "VCODE_WEBHOOK_SECRET": "a secret of 16+ bytes", "VCODE_WEBHOOK_SECRET_FILE": secret}},
		{"VCODE_SECRET and VCODE_SECRET_FILE", []string{"-tokens", "tok"}, map[string]string{"VCODE_SECRET": "a secret of 16+ bytes", "VCODE_SECRET_FILE": secret}},
	}
	for _, tt := range tests {
		_, err := runOnce(t, tt.args, tt.env)
		if err == nil || !strings.Contains(err.Error(), "both given") {
			t.Errorf("%s: %v, want an error saying both are given", tt.name, err)
		}
	}
}

// TestWebhookSecretFile: the webhook is signed with the secret read from
// the file, its trailing newline trimmed.
func TestWebhookSecretFile(t *testing.T) {
	secret := "webhook secret from a file, 16+ bytes"
	path := writeFile(t, "webhook-secret", secret+"\n")
	for _, via := range []string{"flag", "env"} {
		t.Run(via, func(t *testing.T) {
			got := make(chan error, 1)
			hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				got <- notify.VerifySignature([]byte(secret), r.Header.Get(notify.SignatureHeader), body, 0, time.Now())
			}))
			defer hook.Close()
			env := map[string]string{"VCODE_TOKENS": "tok", "VCODE_WEBHOOK_URL": hook.URL}
			var args []string
			if via == "flag" {
				args = []string{"-webhook-secret-file", path}
			} else {
				env["VCODE_WEBHOOK_SECRET_FILE"] = path
			}
			s := start(t, args, env)
			if resp, msg := post(t, s.url+"/v1/usg/dcs/member/verification-code", "tok", `{"contact":"+8613612345678"}`); resp.StatusCode != 200 {
				t.Fatalf("send: %d %s", resp.StatusCode, msg)
			}
			if err := <-got; err != nil {
				t.Fatalf("the signature does not verify with the file's secret: %v", err)
			}
			if logs := s.stderr.String(); strings.Contains(logs, secret) || strings.Contains(logs, "level=WARN") {
				t.Fatalf("stderr:\n%s", logs)
			}
		})
	}
}

// TestSecretFileRotation: VCODE_SECRET_FILE lists HMAC secrets like
// VCODE_SECRET; a code issued under the old secret by one instance verifies
// on an instance whose file lists a new secret first and the old one after.
func TestSecretFileRotation(t *testing.T) {
	addr, prefix := redistest.Addr(t), redistest.Prefix(t)
	oldSecret := "the old secret shared by both"
	a := start(t, nil, map[string]string{
		"VCODE_TOKENS": "tok", "VCODE_REDIS_URL": "redis://" + addr + "/0", "VCODE_REDIS_PREFIX": prefix,
		"VCODE_SECRET": oldSecret,
	})
	b := start(t, nil, map[string]string{
		"VCODE_TOKENS": "tok", "VCODE_REDIS_URL": "redis://" + addr + "/0", "VCODE_REDIS_PREFIX": prefix,
		"VCODE_SECRET_FILE": writeFile(t, "secrets", "# first issues, all verify\nthe new secret issuing from now\n\n"+oldSecret+"\n"),
	})
	sendThroughVerifyThrough(t, a, b)
}

// TestSecretFlagWarning: a secret given as a flag works, and is warned
// about by name, never by value; the same from the environment, or a URL
// without a password, is not warned about.
func TestSecretFlagWarning(t *testing.T) {
	mr := miniredis.RunT(t)
	mr.RequireAuth(leakPass)
	hook := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer hook.Close()
	hookURL, _ := url.Parse(hook.URL)
	hookURL.User = url.UserPassword(leakUser, leakPass)
	const warning = `level=WARN msg="secret on the command line is visible to other users in the process list; use `
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string // the warning's end, "" for none
	}{
		{"-tokens", []string{"-tokens", leakPass}, nil, `VCODE_TOKENS or -tokens-file" flag=-tokens`},
		{"-webhook-secret", []string{"-tokens-file", writeFile(t, "tokens", "tok"), "-webhook-url", hook.URL, "-webhook-secret", leakPass + " of 16+ bytes"}, nil,
			`VCODE_WEBHOOK_SECRET or -webhook-secret-file" flag=-webhook-secret`},
		{"-smtp-url", []string{"-smtp-url", "smtp://" + leakUser + ":" + leakPass + "@127.0.0.1:1?from=a@example.com"}, map[string]string{"VCODE_TOKENS": "tok"},
			`VCODE_SMTP_URL" flag=-smtp-url`},
		{"-redis", []string{"-redis", "redis://:" + leakPass + "@" + mr.Addr() + "/0"}, map[string]string{"VCODE_TOKENS": "tok", "VCODE_SECRET": "an HMAC secret of 16+ bytes"},
			`VCODE_REDIS_URL" flag=-redis`},
		{"-webhook-url", []string{"-webhook-url", hookURL.String()}, map[string]string{"VCODE_TOKENS": "tok", "VCODE_WEBHOOK_SECRET": "a webhook secret of 16+ bytes"},
			`VCODE_WEBHOOK_URL" flag=-webhook-url`},
		{"environment", nil, map[string]string{
			"VCODE_TOKENS": leakPass, "VCODE_SMTP_URL": "smtp://" + leakUser + ":" + leakPass + "@127.0.0.1:1?from=a@example.com",
			"VCODE_WEBHOOK_URL": hookURL.String(), "VCODE_WEBHOOK_SECRET": leakPass + " of 16+ bytes",
			"VCODE_REDIS_URL": "redis://:" + leakPass + "@" + mr.Addr() + "/0", "VCODE_SECRET": "an HMAC secret of 16+ bytes",
		}, ""},
		{"URLs without a password", []string{"-tokens-file", writeFile(t, "tokens", "tok"), "-smtp-url", "smtp://127.0.0.1:1?from=a@example.com", "-webhook-url", hook.URL},
			map[string]string{"VCODE_WEBHOOK_SECRET": "a webhook secret of 16+ bytes"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t, tt.args, tt.env)
			token := "tok"
			if tt.args != nil && tt.args[0] == "-tokens" || tt.name == "environment" {
				token = leakPass
			}
			// The secret works.
			if resp, msg := post(t, s.url+"/v1/usg/dcs/member/verification-code", token, `{"contact":"user@example.com"}`); resp.StatusCode == 401 {
				t.Fatalf("send: %d %s", resp.StatusCode, msg)
			}
			logs := s.stderr.String()
			if tt.want == "" {
				if strings.Contains(logs, "level=WARN") {
					t.Fatalf("warned:\n%s", logs)
				}
			} else if n := strings.Count(logs, warning); n != 1 || !strings.Contains(logs, warning+tt.want+"\n") {
				t.Fatalf("want one warning ending %s, got:\n%s", tt.want, logs)
			}
			if strings.Contains(logs, leakPass) || strings.Contains(logs, leakUser) {
				t.Fatalf("stderr shows the secret:\n%s", logs)
			}
		})
	}
}

// TestWebhookCredentialsNotLogged: a webhook URL carrying an API key (in
// its query or its user info) that cannot be reached gives a 500, and the
// request's log line says why without the key.
func TestWebhookCredentialsNotLogged(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close() // nothing listens there now
	for _, hook := range []string{
		"http://" + dead + "/sms?apikey=APIKEY0123456789",
		"http://gw:APIKEY0123456789@" + dead + "/sms",
	} {
		s := start(t, nil, map[string]string{"VCODE_TOKENS": "tok", "VCODE_WEBHOOK_URL": hook, "VCODE_WEBHOOK_SECRET": "webhook secret, 16+ bytes"})
		resp, msg := post(t, s.url+"/v1/usg/dcs/member/verification-code", "tok", `{"contact":"+8613612345678"}`)
		if resp.StatusCode != 500 || !strings.Contains(msg, "USG.201060500") {
			t.Fatalf("send through an unreachable webhook: %d %s", resp.StatusCode, msg)
		}
		s.stop()
		logs := s.stderr.String()
		if strings.Contains(logs, "APIKEY0123456789") {
			t.Fatalf("logs leak the webhook's API key:\n%s", logs)
		}
		if !strings.Contains(logs, "connection refused") || !strings.Contains(logs, "redacted") {
			t.Fatalf("the 500 line does not say what failed:\n%s", logs)
		}
	}
}

// TestPolicyFlags: the policy comes from flags or the environment (the
// command line wins), reaches the verifier, and bad values stop the start.
func TestPolicyFlags(t *testing.T) {
	s := start(t, []string{"-limit-subject-send", "1/1h", "-brand", "Acme", "-guard", "standard"},
		map[string]string{"VCODE_TOKENS": "tok", "VCODE_LIMIT_SUBJECT_SEND": "50/1h", "VCODE_LIMIT_COOLDOWN": "0"})
	sendURL := s.url + "/v1/usg/dcs/member/verification-code"
	if resp, body := post(t, sendURL, "tok", `{"contact":"+8613612345678"}`); resp.StatusCode != 200 {
		t.Fatalf("first send: %d %s", resp.StatusCode, body)
	}
	if !strings.Contains(s.stdout.String(), "【Acme】") {
		t.Fatalf("no brand in the message: %s", s.stdout)
	}
	// The flag's 1/1h, not the environment's 50/1h, holds the subject.
	if resp, body := post(t, sendURL, "tok", `{"contact":"+8613612345679"}`); resp.StatusCode != 429 {
		t.Fatalf("second send by one subject: %d %s, want 429", resp.StatusCode, body)
	}

	s = start(t, nil, map[string]string{"VCODE_TOKENS": "tok", "VCODE_LIMIT_SUBJECT_SEND": "off", "VCODE_LIMIT_COOLDOWN": "0", "VCODE_LIMIT_SEND": "1000/1h"})
	for i := range 45 { // past the default subject quota of 20, and its 40 deliveries: off with it; over three prefixes (the pumping guard's base is 20 each)
		if resp, body := post(t, s.url+"/v1/usg/dcs/member/verification-code", "tok", fmt.Sprintf(`{"contact":"+8613%d000000%02d"}`, 6+i%3, i)); resp.StatusCode != 200 {
			t.Fatalf("send %d with the subject quota off: %d %s", i, resp.StatusCode, body)
		}
	}

	for name, env := range map[string]map[string]string{
		"not a rule":       {"VCODE_LIMIT_SEND": "10 per hour"},
		"send off":         {"VCODE_LIMIT_SEND": "off"},
		"validity 1h":      {"VCODE_VALIDITY": "1h"},
		"guesses 0":        {"VCODE_LIMIT_GUESSES": "0"},
		"brand too long":   {"VCODE_BRAND": strings.Repeat("x", 40)},
		"negative region":  {"VCODE_LIMIT_REGION_DAILY": "-1"},
		"unknown country":  {"VCODE_DEFAULT_COUNTRY": "Atlantis"},
		"unknown guard":    {"VCODE_GUARD": "extreme"},
		"secret, no hook":  {"VCODE_WEBHOOK_SECRET": "a webhook secret of 16+ bytes"},
		"send per ns":      {"VCODE_LIMIT_SEND": "10/1ns", "VCODE_LIMIT_COOLDOWN": "0"},
		"verify per ns":    {"VCODE_LIMIT_VERIFY": "5/1ns"},
		"huge count":       {"VCODE_LIMIT_SEND": "9223372036854775807/1h"},
		"deliveries off":   {"VCODE_LIMIT_DELIVERIES": "off"},
		"fewer deliveries": {"VCODE_LIMIT_SUBJECT_SEND": "100/1h", "VCODE_LIMIT_SUBJECT_DELIVERIES": "10/1h"},
		"validity 1ns":     {"VCODE_VALIDITY": "1ns"},
		"bad proxy":        {"VCODE_TRUSTED_PROXIES": "10.0.0.0/33"},
	} {
		err := run(context.Background(), []string{"-addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, io.Discard, io.Discard, nil)
		if err == nil {
			t.Errorf("%s: vcoded started", name)
		}
	}
}

// TestRedisEvictionWarned: a Redis that may evict vcode's keys (and with
// them the rate-limit windows) is warned about at start.
func TestRedisEvictionWarned(t *testing.T) {
	if !redistest.Real() {
		t.Skip("needs a real redis-server (VCODE_TEST_REDIS)")
	}
	server := redistest.StartServer(t)
	client := redistest.NewClient(t, server.Addr())
	env := map[string]string{"VCODE_REDIS_URL": "redis://" + server.Addr() + "/0", "VCODE_SECRET": "a secret of 16+ bytes", "VCODE_TOKENS": "tok"}
	s := start(t, nil, env)
	if strings.Contains(s.stderr.String(), "maxmemory-policy") {
		t.Fatalf("warned about the default noeviction:\n%s", s.stderr)
	}
	if err := client.ConfigSet(context.Background(), "maxmemory-policy", "allkeys-lru").Err(); err != nil {
		t.Fatal(err)
	}
	s = start(t, nil, env)
	if !strings.Contains(s.stderr.String(), "maxmemory-policy=allkeys-lru") {
		t.Fatalf("no warning about eviction:\n%s", s.stderr)
	}
}

// TestTrustedProxies: behind a trusted proxy each client has its own per-IP
// quota; without -trusted-proxies they share the proxy's.
func TestTrustedProxies(t *testing.T) {
	send := func(s *server, xff, contact string) int {
		req, _ := http.NewRequest("POST", s.url+"/v1/usg/dcs/member/verification-code", strings.NewReader(`{"contact":"`+contact+`"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Access-Token", "tok")
		req.Header.Set("X-Forwarded-For", xff)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	env := map[string]string{"VCODE_TOKENS": "tok", "VCODE_LIMIT_IP_SEND": "1/1h", "VCODE_LIMIT_SUBJECT_SEND": "off"}
	shared := start(t, nil, env)
	if a, b := send(shared, "198.51.100.1", "+8613600000001"), send(shared, "198.51.100.2", "+8613600000002"); a != 200 || b != 429 {
		t.Fatalf("without trusted proxies: %d %d, want 200 429 (one quota for the proxy)", a, b)
	}
	env["VCODE_TRUSTED_PROXIES"] = "127.0.0.0/8"
	own := start(t, nil, env)
	if a, b := send(own, "198.51.100.1", "+8613600000001"), send(own, "198.51.100.2", "+8613600000002"); a != 200 || b != 200 {
		t.Fatalf("behind a trusted proxy: %d %d, want a quota per client", a, b)
	}
	if c := send(own, "198.51.100.1", "+8613600000003"); c != 429 {
		t.Fatalf("the same client again: %d, want 429", c)
	}
	env["VCODE_TRUSTED_PROXIES"] = "0.0.0.0/0"
	if wide := start(t, nil, env); !strings.Contains(wide.stderr.String(), "trusted proxy range this wide") {
		t.Fatalf("no warning about trusting every address:\n%s", wide.stderr)
	}
}

// sendThroughVerifyThrough sends a code through a (token "tok") and
// verifies it through b: two instances that must share codes.
func sendThroughVerifyThrough(t *testing.T, a, b *server) {
	t.Helper()
	if resp, msg := post(t, a.url+"/v1/usg/dcs/member/verification-code", "tok", `{"contact":"+8613612345678"}`); resp.StatusCode != 200 {
		t.Fatalf("send through A: %d %s", resp.StatusCode, msg)
	}
	code := lastCode(t, a.stdout.String(), "+8613612345678")
	body := `{"contact":"+8613612345678","verificationCode":"` + code + `"}`
	if resp, msg := post(t, b.url+"/v1/usg/dcs/member/verification-code/verify", "tok", body); resp.StatusCode != 200 {
		t.Fatalf("verify through B: %d %s", resp.StatusCode, msg)
	}
}
