package httpmw_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/vcodetest"
	"github.com/vcodekit/vcode/verifier"
)

// TestMountOnOwnPaths: SendHandler and VerifyHandler serve on whatever path
// a host mux gives them, with method patterns too; 405 for other methods.
func TestMountOnOwnPaths(t *testing.T) {
	v, outbox, _ := vcodetest.New(t)
	auth, _ := httpmw.NewStaticTokens(map[string]string{"tok": "alice"})
	h, err := httpmw.New(v, auth)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /auth/otp/send", h.SendHandler())
	mux.Handle("/auth/otp/check", h.VerifyHandler())
	do := func(method, path, body string) int {
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-Access-Token", "tok")
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		return w.Code
	}
	if got := do("POST", "/auth/otp/send", `{"contact":"+8613612345678"}`); got != 200 {
		t.Fatalf("send on a custom path: %d", got)
	}
	code, _ := outbox.LastCode("+8613612345678")
	if got := do("GET", "/auth/otp/check", ""); got != 405 {
		t.Fatalf("GET on the verify handler: %d, want 405", got)
	}
	if got := do("POST", "/auth/otp/check", `{"contact":"+8613612345678","verificationCode":"`+code+`"}`); got != 200 {
		t.Fatalf("verify on a custom path: %d", got)
	}
	if got := do("POST", httpmw.SendPath, `{"contact":"+8613612345678"}`); got != 404 {
		t.Fatalf("the published path on a mux that did not mount it: %d, want 404", got)
	}
}

// TestWithSubject: a host that knows its users by session finds the
// subject itself; refusals map as an Authenticator's do; an empty subject
// is a 401; X-Access-Token plays no part.
func TestWithSubject(t *testing.T) {
	v, _, _ := vcodetest.New(t)
	h, err := httpmw.New(v, nil, httpmw.WithSubject(func(r *http.Request) (string, error) {
		c, err := r.Cookie("session")
		switch {
		case err != nil:
			return "", httpmw.ErrUnauthenticated
		case c.Value == "banned":
			return "", httpmw.ErrForbidden
		case c.Value == "down":
			return "", errors.New("session store down")
		case c.Value == "empty":
			return "", nil
		}
		return "user-" + c.Value, nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		cookie string
		want   int
	}{
		{"42", 200}, {"", 401}, {"banned", 403}, {"down", 500}, {"empty", 401},
	} {
		r := httptest.NewRequest("POST", "/send", strings.NewReader(`{"contact":"+86136123456`+strings.Repeat("7", 2)+`"}`))
		r.Header.Set("Content-Type", "application/json")
		if tt.cookie != "" {
			r.AddCookie(&http.Cookie{Name: "session", Value: tt.cookie})
		}
		w := httptest.NewRecorder()
		h.SendHandler().ServeHTTP(w, r)
		if w.Code != tt.want {
			body, _ := io.ReadAll(w.Body)
			t.Errorf("cookie %q: %d %s, want %d", tt.cookie, w.Code, body, tt.want)
		}
	}
	if _, err := httpmw.New(v, nil); err == nil {
		t.Error("New with neither an authenticator nor WithSubject")
	}
	auth, _ := httpmw.NewStaticTokens(map[string]string{"t": "s"})
	if _, err := httpmw.New(v, auth, httpmw.WithSubject(func(*http.Request) (string, error) { return "s", nil })); err == nil {
		t.Error("New with both an authenticator and WithSubject")
	}
}

// TestErrorTableIsACopy: changing the table a caller got changes nothing,
// and every verifier class has its row.
func TestErrorTableIsACopy(t *testing.T) {
	table := httpmw.ErrorTable()
	table[0].Status = 999
	if httpmw.ErrorTable()[0].Status == 999 {
		t.Fatal("ErrorTable returns the table itself")
	}
	rows := map[error]bool{}
	for _, s := range table {
		rows[s.Err] = true
	}
	for _, class := range []error{contact.ErrInvalid, contact.ErrUnknownCountry, contact.ErrCountryMismatch,
		verifier.ErrInvalidCode, verifier.ErrWrongCode, verifier.ErrTooManyAttempts, verifier.ErrTooFrequent, delivery.ErrNotAllowed} {
		if !rows[class] {
			t.Errorf("no row for %v", class)
		}
	}
}

// TestPurposeAndVerified: a Handler's purpose binds its codes (another
// purpose's Handler cannot verify them) and reaches the templates;
// WithVerified learns who verified what, and its error is a 500.
func TestPurposeAndVerified(t *testing.T) {
	v, outbox, _ := vcodetest.New(t)
	auth, _ := httpmw.NewStaticTokens(map[string]string{"tok": "alice"})
	type verified struct {
		subject, contact string
	}
	var got []verified
	fail := false
	onVerified := httpmw.WithVerified(func(r *http.Request, subject string, c contact.Contact) error {
		got = append(got, verified{subject, c.Value})
		if fail {
			return errors.New("user store down")
		}
		return nil
	})
	phone, _ := httpmw.New(v, auth, httpmw.WithPurpose("change-phone"), onVerified)
	login, _ := httpmw.New(v, auth, httpmw.WithPurpose("login"), onVerified)
	do := func(h http.Handler, body string) int {
		r := httptest.NewRequest("POST", "/x", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-Access-Token", "tok")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	if code := do(phone.SendHandler(), `{"contact":"+8613612345678"}`); code != 200 {
		t.Fatal(code)
	}
	code, _ := outbox.LastCode("+8613612345678")
	body := `{"contact":"+86 136 1234 5678","verificationCode":"` + code + `"}`
	if status := do(login.VerifyHandler(), body); status != 400 {
		t.Fatalf("another purpose verified the code: %d", status)
	}
	if status := do(phone.VerifyHandler(), body); status != 200 {
		t.Fatalf("verify: %d", status)
	}
	if len(got) != 1 || got[0] != (verified{"alice", "+8613612345678"}) {
		t.Fatalf("WithVerified saw %+v", got)
	}
	fail = true
	do(phone.SendHandler(), `{"contact":"+8613612345679"}`)
	code, _ = outbox.LastCode("+8613612345679")
	if status := do(phone.VerifyHandler(), `{"contact":"+8613612345679","verificationCode":"`+code+`"}`); status != 500 {
		t.Fatalf("a failing WithVerified: %d, want 500", status)
	}
}
