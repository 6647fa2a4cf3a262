package httpmw_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/i18n"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/vcodetest"
	"github.com/vcodekit/vcode/verifier"
)

// The endpoints' own origin in these tests, and origins of others.
const (
	siteHost   = "vcode.example.com"
	siteOrigin = "https://" + siteHost
	evilOrigin = "https://evil.example"
	// siblingOrigin is same-site but another origin: a page on another
	// subdomain of the site's registrable domain.
	siblingOrigin = "https://blog.example.com"
	widgetOrigin  = "https://widget.example.org"
)

// originFixture is a Handler on a fresh verifier, served in one of the
// three forms, authenticating by a session cookie (WithSubject) or by
// X-Access-Token, counting the subject look-ups and what reaches the
// host's own handler behind Middleware.
type originFixture struct {
	srv          http.Handler
	outbox       *notify.Recorder
	sendPath     string
	verifyPath   string
	token        bool
	subjectCalls atomic.Int64
	nextCalls    atomic.Int64
	events       *requestLog
}

// originForms are the three ways to serve a Handler.
var originForms = []struct {
	name  string
	serve func(f *originFixture, h *httpmw.Handler) http.Handler
	paths [2]string
}{
	{"ServeHTTP", func(_ *originFixture, h *httpmw.Handler) http.Handler { return h }, [2]string{httpmw.SendPath, httpmw.VerifyPath}},
	{"Middleware", func(f *originFixture, h *httpmw.Handler) http.Handler {
		return h.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { f.nextCalls.Add(1) }))
	}, [2]string{httpmw.SendPath, httpmw.VerifyPath}},
	{"SendHandler", func(_ *originFixture, h *httpmw.Handler) http.Handler {
		mux := http.NewServeMux()
		mux.Handle("POST /account/otp/send", h.SendHandler())
		mux.Handle("POST /account/otp/verify", h.VerifyHandler())
		return mux
	}, [2]string{"/account/otp/send", "/account/otp/verify"}},
}

// newOriginFixture builds the fixture; the verify limit is one attempt a
// minute, so that a refused request that spent an attempt would make the
// next one a 429, and the send's cooldown does the same for sends.
func newOriginFixture(t *testing.T, form int, token bool, opts ...httpmw.Option) *originFixture {
	t.Helper()
	f := &originFixture{token: token, events: &requestLog{}}
	v, outbox, _ := vcodetest.New(t, withLimits(func(l *verifier.Limits) { l.Verify.Limit = 1 }))
	f.outbox = outbox
	var auth httpmw.Authenticator
	opts = append([]httpmw.Option{httpmw.WithRequestObserver(f.events)}, opts...)
	if token {
		auth = httpmw.AuthenticatorFunc(func(_ *http.Request, tok string) (string, error) {
			f.subjectCalls.Add(1)
			if tok != "app-token" {
				return "", httpmw.ErrUnauthenticated
			}
			return "app", nil
		})
	} else {
		opts = append(opts, httpmw.WithSubject(func(r *http.Request) (string, error) {
			f.subjectCalls.Add(1)
			c, err := r.Cookie("session")
			if err != nil {
				return "", httpmw.ErrUnauthenticated
			}
			return "user-" + c.Value, nil
		}))
	}
	h, err := httpmw.New(v, auth, opts...)
	if err != nil {
		t.Fatal(err)
	}
	f.srv = originForms[form].serve(f, h)
	f.sendPath, f.verifyPath = originForms[form].paths[0], originForms[form].paths[1]
	return f
}

// do posts body to path on the site's host as a browser on the site
// would: JSON, with the user's session cookie (or the token), then the
// given headers ("" deletes one).
func (f *originFixture) do(path, body string, header map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", siteOrigin+path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if f.token {
		r.Header.Set("X-Access-Token", "app-token")
	} else {
		r.AddCookie(&http.Cookie{Name: "session", Value: "42"})
	}
	for k, v := range header {
		if v == "" {
			r.Header.Del(k)
		} else {
			r.Header.Set(k, v)
		}
	}
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, r)
	return w
}

// sameOrigin are the headers of a request from the site's own page.
var sameOrigin = map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": siteOrigin}

// forgedRequests are requests a page on another origin makes a browser
// send, with the user's cookie.
var forgedRequests = []struct {
	name   string
	header map[string]string
}{
	{"Sec-Fetch-Site cross-site", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": evilOrigin}},
	{"Sec-Fetch-Site cross-site without Origin", map[string]string{"Sec-Fetch-Site": "cross-site"}},
	{"Sec-Fetch-Site same-site: another subdomain", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": siblingOrigin}},
	{"Sec-Fetch-Site cross-site: the site over plain HTTP", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "http://" + siteHost}},
	{"Origin of another host, no Sec-Fetch-Site", map[string]string{"Origin": evilOrigin}},
	{"Origin of another port, no Sec-Fetch-Site", map[string]string{"Origin": siteOrigin + ":8443"}},
	{"Origin null (a sandboxed frame), no Sec-Fetch-Site", map[string]string{"Origin": "null"}},
	{"Sec-Fetch-Site cross-site from an untrusted origin, beside a trusted one", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": widgetOrigin + ":8443"}},
}

// TestCrossOriginRefused: a request a page on another origin makes a
// browser send, with the user's session cookie (or with a token), is
// refused with 403 USG.000000005 and i18n.CrossOrigin in the client's
// language, in every form a Handler is served in, before the subject is
// looked up and before the body is read: no code is sent, no code is
// consumed, no attempt or quota is spent, the host's handler behind
// Middleware is not called, and the refusal is observed like any other.
func TestCrossOriginRefused(t *testing.T) {
	for form := range originForms {
		for _, token := range []bool{false, true} {
			for _, forged := range forgedRequests {
				t.Run(originForms[form].name+"/"+modeName(token)+"/"+forged.name, func(t *testing.T) {
					f := newOriginFixture(t, form, token, httpmw.WithTrustedOrigins(widgetOrigin))
					header := map[string]string{"Accept-Language": "en-US", "X-Request-Id": "forged"}
					for k, v := range forged.header {
						header[k] = v
					}
					for _, lang := range []string{"en-US", "zh-CN"} {
						header["Accept-Language"] = lang
						f.refused(t, f.sendPath, sendBody, header, lang)
					}
					if n := f.outbox.Len(); n != 0 {
						t.Fatalf("forged sends delivered %d messages", n)
					}
					if w := f.do(f.sendPath, sendBody, sameOrigin); w.Code != 200 {
						t.Fatalf("the user's own send after forged ones: %d %s, want 200 (a forged send took the cooldown)", w.Code, w.Body)
					}
					code, _ := f.outbox.LastCode(phone)
					f.refused(t, f.verifyPath, verifyBody(code), header, "zh-CN")
					f.refused(t, f.verifyPath, verifyBody("000000"), header, "zh-CN")
					if w := f.do(f.verifyPath, verifyBody(code), sameOrigin); w.Code != 200 {
						t.Fatalf("the user's own verify after forged ones: %d %s, want 200 (a forged verify consumed the code or spent the attempt)", w.Code, w.Body)
					}
					if n := f.nextCalls.Load(); n != 0 {
						t.Fatalf("Middleware passed %d forged requests to the host's handler", n)
					}
				})
			}
		}
	}
}

// refused posts body to path with header and checks that the answer is
// the cross-origin refusal in lang, that the subject was not looked up for
// it, and that it was observed.
func (f *originFixture) refused(t *testing.T, path, body string, header map[string]string, lang string) {
	t.Helper()
	calls := f.subjectCalls.Load()
	w := f.do(path, body, header)
	if w.Code != http.StatusForbidden {
		t.Fatalf("status %d %s, want 403", w.Code, w.Body)
	}
	tag := i18n.ZhCN
	if lang == "en-US" {
		tag = i18n.EnUS
	}
	want := errorResponse{httpmw.CodeForbidden, i18n.Default().Error(tag, i18n.CrossOrigin), "forged"}
	if got := decodeError(t, w); got != want {
		t.Fatalf("body %+v\nwant %+v", got, want)
	}
	if n := f.subjectCalls.Load() - calls; n != 0 {
		t.Fatalf("the subject was looked up for a forged request (%d calls)", n)
	}
	last := f.events.events[len(f.events.events)-1]
	if last.Status != http.StatusForbidden || last.ErrorCode != httpmw.CodeForbidden {
		t.Fatalf("observed %+v, want the 403 %s", last, httpmw.CodeForbidden)
	}
}

// TestCrossOriginPasses: the site's own pages, programs that are no
// browser, and trusted origins are served, in every form and mode.
func TestCrossOriginPasses(t *testing.T) {
	for _, tt := range []struct {
		name   string
		header map[string]string
	}{
		{"Sec-Fetch-Site same-origin", sameOrigin},
		{"Sec-Fetch-Site none (the user's own action)", map[string]string{"Sec-Fetch-Site": "none"}},
		{"Origin equal to Host, no Sec-Fetch-Site", map[string]string{"Origin": siteOrigin}},
		{"neither header: a program, not a browser", nil},
		{"a trusted origin, cross-site", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": widgetOrigin}},
		{"a trusted origin, no Sec-Fetch-Site", map[string]string{"Origin": widgetOrigin}},
		{"a second trusted origin", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": siblingOrigin}},
	} {
		for form := range originForms {
			for _, token := range []bool{false, true} {
				t.Run(tt.name+"/"+originForms[form].name+"/"+modeName(token), func(t *testing.T) {
					f := newOriginFixture(t, form, token, httpmw.WithTrustedOrigins(widgetOrigin), httpmw.WithTrustedOrigins(siblingOrigin))
					if w := f.do(f.sendPath, sendBody, tt.header); w.Code != 200 {
						t.Fatalf("send: %d %s", w.Code, w.Body)
					}
					code, _ := f.outbox.LastCode(phone)
					if w := f.do(f.verifyPath, verifyBody(code), tt.header); w.Code != 200 {
						t.Fatalf("verify: %d %s", w.Code, w.Body)
					}
				})
			}
		}
	}
}

// TestHostCrossOriginProtection: WithCrossOriginProtection uses the
// host's own check, whose origins may be added after New, and answers its
// refusal as the Handler's own.
func TestHostCrossOriginProtection(t *testing.T) {
	p := http.NewCrossOriginProtection()
	f := newOriginFixture(t, 0, false, httpmw.WithCrossOriginProtection(p))
	cross := map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": widgetOrigin, "X-Request-Id": "forged"}
	f.refused(t, f.sendPath, sendBody, cross, "zh-CN")
	if err := p.AddTrustedOrigin(widgetOrigin); err != nil {
		t.Fatal(err)
	}
	if w := f.do(f.sendPath, sendBody, cross); w.Code != 200 {
		t.Fatalf("an origin the host's protection trusts since: %d %s", w.Code, w.Body)
	}
	cross["Origin"] = evilOrigin
	if w := f.do(f.sendPath, sendBody, cross); w.Code != 403 {
		t.Fatalf("another origin: %d %s", w.Code, w.Body)
	}
}

// TestTrustedOriginsChecked: New refuses every origin that would trust
// too much or never match, a nil protection, and both options at once,
// and reports each problem.
func TestTrustedOriginsChecked(t *testing.T) {
	v, _, _ := vcodetest.New(t)
	auth, _ := httpmw.NewStaticTokens(map[string]string{"t": "s"})
	for _, tt := range []struct {
		name string
		opts []httpmw.Option
		want string
	}{
		{"empty", []httpmw.Option{httpmw.WithTrustedOrigins("")}, "empty origin"},
		{"star", []httpmw.Option{httpmw.WithTrustedOrigins("*")}, "no wildcards"},
		{"wildcard subdomain", []httpmw.Option{httpmw.WithTrustedOrigins("https://*.example.com")}, "no wildcards"},
		{"wildcard host", []httpmw.Option{httpmw.WithTrustedOrigins("https://*")}, "no wildcards"},
		{"null", []httpmw.Option{httpmw.WithTrustedOrigins("null")}, "sandboxed"},
		{"no scheme", []httpmw.Option{httpmw.WithTrustedOrigins("widget.example.org")}, "scheme is required"},
		{"trailing slash", []httpmw.Option{httpmw.WithTrustedOrigins(widgetOrigin + "/")}, "path"},
		{"path", []httpmw.Option{httpmw.WithTrustedOrigins(widgetOrigin + "/app")}, "path"},
		{"query", []httpmw.Option{httpmw.WithTrustedOrigins(widgetOrigin + "?a=1")}, "query"},
		{"empty fragment", []httpmw.Option{httpmw.WithTrustedOrigins(widgetOrigin + "#")}, "never match"},
		{"upper-case host", []httpmw.Option{httpmw.WithTrustedOrigins("https://Widget.example.org")}, `"https://widget.example.org"`},
		{"upper-case scheme", []httpmw.Option{httpmw.WithTrustedOrigins("HTTPS://widget.example.org")}, `"https://widget.example.org"`},
		{"default HTTPS port", []httpmw.Option{httpmw.WithTrustedOrigins(widgetOrigin + ":443")}, `"https://widget.example.org"`},
		{"default HTTP port", []httpmw.Option{httpmw.WithTrustedOrigins("http://[::1]:80")}, `"http://[::1]"`},
		{"empty port", []httpmw.Option{httpmw.WithTrustedOrigins(widgetOrigin + ":")}, "never match"},
		{"user info", []httpmw.Option{httpmw.WithTrustedOrigins("https://me@widget.example.org")}, "never match"},
		{"Unicode host", []httpmw.Option{httpmw.WithTrustedOrigins("https://例子.example")}, "xn--"},
		{"nil protection", []httpmw.Option{httpmw.WithCrossOriginProtection(nil)}, "nil WithCrossOriginProtection"},
		{"both", []httpmw.Option{httpmw.WithTrustedOrigins(widgetOrigin), httpmw.WithCrossOriginProtection(http.NewCrossOriginProtection())}, "both WithTrustedOrigins and WithCrossOriginProtection"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := httpmw.New(v, auth, tt.opts...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New: %v, want an error with %q", err, tt.want)
			}
		})
	}
	_, err := httpmw.New(v, auth, httpmw.WithTrustedOrigins(widgetOrigin, "*", "http://127.0.0.1:8080", "null", "https://[::1]:8443", "chrome-extension://abcdefgh"))
	if err == nil || strings.Count(err.Error(), "\n") != 1 {
		t.Fatalf("two bad origins among good ones: %v, want two problems", err)
	}
	for _, good := range []string{widgetOrigin, "http://127.0.0.1:8080", "https://[::1]:8443", "https://xn--fsq.example", "chrome-extension://abcdefgh"} {
		if _, err := httpmw.New(v, auth, httpmw.WithTrustedOrigins(good)); err != nil {
			t.Errorf("%q: %v", good, err)
		}
	}
}

// TestCrossSiteFormsRefused: the bodies a page on another site can make a
// browser send without a CORS preflight carry one of three content types
// (text/plain, application/x-www-form-urlencoded, multipart/form-data) or
// none. Each is refused with 400 USG.201060001 whatever the body, even a
// well-formed JSON one (an HTML form with enctype="text/plain" writes
// one), so that a browser that sends neither Sec-Fetch-Site nor Origin
// still cannot forge a request: nothing is sent, consumed or counted.
func TestCrossSiteFormsRefused(t *testing.T) {
	for _, ct := range []string{
		"",
		"text/plain",
		"text/plain;charset=UTF-8",
		"TEXT/PLAIN",
		"text/plain; charset=application/json",
		"text/plain;application/json",
		"text/plain; x=\"application/json\"",
		"application/x-www-form-urlencoded",
		"application/x-www-form-urlencoded;charset=UTF-8",
		"application/x-www-form-urlencoded; type=application/json",
		"multipart/form-data; boundary=----vcode",
		"multipart/form-data;boundary=x;type=application/json",
	} {
		for _, token := range []bool{false, true} {
			t.Run(modeName(token)+"/"+ct, func(t *testing.T) {
				f := newOriginFixture(t, 0, token)
				noOrigin := map[string]string{"Content-Type": ct, "X-Request-Id": "form"}
				for _, body := range []string{sendBody, `{"contact":"+8613612345678","country":"chinaPR","x":"="}`} {
					w := f.do(f.sendPath, body, noOrigin)
					if w.Code != 400 {
						t.Fatalf("send as %q: %d %s, want 400", ct, w.Code, w.Body)
					}
					if e := decodeError(t, w); e.Code != httpmw.CodeBadRequest {
						t.Fatalf("send as %q: %+v", ct, e)
					}
				}
				if n := f.outbox.Len(); n != 0 {
					t.Fatalf("%d messages sent", n)
				}
				if w := f.do(f.sendPath, sendBody, nil); w.Code != 200 {
					t.Fatalf("the JSON send after the forms: %d %s (a form took the cooldown)", w.Code, w.Body)
				}
				code, _ := f.outbox.LastCode(phone)
				if w := f.do(f.verifyPath, verifyBody(code), noOrigin); w.Code != 400 {
					t.Fatalf("verify as %q: %d %s, want 400", ct, w.Code, w.Body)
				}
				if w := f.do(f.verifyPath, verifyBody(code), nil); w.Code != 200 {
					t.Fatalf("the JSON verify after the form: %d %s (the form consumed the code)", w.Code, w.Body)
				}
			})
		}
	}
}

// modeName names a fixture's way to authenticate.
func modeName(token bool) string {
	if token {
		return "token"
	}
	return "cookie"
}

// TestForgedRequestsCarryTheSession: with the check bypassed (the one
// explicit way to do without it, through net/http's
// AddInsecureBypassPattern), a forged request of the tests above is
// served: it carries the user's session, so the 403s above are the
// check's, not a 401 in disguise.
func TestForgedRequestsCarryTheSession(t *testing.T) {
	f := newOriginFixture(t, 0, false, httpmw.WithCrossOriginProtection(insecureBypass()))
	w := f.do(f.sendPath, sendBody, forgedRequests[0].header)
	if w.Code != 200 {
		t.Fatalf("a forged send with the check bypassed: %d %s, want 200: the forged requests would not test the check", w.Code, w.Body)
	}
}

// insecureBypass is a CrossOriginProtection that lets everything through,
// the one explicit way to do without the check.
func insecureBypass() *http.CrossOriginProtection {
	p := http.NewCrossOriginProtection()
	p.AddInsecureBypassPattern("/")
	return p
}
