package httpmw_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/text/language"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/i18n"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/store"
	"github.com/vcodekit/vcode/verifier"
)

// countingStore counts the codes saved.
type countingStore struct {
	store.CodeStore
	saves int
}

func (s *countingStore) Save(ctx context.Context, key string, rec store.Record) error {
	s.saves++
	return s.CodeStore.Save(ctx, key, rec)
}

const emailBody = `{"contact":"a@example.com"}`

// TestWithChannels: a Handler limited to email refuses a phone number on
// send and on verify with 403 USG.201060008 and a message that names what
// it takes, in both languages, before any code is saved or any limit
// taken (the number's cooldown is still free afterwards); a contact that
// is not one stays a 400; an email address goes through. A phone-only
// Handler says so for an email address.
func TestWithChannels(t *testing.T) {
	st := &countingStore{CodeStore: store.NewMemory()}
	secrets := verifier.WithSecrets([]byte("0123456789abcdef0123"))
	rec := &notify.Recorder{}
	v, err := verifier.New(rec, verifier.WithStore(st), secrets)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	auth, _ := httpmw.NewStaticTokens(map[string]string{token: "alice"})
	h, err := httpmw.New(v, auth, httpmw.WithChannels(delivery.Email))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{h: h, rec: rec}
	for _, tt := range []struct {
		path, lang, msg string
	}{
		{httpmw.SendPath, "en-US", "This endpoint accepts email addresses only."},
		{httpmw.SendPath, "zh-CN", "此接口仅接受邮箱地址。"},
		{httpmw.VerifyPath, "en-US", "This endpoint accepts email addresses only."},
	} {
		body := sendBody
		if tt.path == httpmw.VerifyPath {
			body = verifyBody("123456")
		}
		w := e.do(call{path: tt.path, body: body, header: map[string]string{"Accept-Language": tt.lang}})
		if got := decodeError(t, w); w.Code != http.StatusForbidden || got.Code != httpmw.CodeNotAllowed || got.Message != tt.msg {
			t.Errorf("%s a phone number in %s: %d %+v, want 403 %s %q", tt.path, tt.lang, w.Code, got, httpmw.CodeNotAllowed, tt.msg)
		}
	}
	if st.saves != 0 || e.rec.Len() != 0 {
		t.Fatalf("after the refusals: %d codes saved, %d messages", st.saves, e.rec.Len())
	}
	if w := e.do(call{path: httpmw.SendPath, body: `{"contact":"hello"}`}); w.Code != http.StatusBadRequest {
		t.Errorf("not a contact: %d %s, want 400", w.Code, w.Body)
	}
	if w := e.do(call{path: httpmw.SendPath, body: emailBody}); w.Code != http.StatusOK {
		t.Fatalf("an email address: %d %s", w.Code, w.Body)
	}
	// The refusals took no limit: the number's cooldown is free, on a
	// Handler of the same Verifier that takes both.
	if e.h, err = httpmw.New(v, auth); err != nil {
		t.Fatal(err)
	}
	if w := e.do(call{path: httpmw.SendPath, body: sendBody}); w.Code != http.StatusOK {
		t.Errorf("the number on a Handler without channels: %d %s", w.Code, w.Body)
	}

	p := newEnv(t, nil, httpmw.WithChannels(delivery.SMS))
	w := p.do(call{path: httpmw.SendPath, body: emailBody, header: map[string]string{"Accept-Language": "en"}})
	if got := decodeError(t, w); w.Code != http.StatusForbidden || got.Message != "This endpoint accepts mobile numbers only." {
		t.Errorf("an email address on a phone-only Handler: %d %+v", w.Code, got)
	}
	// Another refusal of a phone number on a phone-only Handler keeps
	// the generic message.
	r := newEnv(t, []verifier.Option{verifier.WithAllowedRegions("HK")}, httpmw.WithChannels(delivery.SMS))
	w = r.do(call{path: httpmw.SendPath, body: sendBody, header: map[string]string{"Accept-Language": "en"}})
	if got := decodeError(t, w); w.Code != http.StatusForbidden || got.Message != i18n.Default().Error(i18n.EnUS, i18n.NotAllowed) {
		t.Errorf("a region refused on a phone-only Handler: %d %+v", w.Code, got)
	}
}

// TestBeforeSend: the hook is called after the contact parsed and was
// accepted, with the subject and the parsed contact, and before any
// limit or code; its HostError is answered with the host's status, code
// and message in the negotiated language (wrapped or not); a plain error
// is a 500; nil lets the send go on.
func TestBeforeSend(t *testing.T) {
	taken := &httpmw.HostError{
		Status: http.StatusConflict, Code: "APP.EMAIL_TAKEN",
		Message: map[language.Tag]string{language.English: "This address belongs to another account.", i18n.ZhCN: "该地址已被其他账号使用。"},
	}
	var calls []string
	hook := func(r *http.Request, subject string, c contact.Contact) error {
		calls = append(calls, subject+" "+c.Value)
		switch c.Value {
		case "taken@example.com":
			return taken
		case "wrapped@example.com":
			return fmt.Errorf("users: %w", taken)
		case "down@example.com":
			return errors.New("users database down")
		}
		return nil
	}
	st := &countingStore{CodeStore: store.NewMemory()}
	e := newEnv(t, []verifier.Option{verifier.WithStore(st), verifier.WithSecrets([]byte("0123456789abcdef0123"))},
		httpmw.WithBeforeSend(hook), httpmw.WithChannels(delivery.Email))
	for _, tt := range []struct {
		contact, lang string
		status        int
		code, msg     string
	}{
		{"Taken@Example.com", "en-US", 409, "APP.EMAIL_TAKEN", "This address belongs to another account."},
		{"taken@example.com", "zh-CN", 409, "APP.EMAIL_TAKEN", "该地址已被其他账号使用。"},
		{"wrapped@example.com", "en", 409, "APP.EMAIL_TAKEN", "This address belongs to another account."},
		{"down@example.com", "en", 500, httpmw.CodeInternal, i18n.Default().Error(i18n.EnUS, i18n.Internal)},
	} {
		w := e.do(call{path: httpmw.SendPath, body: `{"contact":"` + tt.contact + `"}`, header: map[string]string{"Accept-Language": tt.lang, "X-Request-Id": "req-1"}})
		got := decodeError(t, w)
		if w.Code != tt.status || got.Code != tt.code || got.Message != tt.msg || got.ID != "req-1" {
			t.Errorf("%s in %s: %d %+v, want %d %s %q", tt.contact, tt.lang, w.Code, got, tt.status, tt.code, tt.msg)
		}
	}
	if st.saves != 0 {
		t.Fatalf("%d codes saved for refused sends", st.saves)
	}
	// Neither a contact that is not one nor one the channels refuse
	// reaches the hook.
	before := len(calls)
	e.do(call{path: httpmw.SendPath, body: `{"contact":"hello"}`})
	e.do(call{path: httpmw.SendPath, body: sendBody})
	if len(calls) != before {
		t.Errorf("the hook saw contacts it should not: %q", calls[before:])
	}
	if w := e.do(call{path: httpmw.SendPath, body: `{"contact":"free@example.com"}`}); w.Code != http.StatusOK {
		t.Fatalf("a free address: %d %s", w.Code, w.Body)
	}
	if want := "alice taken@example.com"; calls[0] != want {
		t.Errorf("the hook got %q, want %q (subject and the normalised contact)", calls[0], want)
	}
	// A refusal took no limit: the refused address's cooldown is free.
	if w := e.do(call{path: httpmw.SendPath, body: `{"contact":"down@example.com"}`}); w.Code != 500 {
		t.Fatalf("down again: %d", w.Code)
	}
	if !strings.Contains(e.logBuf.String(), "users database down") {
		t.Error("the hook's plain error was not logged")
	}
}

// TestHostErrorInWithVerified: WithVerified's HostError is answered as
// the host says; one it cannot answer (a status outside 4xx/5xx, no code,
// no message for the language or the default) is a logged 500.
func TestHostErrorInWithVerified(t *testing.T) {
	for _, tt := range []struct {
		name   string
		err    error
		status int
		code   string
		log    string
	}{
		{"answered", &httpmw.HostError{Status: 422, Code: "APP.PHONE_TAKEN", Message: map[language.Tag]string{i18n.ZhCN: "号码已被使用。"}}, 422, "APP.PHONE_TAKEN", ""},
		{"status 200", &httpmw.HostError{Status: 200, Code: "APP.X", Message: map[language.Tag]string{i18n.ZhCN: "x"}}, 500, httpmw.CodeInternal, "status 200, not 4xx or 5xx"},
		{"no code", &httpmw.HostError{Status: 409, Message: map[language.Tag]string{i18n.ZhCN: "x"}}, 500, httpmw.CodeInternal, "without a Code"},
		{"no message", &httpmw.HostError{Status: 409, Code: "APP.X", Message: map[language.Tag]string{language.Japanese: "x"}}, 500, httpmw.CodeInternal, "without a Message"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil, httpmw.WithVerified(func(*http.Request, string, contact.Contact) error { return tt.err }))
			code := e.send(t)
			// English asked for; the catalog's default, zh-CN, answers
			// when the host has no English message.
			w := e.do(call{path: httpmw.VerifyPath, body: verifyBody(code), header: map[string]string{"Accept-Language": "en-US"}})
			if got := decodeError(t, w); w.Code != tt.status || got.Code != tt.code {
				t.Errorf("%d %+v, want %d %s", w.Code, got, tt.status, tt.code)
			} else if tt.status == 422 && got.Message != "号码已被使用。" {
				t.Errorf("message %q, want the default language's", got.Message)
			}
			if !strings.Contains(e.logBuf.String(), tt.log) {
				t.Errorf("log %s lacks %q", e.logBuf, tt.log)
			}
		})
	}
}

// TestFlowOptionsChecked: New reports every bad flow option at once.
func TestFlowOptionsChecked(t *testing.T) {
	v, _ := verifier.New(delivery.NotifierFunc(nil))
	defer v.Close()
	auth, _ := httpmw.NewStaticTokens(map[string]string{"t": "s"})
	_, err := httpmw.New(v, auth, httpmw.WithChannels(), httpmw.WithBeforeSend(nil), httpmw.WithRoute(""))
	_, err2 := httpmw.New(v, auth, httpmw.WithChannels("fax"), httpmw.WithRoute(strings.Repeat("r", 65)))
	_, err3 := httpmw.New(v, auth, httpmw.WithRoute("sign\nup"))
	for _, tt := range []struct {
		err  error
		want []string
	}{
		{err, []string{"WithChannels needs at least one channel", "nil WithBeforeSend", `WithRoute ""`}},
		{err2, []string{`unknown channel "fax"`, "WithRoute \"rrr"}},
		{err3, []string{`WithRoute "sign\nup"`}},
	} {
		for _, w := range tt.want {
			if tt.err == nil || !strings.Contains(tt.err.Error(), w) {
				t.Errorf("New: %v, want it to say %q", tt.err, w)
			}
		}
	}
	if _, err := httpmw.New(v, auth, httpmw.WithChannels(delivery.Email, delivery.SMS), httpmw.WithRoute("signup")); err != nil {
		t.Errorf("good flow options: %v", err)
	}
}

// TestRequestEventFlow: RequestEvent names the Handler's route and
// purpose, the host's constants.
func TestRequestEventFlow(t *testing.T) {
	log := &requestLog{}
	e := newEnv(t, nil, httpmw.WithRequestObserver(log), httpmw.WithRoute("signup"), httpmw.WithPurpose("signup"))
	e.send(t)
	e.do(call{path: httpmw.VerifyPath, body: verifyBody("000000")})
	if len(log.events) != 2 {
		t.Fatalf("%d events", len(log.events))
	}
	for i, route := range []string{"send", "verify"} {
		if got := log.events[i]; got.Route != route || got.RouteName != "signup" || got.Purpose != "signup" {
			t.Errorf("event %d: %+v, want route %s, name and purpose signup", i, got, route)
		}
	}
}
