package httpmw_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"golang.org/x/text/language"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/i18n"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/verifier"
)

// post sends body to h's path as the session user-42, in English.
func post(h http.Handler, path, body string) string {
	r := httptest.NewRequest("POST", path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Accept-Language", "en-US")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return fmt.Sprint(w.Code, " ", strings.TrimSpace(w.Body.String()))
}

func session(*http.Request) (string, error) { return "user-42", nil }

// A change-of-email flow takes email addresses only: a phone number typed
// into its field is refused before any code exists.
func ExampleWithChannels() {
	v, _ := verifier.New(&notify.Recorder{})
	defer v.Close()
	email, _ := httpmw.New(v, nil, httpmw.WithSubject(session), httpmw.WithPurpose("change-email"),
		httpmw.WithChannels(delivery.Email))
	mux := http.NewServeMux()
	mux.Handle("POST /account/email/code", email.SendHandler())

	answer := post(mux, "/account/email/code", `{"contact":"+8613612345678"}`)
	fmt.Println(strings.Split(answer, `,"request_id"`)[0])
	fmt.Println(post(mux, "/account/email/code", `{"contact":"new@example.com"}`))
	// Output:
	// 403 {"error_code":"USG.201060008","error_msg":"This endpoint accepts email addresses only."
	// 200
}

// The host refuses an address another account owns before the code goes
// out, with an answer of its own in the user's language; the refusal
// costs the user no quota.
func ExampleWithBeforeSend() {
	owned := map[string]string{"taken@example.com": "user-7"}
	v, _ := verifier.New(&notify.Recorder{})
	defer v.Close()
	h, _ := httpmw.New(v, nil, httpmw.WithSubject(session), httpmw.WithChannels(delivery.Email),
		httpmw.WithBeforeSend(func(r *http.Request, user string, c contact.Contact) error {
			if owner, ok := owned[c.Value]; ok && owner != user {
				return &httpmw.HostError{
					Status: http.StatusConflict,
					Code:   "APP.EMAIL_TAKEN",
					Message: map[language.Tag]string{
						i18n.EnUS: "This email address belongs to another account.",
						i18n.ZhCN: "该邮箱地址已被其他账号使用。",
					},
				}
			}
			return nil
		}))
	send := h.SendHandler()
	fmt.Println(strings.Split(post(send, "/", `{"contact":"Taken@Example.com"}`), `,"request_id"`)[0])
	fmt.Println(post(send, "/", `{"contact":"free@example.com"}`))
	// Output:
	// 409 {"error_code":"APP.EMAIL_TAKEN","error_msg":"This email address belongs to another account."
	// 200
}

type printObserver struct{}

func (printObserver) ObserveRequest(_ context.Context, e httpmw.RequestEvent) {
	fmt.Println(e.Route, e.RouteName, e.Purpose, e.Status)
}

// Two flows on one Verifier, told apart in metrics whatever their paths.
func ExampleWithRoute() {
	v, _ := verifier.New(&notify.Recorder{})
	defer v.Close()
	signup, _ := httpmw.New(v, nil, httpmw.WithSubject(session), httpmw.WithRoute("signup"),
		httpmw.WithPurpose("signup"), httpmw.WithChannels(delivery.SMS), httpmw.WithRequestObserver(printObserver{}))
	email, _ := httpmw.New(v, nil, httpmw.WithSubject(session), httpmw.WithRoute("change-email"),
		httpmw.WithPurpose("change-email"), httpmw.WithChannels(delivery.Email), httpmw.WithRequestObserver(printObserver{}))
	post(signup.SendHandler(), "/signup/code", `{"contact":"+8613612345678"}`)
	post(email.SendHandler(), "/account/email/code", `{"contact":"a@example.com"}`)
	// Output:
	// send signup signup 200
	// send change-email change-email 200
}
