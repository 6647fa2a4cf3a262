package httpmw_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/verifier"
)

// A host whose users are known by a session cookie serves the endpoints
// at https://api.example.com to its pages there and to its widget on
// https://www.example.com. A page on any other site that makes the
// browser post to the endpoints, with the user's cookie, is refused
// before the cookie is looked at; a program that is no browser sends
// neither Sec-Fetch-Site nor Origin and passes.
func ExampleWithTrustedOrigins() {
	v, _ := verifier.New(&notify.Recorder{})
	defer v.Close()
	h, err := httpmw.New(v, nil,
		httpmw.WithSubject(func(r *http.Request) (string, error) {
			c, err := r.Cookie("session")
			if err != nil {
				return "", httpmw.ErrUnauthenticated
			}
			return "user-" + c.Value, nil // look the session up in a real host
		}),
		httpmw.WithTrustedOrigins("https://www.example.com"))
	if err != nil {
		panic(err)
	}
	post := func(contact string, header ...string) {
		r := httptest.NewRequest("POST", "https://api.example.com/otp", strings.NewReader(`{"contact":"`+contact+`"}`))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Accept-Language", "en-US")
		r.AddCookie(&http.Cookie{Name: "session", Value: "42"})
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		w := httptest.NewRecorder()
		h.SendHandler().ServeHTTP(w, r)
		fmt.Println(strings.TrimSpace(fmt.Sprint(w.Code, " ", w.Body.String())))
	}
	post("+8613612345671", "Sec-Fetch-Site", "same-origin", "Origin", "https://api.example.com")
	post("+8613612345672", "Sec-Fetch-Site", "same-site", "Origin", "https://www.example.com")
	post("+8613612345673", "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example", "X-Request-Id", "forged-1")
	post("+8613612345674", "Origin", "https://evil.example", "X-Request-Id", "forged-2") // a browser without Sec-Fetch-Site
	post("+8613612345675")                                                               // a program, not a browser

	// New refuses an origin that would trust every site, or never match.
	_, err = httpmw.New(v, nil, httpmw.WithSubject(func(*http.Request) (string, error) { return "", nil }),
		httpmw.WithTrustedOrigins("*", "https://www.example.com/"))
	fmt.Println(err)
	// Output:
	// 200
	// 200
	// 403 {"error_code":"USG.000000005","error_msg":"Cross-site request refused: this endpoint accepts requests from this site's own pages and its trusted origins only.","request_id":"forged-1"}
	// 403 {"error_code":"USG.000000005","error_msg":"Cross-site request refused: this endpoint accepts requests from this site's own pages and its trusted origins only.","request_id":"forged-2"}
	// 200
	// httpmw: WithTrustedOrigins: "*": no wildcards; name each origin (scheme://host[:port])
	// httpmw: WithTrustedOrigins: invalid origin "https://www.example.com/": path, query, and fragment are not allowed
}

// A host that guards its whole app with one CrossOriginProtection gives
// it to the Handler too: an origin it trusts, then or later, is trusted
// by the endpoints as well.
func ExampleWithCrossOriginProtection() {
	v, _ := verifier.New(&notify.Recorder{})
	defer v.Close()
	csrf := http.NewCrossOriginProtection()
	h, _ := httpmw.New(v, nil,
		httpmw.WithSubject(func(*http.Request) (string, error) { return "user-42", nil }),
		httpmw.WithCrossOriginProtection(csrf))
	app := http.NewServeMux()
	app.Handle("POST /account/otp", h.SendHandler())
	app.Handle("POST /account/delete", csrf.Handler(http.NotFoundHandler())) // the host's own routes, guarded alike

	post := func(contact string) int {
		r := httptest.NewRequest("POST", "https://api.example.com/account/otp", strings.NewReader(`{"contact":"`+contact+`"}`))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Sec-Fetch-Site", "cross-site")
		r.Header.Set("Origin", "https://partner.example")
		w := httptest.NewRecorder()
		app.ServeHTTP(w, r)
		return w.Code
	}
	fmt.Println(post("+8613612345671"))
	csrf.AddTrustedOrigin("https://partner.example")
	fmt.Println(post("+8613612345672"))
	// Output:
	// 403
	// 200
}
