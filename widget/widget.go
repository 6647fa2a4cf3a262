package widget

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/vcodekit/vcode/contact"
	"golang.org/x/text/language"
)

//go:embed assets/vcode-verify.js assets/vcode-verify.css
var assets embed.FS

// LabelKeys are the keys of the element's own texts, the keys WithLabels
// takes. In the texts, {s} stands for a number of seconds and {contact} for
// what the user typed.
//
//	country, phone, email, both     the field labels (both: channel="both")
//	send, resend, resendIn          the send button: first, again, counting down ({s})
//	code, verify, retryIn           the code field, its button, its countdown after a 429 ({s})
//	sending, sent, verifying, verified  the announcements (sent: {contact})
//	missingContact, missingCode     an empty field
//	network, unexpected             no answer, or one that is not the API's
//	config                          a wrong attribute or assets directory
var LabelKeys = []string{
	"country", "phone", "email", "both",
	"send", "resend", "resendIn",
	"code", "verify", "retryIn",
	"sending", "sent", "verifying", "verified",
	"missingContact", "missingCode",
	"network", "unexpected", "config",
}

// Option configures New. Options only record what they are given; New
// checks them all and reports every problem at once.
type Option func(*config)

type config struct {
	labels []labelSet
}

// labelSet is one WithLabels call, as given.
type labelSet struct {
	lang   string
	labels map[string]string
}

// WithLabels gives the element's texts in a language, a BCP 47 tag such
// as "ja" or "fr-CA"; the keys are LabelKeys. It adds a language, or
// rewords a built-in one (zh-CN, en-US): an element whose lang matches the
// tag (exactly, or by its primary subtag) takes these texts, and the
// built-in en-US for the keys left out. Add the language to the verifier's
// i18n catalog too, or the server's error messages come in zh-CN. New
// refuses an unknown key, an empty text or a malformed tag.
func WithLabels(lang string, labels map[string]string) Option {
	return func(c *config) { c.labels = append(c.labels, labelSet{lang, maps.Clone(labels)}) }
}

// checkLabels returns the label sets by canonical tag, a later set of one
// language over an earlier one, and every problem found in them.
func checkLabels(sets []labelSet) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	var errs []error
	for _, set := range sets {
		tag, err := language.Parse(set.lang)
		if err != nil {
			errs = append(errs, fmt.Errorf("widget: WithLabels: language %q: %w", set.lang, err))
			continue
		}
		for _, k := range slices.Sorted(maps.Keys(set.labels)) {
			switch {
			case !slices.Contains(LabelKeys, k):
				errs = append(errs, fmt.Errorf("widget: WithLabels(%q): unknown key %q (see LabelKeys)", set.lang, k))
			case strings.TrimSpace(set.labels[k]) == "":
				errs = append(errs, fmt.Errorf("widget: WithLabels(%q): empty text for %q", set.lang, k))
			}
		}
		out[tag.String()] = set.labels
	}
	return out, errors.Join(errs...)
}

// file is one served file, with what its headers need.
type file struct {
	body        []byte
	contentType string
	etag        string
}

func newFile(body []byte, contentType string) file {
	sum := sha256.Sum256(body)
	return file{body, contentType, `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`}
}

// assetHandler serves the files by name.
type assetHandler map[string]file

// Handler returns the handler of the element's files with the built-in
// labels only; see New.
func Handler() http.Handler {
	h, _ := New() // no option, no error
	return h
}

// New returns a handler serving vcode-verify.js, vcode-verify.css,
// countries.json and labels.json at the root of its path: mount it with
// http.StripPrefix. GET and HEAD only (405 otherwise), 404 for any other
// path; If-None-Match with the file's ETag gets 304.
func New(opts ...Option) (http.Handler, error) {
	c := &config{}
	for _, o := range opts {
		o(c)
	}
	byTag, err := checkLabels(c.labels)
	if err != nil {
		return nil, err
	}
	js, err := assets.ReadFile("assets/vcode-verify.js")
	if err != nil {
		return nil, err
	}
	css, err := assets.ReadFile("assets/vcode-verify.css")
	if err != nil {
		return nil, err
	}
	labels, err := json.Marshal(byTag)
	if err != nil {
		return nil, err
	}
	return assetHandler{
		"/vcode-verify.js":  newFile(js, "text/javascript; charset=utf-8"),
		"/vcode-verify.css": newFile(css, "text/css; charset=utf-8"),
		"/countries.json":   newFile(countriesJSON(), "application/json"),
		"/labels.json":      newFile(labels, "application/json"),
	}, nil
}

// countriesJSON is the Huawei country table as the element reads it.
func countriesJSON() []byte {
	type row struct {
		Value  string `json:"value"`
		Dial   string `json:"dial"`
		Region string `json:"region"`
	}
	var rows []row
	for _, c := range contact.Countries() {
		rows = append(rows, row{c.Name, c.DialingCode, c.Region})
	}
	b, _ := json.Marshal(rows) // strings only: cannot fail
	return b
}

func (h assetHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, ok := h[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", f.contentType)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("ETag", f.etag)
	// Revalidate every time: a new version of the module must reach the
	// browser at once, and the 304 costs one small round trip.
	hd.Set("Cache-Control", "no-cache")
	// ServeContent answers If-None-Match (304), HEAD and Range.
	// The zero time: no Last-Modified, the ETag is the validator.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
}
