// Package browser drives <vcode-verify> (package widget) in a real,
// headless Chromium: the system's /usr/bin/chromium, never a download.
// The page, the widget's files and httpmw's endpoints come from an
// httptest server in this process, with a cookie session (WithSubject),
// WithSendTimes, a manual clock, and a strict Content-Security-Policy on
// the page; the codes are read from a notify.Recorder.
//
// Run it as .ci/run does:
//
//	cd interop/browser && GOWORK=off go test -race -count=1 ./...
//
// Screenshots of each state are test artifacts: with -artifacts they stay
// in -outputdir (go test -artifacts -outputdir /tmp/shots ./...).
//
// Without Chromium the test skips, unless CI is set: then it fails.
package browser

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"html/template"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/i18n"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/vcodetest"
	"github.com/vcodekit/vcode/widget"
)

// csp is the page's policy: nothing but the page's own origin, no inline
// script or style.
const csp = "default-src 'self'"

// chromium finds the browser: $VCODE_CHROMIUM, else chromium on the PATH.
// Without one it skips the test, or fails it under CI.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("VCODE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if ci := os.Getenv("CI"); ci != "" && ci != "false" && ci != "0" {
		t.Fatal("no chromium binary (apt-get install chromium); CI is set, so the browser test may not skip")
	}
	t.Skip("no chromium binary found (apt-get install chromium, or set VCODE_CHROMIUM); skipping the browser test")
	return ""
}

// newBrowser starts one headless Chromium for the test, with a fresh
// profile and no traffic of its own (no sync, updates or QUIC probes).
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(520, 640),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	bctx, cancelB := chromedp.NewContext(actx)
	t.Cleanup(cancelB)
	// Start the browser now, so that a broken binary fails here.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting %s: %v", chromium(t), err)
	}
	return bctx
}

// hooks runs in every document before its own scripts (a DevTools
// injection, not a page script: the page's CSP does not apply to it). It
// records the verified events, the CSP violations, uncaught errors and
// console warnings and errors, and lets the test drive the page's clock:
// __vcodeTest.freeze() stops Date.now, and __vcodeTest.advance(ms) shifts
// it, as the server's manual clock is.
const hooks = `(() => {
  const realNow = Date.now.bind(Date);
  let offset = 0, frozen = null;
  Date.now = () => (frozen ?? realNow()) + offset;
  const rec = { events: [], violations: [], errors: [], console: [],
    advance(ms) { offset += ms; }, freeze() { frozen = realNow(); } };
  for (const level of ['warn', 'error']) {
    const real = console[level].bind(console);
    console[level] = (...args) => { rec.console.push(level + ': ' + args.join(' ')); real(...args); };
  }
  window.__vcodeTest = rec;
  document.addEventListener('verified', (e) => rec.events.push(e.detail));
  document.addEventListener('securitypolicyviolation', (e) => rec.violations.push(e.violatedDirective + ' ' + e.blockedURI));
  window.addEventListener('error', (e) => rec.errors.push(String(e.message)));
  window.addEventListener('unhandledrejection', (e) => rec.errors.push(String(e.reason)));
})();`

// newTab opens a tab in a browser context of its own (its own cookies)
// with the hooks installed.
func newTab(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancelT)
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: hooks}); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// server is the host application of the test: a page with the widget,
// the widget's files, and the two endpoints behind a cookie session.
type server struct {
	*httptest.Server
	outbox *notify.Recorder
	clock  *vcodetest.Clock

	mu       sync.Mutex
	sessions map[string]bool
	seen     []seen // every request to /api/
}

// seen is one request to the API as the server saw it.
type seen struct {
	path, fetchSite, origin string
	session                 bool // it carried a known session cookie
	status                  int
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<title>vcode widget</title>
<link rel="stylesheet" href="/page.css">
<link rel="stylesheet" href="/vcode/vcode-verify.css">
<script defer src="/vcode/vcode-verify.js"></script>
</head>
<body>
<main>
<h1>Sign in</h1>
<vcode-verify{{with .Send}} send-url="{{.}}"{{end}}{{with .Verify}} verify-url="{{.}}"{{end}}{{with .Channel}} channel="{{.}}"{{end}}{{with .Country}} country="{{.}}"{{end}}{{with .CodeLength}} code-length="{{.}}"{{end}}{{with .Assets}} assets="{{.}}"{{end}}></vcode-verify>
</main>
</body>
</html>
`))

// pageCSS is the host page's own style sheet (the widget inherits its
// font).
const pageCSS = `body { margin: 0; font: 16px/1.5 system-ui, "Noto Sans", "WenQuanYi Zen Hei", sans-serif; color: #1b1d21; background: #f6f7f9; }
main { max-width: 26rem; margin: 1.5rem auto; padding: 1.25rem 1.75rem; background: #fff; border-radius: 0.75rem; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.1); }
h1 { margin-top: 0; font-size: 1.4rem; }
`

// newServer starts the host. Its pages set the session cookie; its API
// answers carry the manual clock's Date, as the widget counts down from
// the server's clock.
func newServer(t *testing.T, opts ...widget.Option) *server {
	t.Helper()
	v, outbox, clock := vcodetest.New(t)
	// Mid-second, as a real clock almost always is: a countdown's first
	// value then matches the cooldown exactly (see countdown-429).
	clock.Advance(250 * time.Millisecond)
	s := &server{outbox: outbox, clock: clock, sessions: map[string]bool{}}
	h, err := httpmw.New(v, nil, httpmw.WithSubject(s.subject), httpmw.WithSendTimes())
	if err != nil {
		t.Fatal(err)
	}
	assets, err := widget.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /page", s.page)
	mux.HandleFunc("GET /page.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Write([]byte(pageCSS))
	})
	mux.HandleFunc("GET /control", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", csp)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><title>control</title><p>An inline script, which the policy must refuse:</p><script>document.title = 'ran';</script>`))
	})
	mux.Handle("/vcode/", http.StripPrefix("/vcode", assets))
	// The widget's files without labels.json, as a host that copied only
	// the script, the style sheet and the countries would serve them.
	mux.Handle("/partial/", http.StripPrefix("/partial", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/labels.json" {
			http.NotFound(w, r)
			return
		}
		assets.ServeHTTP(w, r)
	})))
	mux.Handle("POST /api/send", s.dated(h.SendHandler()))
	mux.Handle("POST /api/verify", s.dated(h.VerifyHandler()))
	mux.HandleFunc("POST /api/fake", fakeAnswer)
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// fakeAnswer answers what ?answer= says: the error of that row of
// httpmw's table (rows may share a code) (its status, and its message in the request's language),
// a proxy's HTML error page ("html"), a page of the host's answered 200
// ("html200"), or a connection closed with no
// answer ("hangup").
func fakeAnswer(w http.ResponseWriter, r *http.Request) {
	answer := r.URL.Query().Get("answer")
	switch answer {
	case "html":
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		w.Write([]byte("<html><body>502 Bad Gateway</body></html>"))
		return
	case "html200": // a send-url naming a page of the host's, not the endpoint
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<html><body>Welcome</body></html>"))
		return
	case "hangup":
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
		return
	}
	lang := i18n.Default().Negotiate(r.Header.Get("Accept-Language"))
	for i, spec := range errorSpecs() {
		if strconv.Itoa(i) == answer {
			w.Header().Set("Content-Type", "application/json;charset=UTF-8")
			if spec.Status == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "5")
			}
			w.WriteHeader(spec.Status)
			json.NewEncoder(w).Encode(map[string]string{"error_code": spec.Code, "error_msg": i18n.Default().Error(lang, spec.Message), "request_id": "fake"})
			return
		}
	}
	http.Error(w, "unknown answer", http.StatusTeapot)
}

// errorSpecs is httpmw's error table with its internal-error row.
func errorSpecs() []httpmw.ErrorSpec {
	return append(httpmw.ErrorTable(), httpmw.ErrorSpec{Status: http.StatusInternalServerError, Code: httpmw.CodeInternal, Message: i18n.Internal})
}

// page serves the page with the widget, opening a session when the
// browser has none.
func (s *server) page(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie("sid"); err != nil || !s.known(c.Value) {
		var b [16]byte
		rand.Read(b[:])
		sid := hex.EncodeToString(b[:])
		s.mu.Lock()
		s.sessions[sid] = true
		s.mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: sid, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
	// The element's attributes: send-url, verify-url and channel by
	// default, each replaced by its query parameter (send, verify, channel,
	// country, code-length, assets); "none" or "" leaves it out.
	q := r.URL.Query()
	param := func(name, value string) string {
		if q.Has(name) {
			value = q.Get(name)
		}
		if value == "none" {
			return ""
		}
		return value
	}
	data := struct{ Lang, Send, Verify, Channel, Country, CodeLength, Assets string }{
		param("lang", "en-US"), param("send", "/api/send"), param("verify", "/api/verify"), param("channel", "phone"),
		param("country", ""), param("code-length", ""), param("assets", ""),
	}
	w.Header().Set("Content-Security-Policy", csp)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	pageTemplate.Execute(w, data)
}

func (s *server) known(sid string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions[sid]
}

// subject is WithSubject's function: the session cookie's user.
func (s *server) subject(r *http.Request) (string, error) {
	c, err := r.Cookie("sid")
	if err != nil || !s.known(c.Value) {
		return "", httpmw.ErrUnauthenticated
	}
	return "session-" + c.Value, nil
}

// dated sets the Date header from the manual clock (net/http keeps a Date
// already set), and records the request in s.seen.
func (s *server) dated(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", s.clock.Now().UTC().Format(http.TimeFormat))
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		_, err := s.subject(r)
		s.mu.Lock()
		s.seen = append(s.seen, seen{r.URL.Path, r.Header.Get("Sec-Fetch-Site"), r.Header.Get("Origin"), err == nil, sw.status})
		s.mu.Unlock()
	})
}

// requests returns what the API saw.
func (s *server) requests() []seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seen(nil), s.seen...)
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// freeze stops the page's clock (Date.now), so that a countdown shows
// its first value until the test advances the clock.
func freeze(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`window.__vcodeTest.freeze()`)); err != nil {
		t.Fatal(err)
	}
}

// advance moves the server's clock and the page's by d.
func (s *server) advance(t *testing.T, ctx context.Context, d time.Duration) {
	t.Helper()
	s.clock.Advance(d)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`window.__vcodeTest.advance(`+strconv.FormatInt(d.Milliseconds(), 10)+`)`)); err != nil {
		t.Fatal(err)
	}
}

// code returns the last code sent to the normalised contact.
func (s *server) code(t *testing.T, to string) string {
	t.Helper()
	code, ok := s.outbox.LastCode(to)
	if !ok {
		t.Fatalf("no code was sent to %s", to)
	}
	return code
}

// shot writes a screenshot of the tab as the artifact name.png.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(t.ArtifactDir(), name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// clean fails the test on any CSP violation or uncaught error the page
// recorded.
func clean(t *testing.T, ctx context.Context) {
	t.Helper()
	rec, err := chromedp.Run(ctx, chromedp.Evaluate[struct{ Violations, Errors []string }](`({violations: window.__vcodeTest.violations, errors: window.__vcodeTest.errors})`))
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Violations) > 0 || len(rec.Errors) > 0 {
		t.Fatalf("the page recorded CSP violations %q and errors %q", rec.Violations, rec.Errors)
	}
}
