package widget_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/widget"
)

func get(t *testing.T, h http.Handler, method, path string, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, path, nil)
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestFiles: each file comes with its type, nosniff, an ETag from its
// content and no-cache; the same ETag back gets 304 with no body; HEAD
// gets the headers alone.
func TestFiles(t *testing.T) {
	h := widget.Handler()
	js, _ := os.ReadFile("assets/vcode-verify.js")
	css, _ := os.ReadFile("assets/vcode-verify.css")
	for _, tc := range []struct {
		path, ctype string
		body        []byte
	}{
		{"/vcode-verify.js", "text/javascript; charset=utf-8", js},
		{"/vcode-verify.css", "text/css; charset=utf-8", css},
		{"/countries.json", "application/json", nil},
		{"/labels.json", "application/json", []byte("{}")},
	} {
		t.Run(tc.path, func(t *testing.T) {
			w := get(t, h, "GET", tc.path, nil)
			if w.Code != 200 || w.Header().Get("Content-Type") != tc.ctype {
				t.Fatalf("GET: %d %q, want 200 %q", w.Code, w.Header().Get("Content-Type"), tc.ctype)
			}
			if tc.body != nil && w.Body.String() != string(tc.body) {
				t.Fatalf("body differs from the file (%d bytes, want %d)", w.Body.Len(), len(tc.body))
			}
			if w.Header().Get("X-Content-Type-Options") != "nosniff" || w.Header().Get("Cache-Control") != "no-cache" {
				t.Fatalf("headers %v: want nosniff and no-cache", w.Header())
			}
			etag := w.Header().Get("ETag")
			if !regexp.MustCompile(`^"[A-Za-z0-9_-]{24}"$`).MatchString(etag) {
				t.Fatalf("ETag %q, want a quoted hash", etag)
			}
			if w := get(t, h, "GET", tc.path, http.Header{"If-None-Match": {etag}}); w.Code != 304 || w.Body.Len() != 0 {
				t.Fatalf("If-None-Match: %d with %d bytes, want 304 and none", w.Code, w.Body.Len())
			}
			if w := get(t, h, "GET", tc.path, http.Header{"If-None-Match": {`"other"`}}); w.Code != 200 {
				t.Fatalf("If-None-Match with another ETag: %d, want 200", w.Code)
			}
			if w := get(t, h, "HEAD", tc.path, nil); w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("ETag") != etag {
				t.Fatalf("HEAD: %d, %d bytes, ETag %q", w.Code, w.Body.Len(), w.Header().Get("ETag"))
			}
		})
	}
}

// TestETagFollowsContent: two label sets, two ETags; the same set, the
// same ETag (a restart does not invalidate the browsers' copies).
func TestETagFollowsContent(t *testing.T) {
	etag := func(opts ...widget.Option) string {
		h, err := widget.New(opts...)
		if err != nil {
			t.Fatal(err)
		}
		return get(t, h, "GET", "/labels.json", nil).Header().Get("ETag")
	}
	ja := widget.WithLabels("ja", map[string]string{"send": "コードを送信"})
	if a, b := etag(ja), etag(ja); a != b {
		t.Fatalf("same labels, ETags %s and %s", a, b)
	}
	if a, b := etag(ja), etag(); a == b {
		t.Fatalf("different labels, same ETag %s", a)
	}
}

// TestNotFound: only the four files; no directory listing, no access to
// the embedded tree's own paths, no other method.
func TestNotFound(t *testing.T) {
	h := widget.Handler()
	for _, p := range []string{"/", "/x", "/assets/vcode-verify.js", "/vcode-verify.JS", "/vcode-verify.js/", "/../widget.go", "/index.html"} {
		r := httptest.NewRequest("GET", "/", nil)
		r.URL.Path = p
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 404 {
			t.Errorf("GET %q: %d, want 404", p, w.Code)
		}
	}
	for _, m := range []string{"POST", "PUT", "DELETE"} {
		w := get(t, h, m, "/vcode-verify.js", nil)
		if w.Code != 405 || w.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: %d Allow %q, want 405 GET, HEAD", m, w.Code, w.Header().Get("Allow"))
		}
	}
}

// TestStripPrefix: mounted below a prefix, the files are there.
func TestStripPrefix(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/static/vcode/", http.StripPrefix("/static/vcode", widget.Handler()))
	if w := get(t, mux, "GET", "/static/vcode/vcode-verify.css", nil); w.Code != 200 {
		t.Fatalf("GET below the prefix: %d", w.Code)
	}
}

// TestCountries: the whole Huawei table, in its order, as the element
// reads it.
func TestCountries(t *testing.T) {
	var got []struct{ Value, Dial, Region string }
	if err := json.Unmarshal(get(t, widget.Handler(), "GET", "/countries.json", nil).Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := contact.Countries()
	if len(got) != len(want) || len(got) != 169 {
		t.Fatalf("%d countries, want the table's %d (169)", len(got), len(want))
	}
	for i, c := range want {
		if got[i].Value != c.Name || got[i].Dial != c.DialingCode || got[i].Region != c.Region {
			t.Fatalf("row %d: %+v, want %+v", i, got[i], c)
		}
	}
}

// TestLabels: labels.json holds the host's languages under canonical tags;
// New refuses what the element could not use.
func TestLabels(t *testing.T) {
	h, err := widget.New(
		widget.WithLabels("ja", map[string]string{"send": "コードを送信", "resendIn": "{s} 秒後に再送信"}),
		widget.WithLabels("fr-ca", map[string]string{"verify": "Vérifier"}),
	)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]map[string]string
	if err := json.Unmarshal(get(t, h, "GET", "/labels.json", nil).Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got["ja"]["send"] != "コードを送信" || got["fr-CA"]["verify"] != "Vérifier" || len(got) != 2 {
		t.Fatalf("labels.json %v", got)
	}
	for name, opt := range map[string]widget.Option{
		"unknown key": widget.WithLabels("ja", map[string]string{"sned": "x"}),
		"empty text":  widget.WithLabels("ja", map[string]string{"send": " "}),
		"bad tag":     widget.WithLabels("not a tag!", map[string]string{"send": "x"}),
	} {
		if _, err := widget.New(opt); err == nil || !strings.HasPrefix(err.Error(), "widget: ") {
			t.Errorf("%s: New error %v, want a widget: error", name, err)
		}
	}
	// Every problem at once, as the project's other New functions do.
	_, err = widget.New(
		widget.WithLabels("ja", map[string]string{"sned": "x", "send": " "}),
		widget.WithLabels("not a tag!", map[string]string{"send": "x"}),
	)
	for _, want := range []string{`unknown key "sned"`, `empty text for "send"`, `language "not a tag!"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("New error %v, want it to say %s", err, want)
		}
	}
}

// TestLabelKeysMatchScript: LabelKeys are exactly the keys of each
// built-in language of the script, so that a host's labels.json can give
// every text and no key WithLabels accepts is ignored.
func TestLabelKeysMatchScript(t *testing.T) {
	js, err := os.ReadFile("assets/vcode-verify.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en-US", "zh-CN"} {
		block := regexp.MustCompile(`(?s)'` + lang + `': \{\n(.*?)\n    \},`).FindSubmatch(js)
		if block == nil {
			t.Fatalf("no %s block in the script", lang)
		}
		var keys []string
		for _, m := range regexp.MustCompile(`(?m)^\s+(\w+): '`).FindAllSubmatch(block[1], -1) {
			keys = append(keys, string(m[1]))
		}
		if !slices.Equal(keys, widget.LabelKeys) {
			t.Errorf("%s keys %v, want LabelKeys %v", lang, keys, widget.LabelKeys)
		}
	}
}

// TestAssetsSmallAndStrictCSP: the script and the style sheet together
// stay under 20,000 bytes unminified (the "under 20 KB"), and
// neither file uses what Content-Security-Policy: default-src 'self'
// refuses (style attributes, eval, inline handlers) or reaches another
// origin.
func TestAssetsSmallAndStrictCSP(t *testing.T) {
	total := 0
	for _, name := range []string{"assets/vcode-verify.js", "assets/vcode-verify.css"} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		total += len(b)
		for _, bad := range []string{"style=", ".style.", "setAttribute('style'", "eval(", "new Function", " onclick=", "javascript:", "http://", "https://", "@import"} {
			if strings.Contains(string(b), bad) {
				t.Errorf("%s contains %q", name, bad)
			}
		}
	}
	if total >= 20000 {
		t.Errorf("vcode-verify.js and .css: %d bytes together, want under 20,000", total)
	}
}
