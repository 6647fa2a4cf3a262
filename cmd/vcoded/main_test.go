package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

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

	logs := s.stderr.String()
	if strings.Contains(logs, code) || strings.Contains(logs, "demo-token") || strings.Contains(logs, "13612345678") {
		t.Fatalf("logs leak a code, token or contact:\n%s", logs)
	}
	if err := s.stop(); err != nil {
		t.Fatalf("graceful shutdown: %v", err)
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
	body := `{"contact":"+8613612345678"}`
	if resp, msg := post(t, a.url+"/v1/usg/dcs/member/verification-code", "tok", body); resp.StatusCode != 200 {
		t.Fatalf("send through A: %d %s", resp.StatusCode, msg)
	}
	code := lastCode(t, a.stdout.String(), "+8613612345678")
	body = `{"contact":"+8613612345678","verificationCode":"` + code + `"}`
	if resp, msg := post(t, b.url+"/v1/usg/dcs/member/verification-code/verify", "tok", body); resp.StatusCode != 200 {
		t.Fatalf("verify through B: %d %s", resp.StatusCode, msg)
	}
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
		`vcode_events_total{channel="sms",op="send",outcome="sent"} 1`,
		`vcode_events_total{channel="sms",op="verify",outcome="wrong_code"} 1`,
		`vcode_codes_sent_total{channel="sms",region="CN"} 1`,
		`vcode_http_requests_total{code="",route="send",status="200"} 1`,
		`vcode_http_requests_total{code="USG.201060005",route="verify",status="400"} 1`,
		`vcode_http_request_duration_seconds_count{route="verify"} 1`,
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

func TestHealthAndReadiness(t *testing.T) {
	proxy := redistest.NewProxy(t, redistest.Addr(t))
	s := start(t, nil, map[string]string{
		"VCODE_TOKENS": "tok", "VCODE_REDIS_URL": "redis://" + proxy.Addr() + "/0", "VCODE_SECRET": "a shared secret of 16+ bytes",
		"VCODE_REDIS_PREFIX": redistest.Prefix(t),
	})
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200} {
		if status, _ := get(t, s.url+path); status != want {
			t.Fatalf("%s: %d", path, status)
		}
	}
	proxy.Cut()
	if status, _ := get(t, s.url+"/readyz"); status != 503 {
		t.Fatalf("/readyz with Redis down: %d, want 503", status)
	}
	if status, _ := get(t, s.url+"/healthz"); status != 200 {
		t.Fatalf("/healthz with Redis down: %d, want 200 (alive)", status)
	}
	proxy.Restore()
	if status, _ := get(t, s.url+"/readyz"); status != 200 {
		t.Fatalf("/readyz after Redis came back: %d", status)
	}
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
