package huaweicloud

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vcodekit/vcode/delivery"
)

const to = "+8613612345678"

func noScrub(s string) string { return s }

// Every documented answer, and the undocumented ones, by HTTP status and
// body.
func TestJudge(t *testing.T) {
	ok := `{"code":"000000","description":"Success","result":[{"originTo":"+8613612345678","createTime":"2018-08-06T11:59:50Z","from":"1069031221280000001","smsMsgId":"4b4b34e7-1a9e-42ac-b309-d10997148905_85496076","status":"000000"}]}`
	withStatus := func(code, status string) string {
		return `{"code":"` + code + `","description":"d","result":[{"originTo":"+8613612345678","status":"` + status + `"}]}`
	}
	for _, tc := range []struct {
		name    string
		status  int
		body    string
		readErr error
		want    outcome
		quote   []string // what the reason must say
	}{
		{"documented success", 200, ok, nil, sent, nil},
		{"repeated number, sent once", 200, withStatus("000000", "E200041"), nil, sent, nil},
		{"other number listed first", 200, `{"code":"000000","description":"Success","result":[{"originTo":"+8613600000000","status":"E200028"},{"originTo":"+8613612345678","status":"000000"}]}`, nil, sent, nil},
		{"flow control", 200, withStatus("000000", "E200015"), nil, refused, []string{"E200015", "flow control"}},
		{"template variables", 200, withStatus("E000510", "E200028"), nil, refused, []string{"E000510", "E200028"}},
		{"E000510 unknown status", 200, withStatus("E000510", "E209999"), nil, refused, []string{"E209999"}},
		{"E000510 with 400", 400, withStatus("E000510", "E200023"), nil, invalidNumber, []string{"HTTP 400", "E200023", "no operator"}},
		{"invalid number in 200", 200, withStatus("000000", "E200023"), nil, invalidNumber, []string{"E200023"}},
		{"invalid number, E000510 in 200", 200, withStatus("E000510", "E200023"), nil, invalidNumber, []string{"E200023"}},
		{"outside the channel's range", 200, withStatus("000000", "E200025"), nil, refused, []string{"E200025"}},
		{"no international SMS, 400", 400, withStatus("E000510", "E200024"), nil, refused, []string{"E200024"}},
		{"auth 401 with an E200023", 401, withStatus("E000101", "E200023"), nil, refused, []string{"E000101"}},
		{"E000510 but accepted", 200, withStatus("E000510", "000000"), nil, unsure, nil},
		{"auth 401", 401, `{"code":"E000101","description":"Authentication failed."}`, nil, refused, []string{"E000101", `"Authentication failed."`}},
		{"app_key 401", 401, `{"code":"E000102","description":"Invalid app_key."}`, nil, refused, []string{"E000102"}},
		{"header 400", 400, `{"code":"E000020","description":"X-WSSE not contained in the HTTP header."}`, nil, refused, []string{"E000020"}},
		{"allow list 403", 403, `{"code":"E000620","description":"The app client ip is not in ip white list."}`, nil, refused, []string{"E000620", "allow list"}},
		{"limit 403", 403, `{"code":"E000623","description":"limit"}`, nil, refused, []string{"E000623", "limit"}},
		{"auth code in 200", 200, `{"code":"E000101","description":"Authentication failed."}`, nil, refused, []string{"E000101"}},
		{"parameter code in 200", 200, `{"code":"E000503","description":"x"}`, nil, refused, []string{"E000503"}},
		{"system error 400", 400, `{"code":"E000000","description":"System error."}`, nil, refused, []string{"E000000"}},
		{"system error 200", 200, `{"code":"E000000","description":"System error."}`, nil, unsure, nil},
		{"404 plain text", 404, "Not Found", nil, refused, []string{"HTTP 404"}},
		{"429 empty", 429, "", nil, refused, []string{"HTTP 429"}},
		{"500", 500, `{"code":"E000000","description":"System error."}`, nil, unsure, []string{"HTTP 500", "may have been sent"}},
		{"502 html", 502, "<html>bad gateway</html>", nil, unsure, nil},
		{"success without result", 200, `{"code":"000000","description":"Success"}`, nil, unsure, nil},
		{"success, unknown status", 200, withStatus("000000", "E299999"), nil, unsure, nil},
		{"success, two others", 200, `{"code":"000000","description":"Success","result":[{"originTo":"+1","status":"000000"},{"originTo":"+2","status":"000000"}]}`, nil, unsure, nil},
		{"unknown code", 200, `{"code":"E123456","description":"?"}`, nil, unsure, nil},
		{"truncated", 200, `{"code":"000000","description":"Success","result":[{"originTo":`, nil, unsure, nil},
		{"not JSON", 200, "OK", nil, unsure, nil},
		{"no code", 200, `{"description":"Success"}`, nil, unsure, nil},
		{"body broken", 200, "", errors.New("unexpected EOF"), unsure, []string{"could not be read"}},
		{"refusal with broken body", 401, "", errors.New("unexpected EOF"), refused, nil},
		{"302", 302, "", nil, refused, []string{"redirect"}},
		{"303", 303, "", nil, unsure, nil},
		{"204", 204, "", nil, unsure, nil},
		{"odd status", 600, "", nil, unsure, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, why := judge(tc.status, []byte(tc.body), tc.readErr, to, noScrub)
			if got != tc.want {
				t.Fatalf("judge = %v (%s), want %v", got, why, tc.want)
			}
			for _, q := range tc.quote {
				if !strings.Contains(why, q) {
					t.Errorf("reason %q does not say %q", why, q)
				}
			}
		})
	}
}

// The service's description never brings the number, the code or the
// secret into an error; nor do codes that are not codes.
func TestScrub(t *testing.T) {
	n := &Notifier{&notifier{cfg: &config{App: App{AppSecret: "s3cr3t-app-secret"}}}}
	m := delivery.Message{To: to, Code: "753927"}
	desc := "to +8613612345678 (13612345678, 8613612345678) code 753927 secret s3cr3t-app-secret \x00\n" + strings.Repeat("x", 300)
	body := `{"code":"E000503","description":` + quoteJSON(desc) + `,"result":[{"originTo":"+8613612345678","status":"<script>"}]}`
	_, why := judge(400, []byte(body), nil, to, n.scrubber(m, "", ""))
	for _, leak := range []string{"13612345678", "753927", "s3cr3t", "\x00", "\n", "<script>"} {
		if strings.Contains(why, leak) {
			t.Errorf("reason %q quotes %q", why, leak)
		}
	}
	if !strings.Contains(why, "E000503") || !strings.Contains(why, "(unreadable)") || len(why) > 400 {
		t.Errorf("reason %q", why)
	}
}

func quoteJSON(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteString(`\` + string(r))
		case r < 0x20:
			b.WriteString(`\u00` + hex.EncodeToString([]byte{byte(r)}))
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// The header has the documented shape, and the digest is Base64 of the
// SHA-256's hex string, as in the reference's example (whose digest
// decodes to 64 hex digits).
func TestWSSE(t *testing.T) {
	now := time.Date(2018, 5, 26, 8, 35, 30, 0, time.FixedZone("CST", 8*3600))
	h, digest := wsse("ARBRz4bAXoFgEH7o4Ew308eXc1RA", "secret", now)
	re := regexp.MustCompile(`^UsernameToken Username="ARBRz4bAXoFgEH7o4Ew308eXc1RA",PasswordDigest="([A-Za-z0-9+/=]+)",Nonce="([0-9a-f]{32})",Created="2018-05-26T00:35:30Z"$`)
	m := re.FindStringSubmatch(h)
	if m == nil {
		t.Fatalf("X-WSSE %q", h)
	}
	sum := sha256.Sum256([]byte(m[2] + "2018-05-26T00:35:30Z" + "secret"))
	if got, _ := base64.StdEncoding.DecodeString(m[1]); string(got) != hex.EncodeToString(sum[:]) {
		t.Errorf("PasswordDigest decodes to %q", got)
	}
	if m[1] != digest {
		t.Errorf("digest %q, the header holds %q", digest, m[1])
	}
	h1, _ := wsse("k", "s", now)
	h2, _ := wsse("k", "s", now)
	if h1 == h2 {
		t.Error("the nonce repeats")
	}
	if example, _ := base64.StdEncoding.DecodeString("NDA1MWIwNjI2ZTkyNWFlM2FhMTE5NDE1YTk5NjU1YWE4NjNlZTY1MmRhYzkxZGViNzczZjdjMjkzZWQ4ZjAwNA=="); !regexp.MustCompile(`^[0-9a-f]{64}$`).Match(example) {
		t.Errorf("the reference's example digest decodes to %q", example)
	}
}
