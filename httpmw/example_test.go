package httpmw_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/verifier"
)

func ExampleHandler_Middleware() {
	outbox := &notify.Recorder{}
	v, _ := verifier.New(outbox)
	auth, _ := httpmw.NewStaticTokens(map[string]string{"secret-token": "app-1"})
	h, _ := httpmw.New(v, auth)

	app := http.NewServeMux()
	app.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") })
	srv := httptest.NewServer(h.Middleware(app))
	defer srv.Close()

	post := func(path, body string) {
		req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Access-Token", "secret-token")
		req.Header.Set("X-Request-Id", "example-1")
		req.Header.Set("Accept-Language", "en-US")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		fmt.Println(strings.TrimSpace(fmt.Sprint(resp.StatusCode, " ", string(b))))
	}
	post(httpmw.SendPath, `{"contact":"+8613612345678","country":"chinaPR"}`)
	code, _ := outbox.LastCode("+8613612345678")
	post(httpmw.VerifyPath, `{"contact":"+8613612345678","country":"chinaPR","verificationCode":"`+code+`"}`)
	post(httpmw.VerifyPath, `{"contact":"+8613612345678","country":"chinaPR","verificationCode":"`+code+`"}`)

	resp, _ := http.Get(srv.URL + "/hello")
	b, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(b))
	// Output:
	// 200
	// 200
	// 400 {"error_code":"USG.201060005","error_msg":"The verification code is wrong or has expired.","request_id":"example-1"}
	// 200 hello
}

// The endpoints on paths of the host's choosing: SendHandler and
// VerifyHandler answer whatever path they are mounted on.
func ExampleHandler_SendHandler() {
	outbox := &notify.Recorder{}
	v, _ := verifier.New(outbox)
	defer v.Close()
	auth, _ := httpmw.NewStaticTokens(map[string]string{"secret-token": "app-1"})
	h, _ := httpmw.New(v, auth)

	mux := http.NewServeMux()
	mux.Handle("POST /auth/otp/send", h.SendHandler())
	mux.Handle("POST /auth/otp/verify", h.VerifyHandler())

	post := func(path, body string) int {
		r := httptest.NewRequest("POST", path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-Access-Token", "secret-token")
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		return w.Code
	}
	fmt.Println(post("/auth/otp/send", `{"contact":"+8613612345678"}`))
	code, _ := outbox.LastCode("+8613612345678")
	fmt.Println(post("/auth/otp/verify", `{"contact":"+8613612345678","verificationCode":"`+code+`"}`))
	// Output:
	// 200
	// 200
}

// An Authenticator of the host's own: X-Access-Token checked against the
// host's sessions. ErrUnauthenticated answers 401, ErrForbidden 403.
func ExampleAuthenticatorFunc() {
	sessions := map[string]string{"tok-alice": "alice", "tok-guest": ""}
	auth := httpmw.AuthenticatorFunc(func(r *http.Request, token string) (string, error) {
		user, ok := sessions[token]
		switch {
		case !ok:
			return "", httpmw.ErrUnauthenticated
		case user == "":
			return "", httpmw.ErrForbidden // a guest may not change contact details
		}
		return user, nil
	})
	v, _ := verifier.New(notify.Discard)
	defer v.Close()
	h, _ := httpmw.New(v, auth)
	for _, token := range []string{"tok-alice", "tok-guest", "nope"} {
		r := httptest.NewRequest("POST", httpmw.SendPath, strings.NewReader(`{"contact":"+8613612345678"}`))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-Access-Token", token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(token, w.Code)
	}
	// Output:
	// tok-alice 200
	// tok-guest 403
	// nope 401
}

// A host whose users are known by a session cookie finds the subject
// itself, with no access token at all.
func ExampleWithSubject() {
	v, _ := verifier.New(notify.Discard)
	defer v.Close()
	h, _ := httpmw.New(v, nil, httpmw.WithSubject(func(r *http.Request) (string, error) {
		c, err := r.Cookie("session")
		if err != nil {
			return "", httpmw.ErrUnauthenticated
		}
		return "user-" + c.Value, nil // look the session up in a real host
	}))
	r := httptest.NewRequest("POST", "/otp", strings.NewReader(`{"contact":"+8613612345678"}`))
	r.Header.Set("Content-Type", "application/json")
	r.AddCookie(&http.Cookie{Name: "session", Value: "42"})
	w := httptest.NewRecorder()
	h.SendHandler().ServeHTTP(w, r)
	fmt.Println(w.Code)
	// Output: 200
}
