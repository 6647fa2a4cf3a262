package httpmw

import (
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestHeaderValueKeysAreCanonical: headerValue skips Get's canonicalising
// of the key, so every key this package passes it must be canonical
// already (a key such as "X-Request-ID" would never be found). The source
// is read for every call.
func TestHeaderValueKeysAreCanonical(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	call := regexp.MustCompile(`headerValue\(r\.Header, ("[^"]*"|[^)]*)\)`)
	n := 0
	for _, f := range files {
		if filepath.Base(f) == "headervalue_internal_test.go" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllSubmatch(src, -1) {
			n++
			key := string(m[1])
			if key[0] != '"' {
				t.Errorf("%s: headerValue with a key that is not a constant: %s", f, m[0])
				continue
			}
			key = key[1 : len(key)-1]
			if c := textproto.CanonicalMIMEHeaderKey(key); c != key {
				t.Errorf("%s: headerValue key %q is not canonical (%q)", f, key, c)
			}
			h := http.Header{}
			h.Set(key, "v")
			if headerValue(h, key) != h.Get(key) {
				t.Errorf("headerValue(%q) differs from Get", key)
			}
		}
	}
	if n < 4 {
		t.Errorf("%d headerValue calls found, want the 4 the handler makes", n)
	}
}
