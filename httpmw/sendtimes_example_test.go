package httpmw_test

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/vcodetest"
	"github.com/vcodekit/vcode/verifier"
)

// A send that says when the code dies and when "resend" may come back,
// for a browser's countdowns.
func ExampleWithSendTimes() {
	clock := vcodetest.NewClock(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	v, _ := verifier.New(&notify.Recorder{}, verifier.WithClock(clock.Now), verifier.WithValidity(5*time.Minute))
	defer v.Close()
	auth, _ := httpmw.NewStaticTokens(map[string]string{"secret-token": "app-1"})
	h, _ := httpmw.New(v, auth, httpmw.WithSendTimes())

	r := httptest.NewRequest("POST", httpmw.SendPath, strings.NewReader(`{"contact":"+8613612345678"}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Access-Token", "secret-token")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Header().Get("Content-Type"))
	fmt.Println(w.Body)
	// Output:
	// 200 application/json;charset=UTF-8
	// {"expires_at":"2026-11-25T10:05:00Z","next_send_at":"2026-11-25T10:01:00Z"}
}
