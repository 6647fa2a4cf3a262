package widget_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/vcodekit/vcode/widget"
)

// The host mounts the element's files below a prefix of its choosing,
// with a Japanese label set beside the built-in zh-CN and en-US; the page
// then loads /vcode/vcode-verify.js.
func ExampleNew() {
	assets, err := widget.New(widget.WithLabels("ja", map[string]string{
		"send":   "コードを送信",
		"verify": "確認",
	}))
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/vcode/", http.StripPrefix("/vcode", assets))

	for _, path := range []string{"/vcode/vcode-verify.js", "/vcode/labels.json", "/vcode/other"} {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		fmt.Println(path, w.Code, w.Header().Get("Content-Type"))
	}
	// Output:
	// /vcode/vcode-verify.js 200 text/javascript; charset=utf-8
	// /vcode/labels.json 200 application/json
	// /vcode/other 404 text/plain; charset=utf-8
}
