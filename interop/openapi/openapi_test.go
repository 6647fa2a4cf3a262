// Package openapi checks vcode's handler against openapi.yaml with
// libopenapi-validator: real requests and responses of the handler must
// match the document, so the two cannot drift apart. It is a module of its
// own to keep the validator's dependencies out of vcode's go.mod.
package openapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/helpers"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/verifier"
)

func loadValidator(t *testing.T) validator.Validator {
	t.Helper()
	spec, err := os.ReadFile("../../openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := libopenapi.NewDocument(spec)
	if err != nil {
		t.Fatal(err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("openapi.yaml: %v", errs)
	}
	return v
}

type fixture struct {
	h   *httpmw.Handler
	rec *notify.Recorder
}

func newFixture(t *testing.T, vopts []verifier.Option, hopts ...httpmw.Option) fixture {
	t.Helper()
	rec := &notify.Recorder{}
	var n delivery.Notifier = rec
	v, err := verifier.New(n, vopts...)
	if err != nil {
		t.Fatal(err)
	}
	auth := httpmw.AuthenticatorFunc(func(r *http.Request, tok string) (string, error) {
		switch tok {
		case "token":
			return "app", nil
		case "readonly":
			return "", httpmw.ErrForbidden
		case "panic":
			panic("boom")
		}
		return "", httpmw.ErrUnauthenticated
	})
	h, err := httpmw.New(v, auth, hopts...)
	if err != nil {
		t.Fatal(err)
	}
	return fixture{h, rec}
}

type exchange struct {
	path, body  string
	headers     map[string]string
	validBody   bool // the request itself conforms
	wantStatus  int
	description string
}

func request(e exchange) *http.Request {
	r := httptest.NewRequest("POST", "http://127.0.0.1:8080"+e.path, strings.NewReader(e.body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Access-Token", "token")
	for k, v := range e.headers {
		if v == "" {
			r.Header.Del(k)
		} else {
			r.Header.Set(k, v)
		}
	}
	return r
}

// run serves e, checks its status, and validates the response (and, for a
// conforming request, the request) against the document.
func run(t *testing.T, v validator.Validator, f fixture, e exchange) {
	t.Helper()
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, request(e))
	resp := w.Result()
	if resp.StatusCode != e.wantStatus {
		t.Fatalf("%s: status %d, want %d (%s)", e.description, resp.StatusCode, e.wantStatus, w.Body)
	}
	if e.validBody {
		if ok, errs := v.ValidateHttpRequest(request(e)); !ok {
			t.Errorf("%s: request does not match openapi.yaml: %s", e.description, describe(errs))
		}
	}
	if ok, errs := v.ValidateHttpResponse(request(e), resp); !ok {
		t.Errorf("%s: response %d %s does not match openapi.yaml: %s", e.description, resp.StatusCode, w.Body, describe(errs))
	}
}

func describe[E interface{ Error() string }](errs []E) string {
	var parts []string
	for _, e := range errs {
		parts = append(parts, e.Error())
	}
	return strings.Join(parts, "; ")
}

const send, verify = httpmw.SendPath, httpmw.VerifyPath

func TestHandlerMatchesDocument(t *testing.T) {
	v := loadValidator(t)
	f := newFixture(t, []verifier.Option{verifier.WithLimits(func() verifier.Limits { l := verifier.DefaultLimits(); l.Verify.Limit = 2; return l }())})
	ok := func(path, body, desc string) exchange {
		return exchange{path: path, body: body, validBody: true, wantStatus: 200, description: desc}
	}
	run(t, v, f, ok(send, `{"contact":"+8613612345678","country":"chinaPR"}`, "send"))
	code, _ := f.rec.LastCode("+8613612345678")
	run(t, v, f, exchange{path: verify, body: `{"contact":"+8613612345678","country":"chinaPR","verificationCode":"` + code + `"}`,
		headers: map[string]string{"X-Request-Id": "abc", "Accept-Language": "en-US"}, validBody: true, wantStatus: 200, description: "verify"})

	for _, e := range []exchange{
		{path: send, body: `{"contact":`, wantStatus: 400, description: "malformed JSON"},
		{path: send, body: `{"contact":"+8613612345678"}`, headers: map[string]string{"Content-Type": "text/plain"}, wantStatus: 400, description: "content type"},
		{path: send, body: `{"country":"chinaPR"}`, wantStatus: 400, description: "contact missing"},
		{path: send, body: `{"contact":"hello"}`, validBody: true, wantStatus: 400, description: "contact invalid"},
		{path: send, body: `{"contact":"+8613612345678","country":"usa"}`, validBody: true, wantStatus: 400, description: "country mismatch"},
		{path: verify, body: `{"contact":"+8613612345678","verificationCode":"12"}`, wantStatus: 400, description: "code malformed"},
		{path: verify, body: `{"contact":"+8613612345678","verificationCode":"123456"}`, validBody: true, wantStatus: 400, description: "code wrong"},
		{path: verify, body: `{"contact":"+8613612345678","verificationCode":"123456"}`, validBody: true, wantStatus: 429, description: "too many attempts"},
		{path: send, body: `{"contact":"+8613612345678"}`, validBody: true, wantStatus: 429, description: "cooldown"},
		{path: send, body: `{"contact":"+8613612345678"}`, headers: map[string]string{"X-Access-Token": ""}, wantStatus: 401, description: "token missing"},
		{path: send, body: `{"contact":"+8613612345678"}`, headers: map[string]string{"X-Access-Token": "nope"}, validBody: true, wantStatus: 401, description: "token invalid"},
		{path: send, body: `{"contact":"+8613612345678"}`, headers: map[string]string{"X-Access-Token": "readonly"}, validBody: true, wantStatus: 403, description: "forbidden"},
		{path: send, body: `{"contact":"+8613612345678"}`, headers: map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, validBody: true, wantStatus: 403, description: "cross-origin browser request"},
		{path: verify, body: `{"contact":"+8613612345678","verificationCode":"123456"}`, headers: map[string]string{"Origin": "https://evil.example"}, validBody: true, wantStatus: 403, description: "cross-origin request of an old browser"},
		{path: send, body: `{"contact":"+8613612345678"}`, headers: map[string]string{"X-Access-Token": "panic"}, validBody: true, wantStatus: 500, description: "panic"},
	} {
		run(t, v, f, e)
	}

	// Destination not allowed, and the 400-only option for rate limits.
	g := newFixture(t, []verifier.Option{verifier.WithAllowedRegions("HK")}, httpmw.WithPublishedStatusesOnly())
	run(t, v, g, exchange{path: send, body: `{"contact":"+8613612345678"}`, validBody: true, wantStatus: 403, description: "not allowed"})
	run(t, v, g, exchange{path: send, body: `{"contact":"+85251234567"}`, validBody: true, wantStatus: 200, description: "allowed region"})
	run(t, v, g, exchange{path: send, body: `{"contact":"+85251234567"}`, validBody: true, wantStatus: 400, description: "cooldown as 400"})

	// WithSendTimes: the send's JSON body, as documented.
	st := newFixture(t, nil, httpmw.WithSendTimes())
	run(t, v, st, ok(send, `{"contact":"+8613612345678","country":"chinaPR"}`, "send with WithSendTimes"))

	// A notifier that fails: 500.
	h := newFixture(t, []verifier.Option{})
	failing, _ := verifier.New(delivery.NotifierFunc(func(context.Context, delivery.Message) error { return errors.New("down") }))
	h.h, _ = httpmw.New(failing, httpmw.AuthenticatorFunc(func(*http.Request, string) (string, error) { return "app", nil }))
	run(t, v, h, exchange{path: send, body: `{"contact":"+8613612345678"}`, validBody: true, wantStatus: 500, description: "delivery failed"})
}

// TestDocumentCatchesDrift: the validator does reject responses that break
// the document, so the test above cannot pass vacuously.
func TestDocumentCatchesDrift(t *testing.T) {
	v := loadValidator(t)
	req := request(exchange{path: send, body: `{"contact":"+8613612345678"}`})
	bad := []struct {
		name    string
		status  int
		headers map[string]string
		body    string
	}{
		{"unknown error code", 400, map[string]string{"X-Request-Id": "a", "Content-Language": "zh-CN"}, `{"error_code":"USG.999","error_msg":"x","request_id":"a"}`},
		{"extra field", 400, map[string]string{"X-Request-Id": "a", "Content-Language": "zh-CN"}, `{"error_code":"USG.201060005","error_msg":"x","request_id":"a","detail":1}`},
		{"missing request_id", 401, map[string]string{"X-Request-Id": "a"}, `{"error_code":"USG.000000004","error_msg":"x"}`},
		{"undocumented status", 418, map[string]string{"X-Request-Id": "a"}, `{}`},
		{"429 without Retry-After", 429, map[string]string{"X-Request-Id": "a"}, `{"error_code":"USG.201060007","error_msg":"x","request_id":"a"}`},
		{"send times without next_send_at", 200, map[string]string{"X-Request-Id": "a", "Cache-Control": "no-cache", "Pragma": "no-cache", "Content-Language": "zh-CN"}, `{"expires_at":"2026-11-25T10:01:00Z"}`},
		{"send times not a date", 200, map[string]string{"X-Request-Id": "a", "Cache-Control": "no-cache", "Pragma": "no-cache", "Content-Language": "zh-CN"}, `{"expires_at":"soon","next_send_at":"2026-11-25T10:01:00Z"}`},
		{"send times with another field", 200, map[string]string{"X-Request-Id": "a", "Cache-Control": "no-cache", "Pragma": "no-cache", "Content-Language": "zh-CN"}, `{"expires_at":"2026-11-25T10:01:00Z","next_send_at":"2026-11-25T10:01:00Z","code":"123456"}`},
	}
	for _, b := range bad {
		resp := &http.Response{StatusCode: b.status, Header: http.Header{}, Body: io.NopCloser(bytes.NewBufferString(b.body)), Request: req}
		resp.Header.Set("Content-Type", "application/json;charset=UTF-8")
		for k, val := range b.headers {
			if val == "" {
				resp.Header.Del(k)
			} else {
				resp.Header.Set(k, val)
			}
		}
		if ok, _ := v.ValidateHttpResponse(req, resp); ok {
			t.Errorf("%s: the validator accepted a response that breaks the document", b.name)
		}
	}
	// The same headers with a good send-times body pass: the refusals
	// above are the bodies'.
	resp := &http.Response{StatusCode: 200, Header: http.Header{}, Request: req,
		Body: io.NopCloser(bytes.NewBufferString(`{"expires_at":"2026-11-25T10:01:00Z","next_send_at":"2026-11-25T10:01:00Z"}`))}
	resp.Header.Set("Content-Type", "application/json;charset=UTF-8")
	for k, val := range map[string]string{"X-Request-Id": "a", "Cache-Control": "no-cache", "Pragma": "no-cache", "Content-Language": "zh-CN"} {
		resp.Header.Set(k, val)
	}
	if ok, errs := v.ValidateHttpResponse(req, resp); !ok {
		t.Errorf("a good send-times answer was refused: %s", describe(errs))
	}
}

// TestTokenIsASecurityScheme: the access token is an apiKey security scheme
// in the X-Access-Token header, required by both operations, as tools that
// read the document (Swagger UI, Redoc, generators) expect a credential to
// be; not a header parameter. The validator enforces it: a request without
// the header fails as a security error, and the same request with it passes.
func TestTokenIsASecurityScheme(t *testing.T) {
	spec, err := os.ReadFile("../../openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := libopenapi.NewDocument(spec)
	if err != nil {
		t.Fatal(err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatal(err)
	}
	schemes := model.Model.Components.SecuritySchemes
	v := loadValidator(t)
	for _, path := range []string{send, verify} {
		item, ok := model.Model.Paths.PathItems.Get(path)
		if !ok || item.Post == nil {
			t.Fatalf("%s: no POST operation", path)
		}
		op := item.Post
		if len(op.Security) != 1 || op.Security[0].Requirements.Len() != 1 {
			t.Fatalf("%s: %d security requirements, want one with one scheme", path, len(op.Security))
		}
		name := op.Security[0].Requirements.First().Key()
		scheme, ok := schemes.Get(name)
		if !ok {
			t.Fatalf("%s: security scheme %q is not in components", path, name)
		}
		if scheme.Type != "apiKey" || scheme.In != "header" || scheme.Name != "X-Access-Token" {
			t.Errorf("%s: scheme %s is %s in %s named %s, want apiKey in header named X-Access-Token", path, name, scheme.Type, scheme.In, scheme.Name)
		}
		for _, p := range append(op.Parameters, item.Parameters...) {
			if strings.EqualFold(p.Name, "X-Access-Token") {
				t.Errorf("%s: X-Access-Token is also a %s parameter", path, p.In)
			}
		}

		body := `{"contact":"+8613612345678","verificationCode":"123456"}`
		if ok, errs := v.ValidateHttpRequest(request(exchange{path: path, body: body})); !ok {
			t.Errorf("%s: a request with the token does not validate: %s", path, describe(errs))
		}
		ok, errs := v.ValidateHttpRequest(request(exchange{path: path, body: body, headers: map[string]string{"X-Access-Token": ""}}))
		if ok {
			t.Fatalf("%s: a request without the token validates", path)
		}
		for _, e := range errs {
			if e.ValidationType != helpers.SecurityValidation || e.ValidationSubType != "apiKey" {
				t.Errorf("%s: without the token: %s error %q, want only the apiKey security error", path, e.ValidationType, e.Message)
			}
		}
	}
}
