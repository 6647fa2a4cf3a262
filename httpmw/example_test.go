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
