package huaweicloud

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vcodekit/vcode/delivery"
)

// The number in other forms than E.164 is scrubbed from the service's
// text: the national number, and any run of seven digits or more, with
// separators or not; short codes stay.
func TestScrubNumberForms(t *testing.T) {
	scrub := (&Notifier{&notifier{cfg: &config{App: App{AppSecret: "an-app-secret-0"}}}}).scrubber(delivery.Message{To: to, Code: "753927"}, "", "")
	for _, tc := range []struct{ in, want string }{
		{"number 136 1234 5678 refused", "number [redacted] refused"},
		{"number +86-136-1234-5678 refused", "number [redacted] refused"},
		{"number 13612345678 refused", "number [redacted] refused"},
		{"number +86 (136) 1234.5678 refused", "number [redacted] refused"},
		{"number (0136) 1234-5678", "number ([redacted]"},
		{"other 415.555.0100 too", "other [redacted] too"},
		{"other 555 0100 22", "other [redacted]"},
		{"error 21211, status E200023, code E000510", "error 21211, status E200023, code E000510"},
		{"E000510. 1234567 seconds", "E000510. [redacted] seconds"},
		{"at 10:30, 3 left", "at 10:30, 3 left"},
	} {
		if got := scrub(tc.in); got != tc.want {
			t.Errorf("scrub(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// A short national number (a small country's) is scrubbed too, not
	// other short runs.
	scrub = (&Notifier{&notifier{cfg: &config{App: App{AppSecret: "x-secret"}}}}).scrubber(delivery.Message{To: "+6834002", Code: "1234"}, "", "")
	if got := scrub("number 4002; 0 4002, 683-4002 refused: 21211"); got != "number [redacted]; [redacted], [redacted] refused: 21211" {
		t.Errorf("short number: %q", got)
	}
}

// Credentials the service or a proxy echoes are scrubbed, as sent or
// URL-encoded: the app secret, this request's X-WSSE header and its
// digest. A code or status holding a number or a credential is not
// quoted.
func TestScrubCredentials(t *testing.T) {
	const appSecret = "Sx/9+q=Zr8wKdh3LmP0t"
	n := &Notifier{&notifier{cfg: &config{App: App{AppKey: "app-key", AppSecret: appSecret}}}}
	header, digest := wsse("app-key", appSecret, time.Now())
	scrub := n.scrubber(delivery.Message{To: to, Code: "753927"}, header, digest)
	desc := "bad X-WSSE " + header + " digest " + url.QueryEscape(digest) + " secret " + appSecret + " escaped " + url.QueryEscape(appSecret)
	for name, body := range map[string]string{
		"description": `{"code":"E000101","description":` + quoteJSON(desc) + `}`,
		"code":        `{"code":"13612345678","description":"x"}`,
		"status":      `{"code":"E000510","description":"x","result":[{"originTo":"+1","status":"8613612345678"}]}`,
	} {
		_, why := judge(401, []byte(body), nil, to, scrub)
		for _, leak := range []string{appSecret, url.QueryEscape(appSecret), digest, url.QueryEscape(digest), "13612345678", "PasswordDigest"} {
			if strings.Contains(why, leak) {
				t.Errorf("%s: reason %q quotes %q", name, why, leak)
			}
		}
		if !strings.Contains(why, "HTTP 401") {
			t.Errorf("%s: reason %q", name, why)
		}
	}
}
