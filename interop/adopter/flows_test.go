package adopter

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/text/language"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/i18n"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/notify/twilio"
	"github.com/vcodekit/vcode/notify/twilio/twiliotest"
	"github.com/vcodekit/vcode/prommetrics"
	"github.com/vcodekit/vcode/vcodetest"
	"github.com/vcodekit/vcode/verifier"
)

// users is the host's account table: who owns which email address.
type users struct {
	mu    sync.Mutex
	email map[string]string // address -> user
}

func (u *users) owner(addr string) string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.email[addr]
}

func (u *users) setEmail(user, addr string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.email[addr] = user
}

// errEmailTaken is the host's own answer, in both languages.
var errEmailTaken = &httpmw.HostError{
	Status: http.StatusConflict,
	Code:   "ACME.EMAIL_TAKEN",
	Message: map[language.Tag]string{
		i18n.EnUS: "This email address belongs to another account.",
		i18n.ZhCN: "该邮箱地址已被其他账号使用。",
	},
}

// TestAdoptFlows is the app of issue 23: signup by phone through Twilio
// (its fake) and a change of email on one Verifier, each flow a Handler
// limited to its channel, the change of email refusing an address
// another account owns before a code goes out, tested on vcodetest's
// manual clock, with the metrics of each flow read back.
func TestAdoptFlows(t *testing.T) {
	fake := twiliotest.NewServer(t)
	sms, err := twilio.New(twilio.Account(fake.Account()), twilio.WithAPIURL(fake.URL()))
	if err != nil {
		t.Fatal(err)
	}
	defer sms.Close()
	mail := &notify.Recorder{} // SMTP in production
	router := notify.NewRouter(map[delivery.Channel]delivery.Notifier{delivery.SMS: sms, delivery.Email: mail})

	reg := prometheus.NewRegistry()
	metrics, err := prommetrics.New(reg, prommetrics.WithPurposes("signup", "change-email"))
	if err != nil {
		t.Fatal(err)
	}
	v, outbox, clock := vcodetest.New(t, vcodetest.WithNotifier(router), verifier.WithObserver(metrics))

	accounts := &users{email: map[string]string{"taken@example.com": "user-7"}}
	session := func(r *http.Request) (string, error) {
		c, err := r.Cookie("session")
		if err != nil {
			return "", httpmw.ErrUnauthenticated
		}
		return "user-" + c.Value, nil
	}
	signup, err := httpmw.New(v, nil, httpmw.WithSubject(session), httpmw.WithRequestObserver(metrics),
		httpmw.WithRoute("signup"), httpmw.WithPurpose("signup"), httpmw.WithChannels(delivery.SMS))
	if err != nil {
		t.Fatal(err)
	}
	email, err := httpmw.New(v, nil, httpmw.WithSubject(session), httpmw.WithRequestObserver(metrics),
		httpmw.WithRoute("change-email"), httpmw.WithPurpose("change-email"), httpmw.WithChannels(delivery.Email),
		httpmw.WithBeforeSend(func(r *http.Request, user string, c contact.Contact) error {
			if owner := accounts.owner(c.Value); owner != "" && owner != user {
				return errEmailTaken
			}
			return nil
		}),
		httpmw.WithVerified(func(r *http.Request, user string, c contact.Contact) error {
			accounts.setEmail(user, c.Value)
			return nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /signup/code", signup.SendHandler())
	mux.Handle("POST /signup/verify", signup.VerifyHandler())
	mux.Handle("POST /account/email/code", email.SendHandler())
	mux.Handle("POST /account/email/verify", email.VerifyHandler())
	srv := httptest.NewServer(mux)
	defer srv.Close()
	post := func(path, lang, body string) (int, string, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept-Language", lang)
		req.AddCookie(&http.Cookie{Name: "session", Value: "42"})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var e struct {
			Code string `json:"error_code"`
			Msg  string `json:"error_msg"`
		}
		json.NewDecoder(resp.Body).Decode(&e)
		return resp.StatusCode, e.Code, e.Msg
	}

	// Signup by phone: Twilio gets the code, which verifies once.
	if status, code, msg := post("/signup/code", "en", `{"contact":"+14155550100"}`); status != 200 {
		t.Fatalf("signup send: %d %s %s", status, code, msg)
	}
	code, ok := fake.LastCode("+14155550100")
	if !ok {
		t.Fatal("Twilio got no code")
	}
	if status, c, msg := post("/signup/verify", "en", `{"contact":"+14155550100","verificationCode":"`+code+`"}`); status != 200 {
		t.Fatalf("signup verify: %d %s %s", status, c, msg)
	}

	// The change of email refuses a phone number, in the user's language,
	// and sends nothing.
	before := len(fake.Messages())
	if status, c, msg := post("/account/email/code", "zh-CN", `{"contact":"+14155550100"}`); status != 403 || c != httpmw.CodeNotAllowed || msg != "此接口仅接受邮箱地址。" {
		t.Errorf("a number for a change of email: %d %s %s", status, c, msg)
	}
	// An address another account owns: the host's own answer, and no
	// code, no quota spent.
	if status, c, msg := post("/account/email/code", "en-US", `{"contact":"Taken@example.com"}`); status != 409 || c != "ACME.EMAIL_TAKEN" || msg != "This email address belongs to another account." {
		t.Errorf("a taken address: %d %s %s", status, c, msg)
	}
	if len(fake.Messages()) != before || mail.Len() != 0 {
		t.Fatalf("refusals delivered something: %d SMS, %d emails", len(fake.Messages())-before, mail.Len())
	}

	// A free address: the code expires on the manual clock, a new one
	// (past the cooldown) verifies and the host records the address.
	if status, c, msg := post("/account/email/code", "en", `{"contact":"me@example.com"}`); status != 200 {
		t.Fatalf("change of email: %d %s %s", status, c, msg)
	}
	first, _ := outbox.LastCode("me@example.com")
	clock.Advance(2 * time.Minute)
	if status, c, _ := post("/account/email/verify", "en", `{"contact":"me@example.com","verificationCode":"`+first+`"}`); status != 400 || c != httpmw.CodeWrongCode {
		t.Errorf("an expired code: %d %s", status, c)
	}
	post("/account/email/code", "en", `{"contact":"me@example.com"}`)
	second, _ := outbox.LastCode("me@example.com")
	// A signup code never verifies a change of email: purposes apart.
	if status, c, _ := post("/signup/verify", "en", `{"contact":"me@example.com","verificationCode":"`+second+`"}`); status != 403 {
		t.Errorf("the email's code on the signup route: %d %s, want 403 (signup takes numbers)", status, c)
	}
	if status, c, msg := post("/account/email/verify", "en", `{"contact":"me@example.com","verificationCode":"`+second+`"}`); status != 200 {
		t.Fatalf("change of email verify: %d %s %s", status, c, msg)
	}
	if accounts.owner("me@example.com") != "user-42" {
		t.Error("WithVerified did not record the address")
	}

	// The metrics of each flow.
	for _, tt := range []struct {
		metric string
		labels map[string]string
		want   float64
	}{
		{"vcode_events_total", map[string]string{"op": "send", "outcome": "sent", "purpose": "signup"}, 1},
		{"vcode_events_total", map[string]string{"op": "send", "outcome": "sent", "purpose": "change-email"}, 2},
		{"vcode_events_total", map[string]string{"op": "verify", "outcome": "verified", "purpose": "change-email"}, 1},
		{"vcode_http_requests_total", map[string]string{"route": "send", "route_name": "change-email", "status": "409", "code": "ACME.EMAIL_TAKEN"}, 1},
		{"vcode_http_requests_total", map[string]string{"route": "send", "route_name": "change-email", "status": "403"}, 1},
		{"vcode_http_requests_total", map[string]string{"route": "verify", "route_name": "signup", "purpose": "signup", "status": "200"}, 1},
	} {
		if got := counter(t, reg, tt.metric, tt.labels); got != tt.want {
			t.Errorf("%s%v = %v, want %v", tt.metric, tt.labels, got, tt.want)
		}
	}
}

// counter sums the series of metric whose labels include labels.
func counter(t *testing.T, reg *prometheus.Registry, metric string, labels map[string]string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, f := range families {
		if f.GetName() != metric {
			continue
		}
	series:
		for _, m := range f.GetMetric() {
			have := map[string]string{}
			for _, l := range m.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for k, v := range labels {
				if have[k] != v {
					continue series
				}
			}
			sum += m.GetCounter().GetValue()
		}
	}
	return sum
}
