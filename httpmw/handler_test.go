package httpmw_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/language"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/i18n"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/vcodetest"
	"github.com/vcodekit/vcode/verifier"
)

const (
	token    = "good-token"
	phone    = "+8613612345678"
	sendBody = `{"contact":"+8613612345678","country":"chinaPR"}`
)

type env struct {
	h      *httpmw.Handler
	rec    *notify.Recorder
	clk    *vcodetest.Clock
	logBuf *bytes.Buffer
	notify func(context.Context, delivery.Message) error
}

// newEnv builds a handler on memory backends with a fake clock. Tokens:
// good-token (alice), other-token (bob), readonly (403), broken (an
// authenticator failure), panic (a panicking authenticator).
func newEnv(t *testing.T, vopts []verifier.Option, hopts ...httpmw.Option) *env {
	t.Helper()
	e := &env{rec: &notify.Recorder{}, clk: vcodetest.NewClock(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)), logBuf: &bytes.Buffer{}}
	n := delivery.NotifierFunc(func(ctx context.Context, m delivery.Message) error {
		if e.notify != nil {
			if err := e.notify(ctx, m); err != nil {
				return err
			}
		}
		return e.rec.Notify(ctx, m)
	})
	v, err := verifier.New(n, append([]verifier.Option{verifier.WithClock(e.clk.Now)}, vopts...)...)
	if err != nil {
		t.Fatal(err)
	}
	static, err := httpmw.NewStaticTokens(map[string]string{token: "alice", "other-token": "bob"})
	if err != nil {
		t.Fatal(err)
	}
	auth := httpmw.AuthenticatorFunc(func(r *http.Request, tok string) (string, error) {
		switch tok {
		case "readonly":
			return "", httpmw.ErrForbidden
		case "broken":
			return "", errors.New("token service down")
		case "panic":
			panic("authenticator exploded")
		}
		return static.Authenticate(r, tok)
	})
	logger := slog.New(slog.NewJSONHandler(e.logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.h, err = httpmw.New(v, auth, append([]httpmw.Option{httpmw.WithLogger(logger)}, hopts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

type call struct {
	method, path, body string
	header             map[string]string
}

func (e *env) do(c call) *httptest.ResponseRecorder {
	if c.method == "" {
		c.method = http.MethodPost
	}
	r := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Access-Token", token)
	for k, v := range c.header {
		if v == "" {
			r.Header.Del(k)
		} else {
			r.Header.Set(k, v)
		}
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

func (e *env) send(t *testing.T) string {
	t.Helper()
	w := e.do(call{path: httpmw.SendPath, body: sendBody})
	if w.Code != http.StatusOK {
		t.Fatalf("send: %d %s", w.Code, w.Body)
	}
	code, _ := e.rec.LastCode(phone)
	return code
}

func verifyBody(code string) string {
	return `{"contact":"+8613612345678","country":"chinaPR","verificationCode":"` + code + `"}`
}

type errorResponse struct {
	Code    string `json:"error_code"`
	Message string `json:"error_msg"`
	ID      string `json:"request_id"`
}

func decodeError(t *testing.T, w *httptest.ResponseRecorder) errorResponse {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); ct != "application/json;charset=UTF-8" {
		t.Fatalf("error Content-Type %q", ct)
	}
	var e errorResponse
	dec := json.NewDecoder(w.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("error body: %v", err)
	}
	return e
}

// TestErrorTable drives every row of the SPEC error table, in both
// languages, and checks status, error_code, the localised error_msg and
// request_id.
func TestErrorTable(t *testing.T) {
	type row struct {
		name   string
		vopts  []verifier.Option
		setup  func(e *env)
		call   func(code string) call
		status int
		code   string
		msg    i18n.Key
	}
	rows := []row{
		{name: "malformed JSON", call: func(string) call { return call{path: httpmw.SendPath, body: `{"contact":`} },
			status: 400, code: "USG.201060001", msg: i18n.BadRequest},
		{name: "trailing data", call: func(string) call { return call{path: httpmw.SendPath, body: sendBody + `{}`} },
			status: 400, code: "USG.201060001", msg: i18n.BadRequest},
		{name: "too large", call: func(string) call {
			return call{path: httpmw.SendPath, body: `{"contact":"+8613612345678","x":"` + strings.Repeat("a", 4096) + `"}`}
		}, status: 400, code: "USG.201060001", msg: i18n.BadRequest},
		{name: "wrong content type", call: func(string) call {
			return call{path: httpmw.SendPath, body: sendBody, header: map[string]string{"Content-Type": "text/plain"}}
		}, status: 400, code: "USG.201060001", msg: i18n.BadRequest},
		{name: "contact missing", call: func(string) call { return call{path: httpmw.SendPath, body: `{"country":"chinaPR"}`} },
			status: 400, code: "USG.201060002", msg: i18n.InvalidContact},
		{name: "contact invalid", call: func(string) call { return call{path: httpmw.SendPath, body: `{"contact":"hello"}`} },
			status: 400, code: "USG.201060002", msg: i18n.InvalidContact},
		{name: "country unknown", call: func(string) call {
			return call{path: httpmw.SendPath, body: `{"contact":"+8613612345678","country":"China"}`}
		}, status: 400, code: "USG.201060003", msg: i18n.InvalidCountry},
		{name: "country mismatch", call: func(string) call {
			return call{path: httpmw.SendPath, body: `{"contact":"+8613612345678","country":"usa"}`}
		}, status: 400, code: "USG.201060003", msg: i18n.InvalidCountry},
		{name: "code missing", call: func(string) call { return call{path: httpmw.VerifyPath, body: sendBody} },
			status: 400, code: "USG.201060004", msg: i18n.InvalidCode},
		{name: "code malformed", call: func(string) call { return call{path: httpmw.VerifyPath, body: verifyBody("12ab56")} },
			status: 400, code: "USG.201060004", msg: i18n.InvalidCode},
		{name: "code wrong", setup: func(e *env) { e.send(t) }, call: func(string) call { return call{path: httpmw.VerifyPath, body: verifyBody("000000")} },
			status: 400, code: "USG.201060005", msg: i18n.WrongCode},
		{name: "code never sent", call: func(string) call { return call{path: httpmw.VerifyPath, body: verifyBody("123456")} },
			status: 400, code: "USG.201060005", msg: i18n.WrongCode},
		{name: "too many attempts", vopts: []verifier.Option{withLimits(func(l *verifier.Limits) { l.Verify.Limit = 1 })},
			setup:  func(e *env) { e.do(call{path: httpmw.VerifyPath, body: verifyBody("123456")}) },
			call:   func(string) call { return call{path: httpmw.VerifyPath, body: verifyBody("123456")} },
			status: 429, code: "USG.201060006", msg: i18n.TooManyAttempts},
		{name: "send cooldown", setup: func(e *env) { e.send(t) }, call: func(string) call { return call{path: httpmw.SendPath, body: sendBody} },
			status: 429, code: "USG.201060007", msg: i18n.TooFrequent},
		{name: "destination not allowed", vopts: []verifier.Option{verifier.WithAllowedRegions("HK")},
			call:   func(string) call { return call{path: httpmw.SendPath, body: sendBody} },
			status: 403, code: "USG.201060008", msg: i18n.NotAllowed},
		{name: "token missing", call: func(string) call {
			return call{path: httpmw.SendPath, body: sendBody, header: map[string]string{"X-Access-Token": ""}}
		}, status: 401, code: "USG.000000004", msg: i18n.Unauthorized},
		{name: "token invalid", call: func(string) call {
			return call{path: httpmw.SendPath, body: sendBody, header: map[string]string{"X-Access-Token": "good-tokeN"}}
		}, status: 401, code: "USG.000000004", msg: i18n.Unauthorized},
		{name: "token forbidden", call: func(string) call {
			return call{path: httpmw.SendPath, body: sendBody, header: map[string]string{"X-Access-Token": "readonly"}}
		}, status: 403, code: "USG.000000005", msg: i18n.Forbidden},
		{name: "cross-origin browser request", call: func(string) call {
			return call{path: httpmw.SendPath, body: sendBody, header: map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}}
		}, status: 403, code: "USG.000000005", msg: i18n.CrossOrigin},
		{name: "authenticator down", call: func(string) call {
			return call{path: httpmw.SendPath, body: sendBody, header: map[string]string{"X-Access-Token": "broken"}}
		}, status: 500, code: "USG.201060500", msg: i18n.Internal},
		{name: "notifier down", setup: func(e *env) {
			e.notify = func(context.Context, delivery.Message) error { return errors.New("gateway down") }
		}, call: func(string) call { return call{path: httpmw.SendPath, body: sendBody} },
			status: 500, code: "USG.201060500", msg: i18n.Internal},
		{name: "notifier has no route", setup: func(e *env) {
			e.notify = func(context.Context, delivery.Message) error {
				return fmt.Errorf("router: %w", delivery.ErrNotAllowed)
			}
		}, call: func(string) call { return call{path: httpmw.SendPath, body: sendBody} },
			status: 403, code: "USG.201060008", msg: i18n.NotAllowed},
		{name: "panic", call: func(string) call {
			return call{path: httpmw.SendPath, body: sendBody, header: map[string]string{"X-Access-Token": "panic"}}
		}, status: 500, code: "USG.201060500", msg: i18n.Internal},
	}
	for _, lang := range []struct {
		header string
		lang   language.Tag
	}{{"", i18n.ZhCN}, {"en-US", i18n.EnUS}} {
		for _, tt := range rows {
			t.Run(lang.lang.String()+"/"+tt.name, func(t *testing.T) {
				e := newEnv(t, tt.vopts)
				if tt.setup != nil {
					tt.setup(e)
				}
				c := tt.call("")
				if c.header == nil {
					c.header = map[string]string{}
				}
				c.header["Accept-Language"] = lang.header
				c.header["X-Request-Id"] = "rid-" + tt.code
				w := e.do(c)
				if w.Code != tt.status {
					t.Fatalf("status %d, want %d (body %s)", w.Code, tt.status, w.Body)
				}
				got := decodeError(t, w)
				want := errorResponse{tt.code, i18n.Default().Error(lang.lang, tt.msg), "rid-" + tt.code}
				if got != want {
					t.Fatalf("body %+v\nwant %+v", got, want)
				}
				if w.Header().Get("Content-Language") != lang.lang.String() {
					t.Fatalf("Content-Language %q", w.Header().Get("Content-Language"))
				}
				if tt.status == 429 {
					if ra := w.Header().Get("Retry-After"); !regexp.MustCompile(`^[1-9][0-9]*$`).MatchString(ra) {
						t.Fatalf("Retry-After %q", ra)
					}
				}
			})
		}
	}
}

// withLimits is the default policy changed by edit.
func withLimits(edit func(l *verifier.Limits)) verifier.Option {
	l := verifier.DefaultLimits()
	edit(&l)
	return verifier.WithLimits(l)
}
