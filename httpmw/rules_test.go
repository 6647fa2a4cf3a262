package httpmw_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/verifier"
)

func TestSuccessHeaders(t *testing.T) {
	e := newEnv(t, nil)
	w := e.do(call{path: httpmw.SendPath, body: sendBody, header: map[string]string{"X-Request-Id": "abc-123"}})
	if w.Code != 200 || w.Body.Len() != 0 {
		t.Fatalf("send: %d %q", w.Code, w.Body)
	}
	for k, want := range map[string]string{
		"X-Request-Id": "abc-123", "Cache-Control": "no-cache", "Pragma": "no-cache", "Content-Language": "zh-CN",
	} {
		if got := w.Header().Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	code, _ := e.rec.LastCode(phone)
	w = e.do(call{path: httpmw.VerifyPath, body: verifyBody(code)})
	if w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("Cache-Control") != "no-cache" {
		t.Fatalf("verify: %d %q %v", w.Code, w.Body, w.Header())
	}
}

func TestRequestID(t *testing.T) {
	e := newEnv(t, nil)
	hex32 := regexp.MustCompile(`^[0-9a-f]{32}$`)
	tests := []struct {
		given    string
		echoed   bool
		scenario string
	}{
		{"", false, "absent"},
		{"0123456789abcdef0123456789abcdef", true, "uuid-like"},
		{"req_1.2:3", true, "punctuation"},
		{strings.Repeat("a", 64), true, "64 bytes"},
		{strings.Repeat("a", 65), false, "65 bytes"},
		{"has space", false, "space"},
		{"tab\there", false, "control"},
		{"ünïcode", false, "non-ASCII"},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		w := e.do(call{path: httpmw.VerifyPath, body: verifyBody("123456"), header: map[string]string{"X-Request-Id": tt.given}})
		got := w.Header().Get("X-Request-Id")
		body := decodeError(t, w)
		if body.ID != got {
			t.Errorf("%s: body request_id %q, header %q", tt.scenario, body.ID, got)
		}
		if tt.echoed && got != tt.given {
			t.Errorf("%s: got %q, want the echo", tt.scenario, got)
		}
		if !tt.echoed {
			if !hex32.MatchString(got) || seen[got] {
				t.Errorf("%s: generated %q, want a fresh 32-hex id", tt.scenario, got)
			}
			seen[got] = true
		}
	}
}

func TestLanguageNegotiation(t *testing.T) {
	e := newEnv(t, nil)
	for header, want := range map[string]string{
		"": "zh-CN", "en": "en-US", "en-GB": "en-US", "en-US,en;q=0.9": "en-US", "fr-FR": "zh-CN",
		"zh-CN": "zh-CN", strings.Repeat("x", 10000): "zh-CN",
	} {
		w := e.do(call{path: httpmw.VerifyPath, body: verifyBody("123456"), header: map[string]string{"Accept-Language": header}})
		if got := w.Header().Get("Content-Language"); got != want {
			t.Errorf("Accept-Language %.20q: Content-Language %q, want %q", header, got, want)
		}
	}
}

func TestBodyEdgeCases(t *testing.T) {
	tests := []struct {
		name, body, contentType string
		code                    string
	}{
		{"empty", "", "", "USG.201060001"},
		{"whitespace only", "  \n", "", "USG.201060001"},
		{"4 KiB + 1", `{"contact":"+8613612345678","pad":"` + strings.Repeat("x", 4096-36) + `"}`, "", "USG.201060001"},
		{"invalid UTF-8", "{\"contact\":\"+86136\xff12345678\"}", "", "USG.201060001"},
		{"trailing data", sendBody + " x", "", "USG.201060001"},
		{"two objects", sendBody + sendBody, "", "USG.201060001"},
		{"array", `[` + sendBody + `]`, "", "USG.201060001"},
		{"string", `"+8613612345678"`, "", "USG.201060001"},
		{"null body", `null`, "", "USG.201060001"},
		{"number for contact", `{"contact":8613612345678}`, "", "USG.201060002"},
		{"null contact", `{"contact":null}`, "", "USG.201060002"},
		{"object for contact", `{"contact":{"a":1}}`, "", "USG.201060002"},
		{"empty contact", `{"contact":""}`, "", "USG.201060002"},
		{"256-char contact", `{"contact":"` + strings.Repeat("1", 256) + `"}`, "", "USG.201060002"},
		{"number for country", `{"contact":"+8613612345678","country":86}`, "", "USG.201060003"},
		{"content type missing", sendBody, "-", "USG.201060001"},
		{"form content type", sendBody, "application/x-www-form-urlencoded", "USG.201060001"},
		{"latin-1 charset", sendBody, "application/json; charset=iso-8859-1", "USG.201060001"},
		{"bad media type", sendBody, "application/json; charset", "USG.201060001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			c := call{path: httpmw.SendPath, body: tt.body, header: map[string]string{}}
			switch tt.contentType {
			case "-":
				c.header["Content-Type"] = ""
			case "":
			default:
				c.header["Content-Type"] = tt.contentType
			}
			w := e.do(c)
			if w.Code != 400 {
				t.Fatalf("status %d, want 400", w.Code)
			}
			if got := decodeError(t, w).Code; got != tt.code {
				t.Fatalf("error_code %s, want %s", got, tt.code)
			}
		})
	}
	// The boundary itself and the accepted variants succeed.
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "application/json;charset=UTF-8", "Application/JSON"} {
		e := newEnv(t, nil)
		body := `{"contact":"+8613612345678","country":"chinaPR","unknown":1}`
		body = body[:len(body)-1] + `,"pad":"` + strings.Repeat("x", 4096-len(body)-9) + `"}`
		if len(body) != 4096 {
			t.Fatalf("body is %d bytes", len(body))
		}
		w := e.do(call{path: httpmw.SendPath, body: body, header: map[string]string{"Content-Type": ct}})
		if w.Code != 200 {
			t.Fatalf("Content-Type %q, 4096-byte body: %d %s", ct, w.Code, w.Body)
		}
	}
}

func TestVerifyCodeField(t *testing.T) {
	e := newEnv(t, []verifier.Option{withLimits(func(l *verifier.Limits) { l.Verify.Limit = 100 })})
	code := e.send(t)
	for _, body := range []string{
		`{"contact":"+8613612345678","verificationCode":123456}`, // a number, not a string
		`{"contact":"+8613612345678","verificationCode":null}`,
		`{"contact":"+8613612345678","verificationCode":["` + code + `"]}`,
	} {
		w := e.do(call{path: httpmw.VerifyPath, body: body})
		if got := decodeError(t, w).Code; got != "USG.201060004" {
			t.Fatalf("%s: %s", body, got)
		}
	}
	// A bad contact is reported before a bad code.
	w := e.do(call{path: httpmw.VerifyPath, body: `{"contact":"nope","verificationCode":5}`})
	if got := decodeError(t, w).Code; got != "USG.201060002" {
		t.Fatalf("bad contact and code: %s", got)
	}
	// The code still verifies: none of that touched it.
	if w := e.do(call{path: httpmw.VerifyPath, body: verifyBody(code)}); w.Code != 200 {
		t.Fatalf("verify: %d %s", w.Code, w.Body)
	}
}

func TestRetryAfter(t *testing.T) {
	e := newEnv(t, nil)
	e.send(t)
	e.clk.Advance(20*time.Second + 300*time.Millisecond)
	w := e.do(call{path: httpmw.SendPath, body: sendBody})
	if w.Code != 429 || w.Header().Get("Retry-After") != "40" {
		t.Fatalf("status %d Retry-After %q, want 429 and 40 (39.7 s rounded up)", w.Code, w.Header().Get("Retry-After"))
	}
	e.clk.Advance(39*time.Second + 600*time.Millisecond)
	w = e.do(call{path: httpmw.SendPath, body: sendBody})
	if w.Header().Get("Retry-After") != "1" {
		t.Fatalf("100 ms left: Retry-After %q, want 1", w.Header().Get("Retry-After"))
	}
}

func TestPublishedStatusesOnly(t *testing.T) {
	e := newEnv(t, nil, httpmw.WithPublishedStatusesOnly())
	e.send(t)
	w := e.do(call{path: httpmw.SendPath, body: sendBody})
	if w.Code != 400 || decodeError(t, w).Code != "USG.201060007" || w.Header().Get("Retry-After") == "" {
		t.Fatalf("status %d, want 400 with USG.201060007 and Retry-After", w.Code)
	}
}

func TestMethodAndPath(t *testing.T) {
	e := newEnv(t, nil)
	for _, m := range []string{"GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"} {
		for _, p := range []string{httpmw.SendPath, httpmw.VerifyPath} {
			w := e.do(call{method: m, path: p, body: sendBody})
			if w.Code != 405 || w.Header().Get("Allow") != "POST" {
				t.Errorf("%s %s: %d, Allow %q", m, p, w.Code, w.Header().Get("Allow"))
			}
		}
	}
	for _, p := range []string{"/", "/v1/usg/dcs/member/verification-code/", "/v1/usg/dcs/member/verification-code/verify/x", "/V1/usg/dcs/member/verification-code"} {
		if w := e.do(call{path: p, body: sendBody}); w.Code != 404 {
			t.Errorf("POST %s: %d, want 404", p, w.Code)
		}
	}
	if e.rec.Len() != 0 {
		t.Fatal("a refused route sent a code")
	}
}

func TestMiddlewarePassThrough(t *testing.T) {
	e := newEnv(t, nil)
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Next", "yes")
		io.WriteString(w, "next:"+r.URL.Path)
	})
	mw := e.h.Middleware(next)
	for _, p := range []string{"/", "/app/login", "/v1/usg/dcs/member/other"} {
		w := httptest.NewRecorder()
		mw.ServeHTTP(w, httptest.NewRequest("GET", p, nil))
		if w.Body.String() != "next:"+p || w.Header().Get("X-Next") != "yes" || w.Header().Get("X-Request-Id") != "" {
			t.Errorf("%s: %q %v", p, w.Body, w.Header())
		}
	}
	w := httptest.NewRecorder()
	r := httptest.NewRequest("POST", httpmw.SendPath, strings.NewReader(sendBody))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Access-Token", token)
	mw.ServeHTTP(w, r)
	if w.Code != 200 || w.Header().Get("X-Next") != "" {
		t.Fatalf("vcode route through the middleware: %d", w.Code)
	}
}

func TestMountUnderPrefix(t *testing.T) {
	e := newEnv(t, nil)
	mux := http.NewServeMux()
	mux.Handle("/api/", http.StripPrefix("/api", e.h))
	w := httptest.NewRecorder()
	r := httptest.NewRequest("POST", "/api"+httpmw.SendPath, strings.NewReader(sendBody))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Access-Token", token)
	mux.ServeHTTP(w, r)
	if w.Code != 200 {
		t.Fatalf("under /api: %d %s", w.Code, w.Body)
	}
}

func TestPanicRecovery(t *testing.T) {
	e := newEnv(t, nil)
	srv := httptest.NewServer(e.h)
	defer srv.Close()
	post := func(tok string) *http.Response {
		r, _ := http.NewRequest("POST", srv.URL+httpmw.SendPath, strings.NewReader(sendBody))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-Access-Token", tok)
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := post("panic"); resp.StatusCode != 500 {
		t.Fatalf("panic: %d", resp.StatusCode)
	}
	if resp := post(token); resp.StatusCode != 200 {
		t.Fatalf("after a panic: %d", resp.StatusCode)
	}
	if !strings.Contains(e.logBuf.String(), "authenticator exploded") {
		t.Fatalf("the panic was not logged: %s", e.logBuf)
	}
}

func TestPerIPQuota(t *testing.T) {
	e := newEnv(t, []verifier.Option{
		withLimits(func(l *verifier.Limits) {
			l.IP, l.Subject = verifier.ClientLimits{Send: limiter.Rule{Limit: 1, Window: time.Hour}, Deliveries: limiter.Rule{Limit: 2, Window: time.Hour}}, verifier.ClientLimits{}
		}),
	}, httpmw.WithTrustedProxies("10.0.0.0/8"))
	post := func(remote, xff, contact string) int {
		r := httptest.NewRequest("POST", httpmw.SendPath, strings.NewReader(`{"contact":"`+contact+`"}`))
		r.RemoteAddr = remote
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-Access-Token", token)
		if xff != "" {
			r.Header.Set("X-Forwarded-For", xff)
		}
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, r)
		return w.Code
	}
	steps := []struct {
		remote, xff, contact string
		want                 int
	}{
		{"192.0.2.1:1000", "", "+8613600000001", 200},
		{"192.0.2.1:2000", "", "+8613600000002", 429},                       // same IP, another port
		{"192.0.2.1:2000", "198.51.100.7", "+8613600000003", 429},           // untrusted peer: header ignored
		{"10.1.1.1:80", "198.51.100.7", "+8613600000004", 200},              // trusted proxy: client from header
		{"10.1.1.1:80", "198.51.100.7, 10.2.2.2", "+8613600000005", 429},    // same client behind two proxies
		{"10.1.1.1:80", "203.0.113.9, 198.51.100.8", "+8613600000006", 200}, // spoofed left part ignored
		{"[2001:db8:1:2::1]:443", "", "+8613600000007", 200},
		{"[2001:db8:1:2:ffff::9]:443", "", "+8613600000008", 429}, // same /64
		{"[2001:db8:1:3::1]:443", "", "+8613600000009", 200},      // another /64
		{"[::ffff:192.0.2.1]:443", "", "+8613600000010", 429},     // IPv4-mapped is the IPv4 client
		// A peer with no IP (a Unix socket listener) is not let off the
		// quota: all such peers count as one.
		{"@", "", "+8613600000011", 200},
		{"@", "198.51.100.7", "+8613600000012", 429},
		{"", "", "+8613600000013", 429},
		{"[2001:db8:1:2::1%eth0]:443", "", "+8613600000014", 429}, // zone dropped
	}
	for i, s := range steps {
		if got := post(s.remote, s.xff, s.contact); got != s.want {
			t.Fatalf("step %d (%s, XFF %q): %d, want %d", i, s.remote, s.xff, got, s.want)
		}
	}
}

func TestStaticTokens(t *testing.T) {
	a, err := httpmw.NewStaticTokens(map[string]string{"t1": "one", "t2-longer": "two"})
	if err != nil {
		t.Fatal(err)
	}
	for tok, want := range map[string]string{"t1": "one", "t2-longer": "two"} {
		if got, err := a.Authenticate(nil, tok); err != nil || got != want {
			t.Errorf("%q: %q %v", tok, got, err)
		}
	}
	for _, tok := range []string{"t", "t1 ", "T1", "t2", "t2-longerx"} {
		if _, err := a.Authenticate(nil, tok); err != httpmw.ErrUnauthenticated {
			t.Errorf("%q accepted: %v", tok, err)
		}
	}
	if _, err := httpmw.NewStaticTokens(map[string]string{"": "x"}); err == nil {
		t.Error("empty token accepted")
	}
}

func TestNewValidates(t *testing.T) {
	v, _ := verifier.New(delivery.NotifierFunc(nil))
	auth, _ := httpmw.NewStaticTokens(map[string]string{"t": "s"})
	for name, fn := range map[string]func() error{
		"nil verifier":   func() error { _, err := httpmw.New(nil, auth); return err },
		"nil auth":       func() error { _, err := httpmw.New(v, nil); return err },
		"nil logger":     func() error { _, err := httpmw.New(v, auth, httpmw.WithLogger(nil)); return err },
		"tiny body":      func() error { _, err := httpmw.New(v, auth, httpmw.WithMaxBodyBytes(10)); return err },
		"bad proxy CIDR": func() error { _, err := httpmw.New(v, auth, httpmw.WithTrustedProxies("10.0.0.0/33")); return err },
	} {
		if fn() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestNewReportsEveryProblem: the options only record their values, and
// New reports every problem at once, in the order of options.go; a later
// option replaces an earlier one, the bad value it replaced included.
func TestNewReportsEveryProblem(t *testing.T) {
	v, _ := verifier.New(delivery.NotifierFunc(nil))
	defer v.Close()
	auth, _ := httpmw.NewStaticTokens(map[string]string{"t": "s"})
	_, err := httpmw.New(v, auth, httpmw.WithTrustedProxies("10.0.0.0/33"), httpmw.WithMaxBodyBytes(10), httpmw.WithLogger(nil))
	want := []string{"nil logger", "body limit 10", "trusted proxy"}
	got := ""
	if err != nil {
		got = err.Error()
	}
	lines := strings.Split(got, "\n")
	if len(lines) != len(want) {
		t.Fatalf("New with three bad options:\n%s\nwant one line for each of %q", got, want)
	}
	for i, line := range lines {
		if !strings.Contains(line, want[i]) {
			t.Errorf("problem %d: %q, want %q", i, line, want[i])
		}
	}
	if _, err := httpmw.New(v, auth, httpmw.WithMaxBodyBytes(10), httpmw.WithMaxBodyBytes(1<<10)); err != nil {
		t.Errorf("a tiny body limit replaced by a good one: %v", err)
	}
}

// TestLogsNeverShowSecrets: through sends, verifies, failures and a panic,
// the log holds one line per request with the masked contact, and never the
// token, the code or the whole contact.
func TestLogsNeverShowSecrets(t *testing.T) {
	e := newEnv(t, []verifier.Option{withLimits(func(l *verifier.Limits) { l.Verify.Limit = 100 })})
	code := e.send(t)
	e.do(call{path: httpmw.VerifyPath, body: verifyBody("000000")})
	e.do(call{path: httpmw.VerifyPath, body: verifyBody(code)})
	e.do(call{path: httpmw.SendPath, body: `{"contact":"Alice@Example.com"}`})
	e.notify = func(context.Context, delivery.Message) error {
		return errors.New("smtp: 550 mailbox bob@example.com unavailable")
	}
	e.do(call{path: httpmw.SendPath, body: `{"contact":"bob@example.com"}`})
	e.do(call{path: httpmw.SendPath, body: sendBody, header: map[string]string{"X-Access-Token": "panic"}})

	logs := e.logBuf.String()
	if n := strings.Count(logs, "\n"); n != 6 {
		t.Fatalf("%d log lines for 6 requests:\n%s", n, logs)
	}
	for _, secret := range []string{token, "panic\"", code, phone, "13612345678", "alice@example.com", "bob@example.com"} {
		if strings.Contains(logs, secret) {
			t.Errorf("log contains %q:\n%s", secret, logs)
		}
	}
	for _, want := range []string{"+86136****5678", "a***@example.com", "b***@example.com", `"route":"verify"`, `"error_code":"USG.201060005"`, `"status":500`} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
}

// TestDefences drives each send-side defence through HTTP: its status,
// error_code and Retry-After.
func TestDefences(t *testing.T) {
	tests := []struct {
		name   string
		vopts  []verifier.Option
		first  string // a request that uses up the quota
		second string
		status int
		code   string
		retry  string
		routed bool // SMS-only routing instead of vopts
	}{
		{"per-subject quota", []verifier.Option{withLimits(func(l *verifier.Limits) { l.Subject.Send = limiter.Rule{Limit: 1, Window: time.Hour} })},
			`{"contact":"+8613600000001"}`, `{"contact":"+8613600000002"}`, 429, "USG.201060007", "3600", false},
		{"per-IP quota", []verifier.Option{withLimits(func(l *verifier.Limits) { l.IP.Send = limiter.Rule{Limit: 1, Window: 10 * time.Minute} })},
			`{"contact":"+8613600000001"}`, `{"contact":"a@example.com"}`, 429, "USG.201060007", "600", false},
		{"region daily cap", []verifier.Option{withLimits(func(l *verifier.Limits) { l.RegionDaily = 1 })},
			`{"contact":"+8613600000001"}`, `{"contact":"+8613600000002"}`, 429, "USG.201060007", "86400", false},
		{"contact cooldown", nil,
			`{"contact":"+8613600000001"}`, `{"contact":"+8613600000001"}`, 429, "USG.201060007", "60", false},
		{"country allow-list", []verifier.Option{verifier.WithAllowedRegions("HK")},
			`{"contact":"+85251234567"}`, `{"contact":"+8613600000001"}`, 403, "USG.201060008", "", false},
		{"channel disabled", []verifier.Option{verifier.WithChannels(delivery.SMS)},
			`{"contact":"+8613600000001"}`, `{"contact":"a@example.com"}`, 403, "USG.201060008", "", false},
		{"no route for the channel", nil,
			`{"contact":"+8613600000001"}`, `{"contact":"a@example.com"}`, 403, "USG.201060008", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.vopts)
			if tt.routed {
				e = newRoutedEnv(t)
			}
			if w := e.do(call{path: httpmw.SendPath, body: tt.first}); w.Code != 200 {
				t.Fatalf("first: %d %s", w.Code, w.Body)
			}
			w := e.do(call{path: httpmw.SendPath, body: tt.second})
			if w.Code != tt.status || decodeError(t, w).Code != tt.code || w.Header().Get("Retry-After") != tt.retry {
				t.Fatalf("second: %d, Retry-After %q; want %d %s, Retry-After %q", w.Code, w.Header().Get("Retry-After"), tt.status, tt.code, tt.retry)
			}
		})
	}
}

// newRoutedEnv is an env whose notifier routes SMS only.
func newRoutedEnv(t *testing.T) *env {
	rec := &notify.Recorder{}
	v, err := verifier.New(notify.NewRouter(map[delivery.Channel]delivery.Notifier{delivery.SMS: rec}))
	if err != nil {
		t.Fatal(err)
	}
	auth, _ := httpmw.NewStaticTokens(map[string]string{token: "alice"})
	h, err := httpmw.New(v, auth)
	if err != nil {
		t.Fatal(err)
	}
	return &env{h: h, rec: rec}
}

type requestLog struct{ events []httpmw.RequestEvent }

func (l *requestLog) ObserveRequest(_ context.Context, e httpmw.RequestEvent) {
	l.events = append(l.events, e)
}

func TestRequestObserver(t *testing.T) {
	log := &requestLog{}
	e := newEnv(t, nil, httpmw.WithRequestObserver(log))
	e.send(t)
	e.do(call{path: httpmw.VerifyPath, body: verifyBody("000000")})
	e.do(call{method: "GET", path: httpmw.VerifyPath})
	e.do(call{path: "/elsewhere"}) // not ours: not observed
	want := []httpmw.RequestEvent{
		{Route: "send", Status: 200},
		{Route: "verify", Status: 400, ErrorCode: "USG.201060005"},
		{Route: "verify", Status: 405},
	}
	if len(log.events) != len(want) {
		t.Fatalf("%d events: %+v", len(log.events), log.events)
	}
	for i, w := range want {
		got := log.events[i]
		if got.Route != w.Route || got.Status != w.Status || got.ErrorCode != w.ErrorCode || got.Latency <= 0 {
			t.Errorf("event %d: %+v, want %+v", i, got, w)
		}
	}
}
