package huaweicloudtest_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vcodekit/vcode/notify/huaweicloud/huaweicloudtest"
)

const authorization = `WSSE realm="SDP",profile="UsernameToken",type="Appkey"`

// request builds a request the fake accepts, for a test to break.
type request struct {
	method, path, contentType, authorization, wsse string
	form                                           url.Values
}

func valid(s *huaweicloudtest.Server) request {
	return request{
		method: http.MethodPost, path: huaweicloudtest.Path, contentType: "application/x-www-form-urlencoded",
		authorization: authorization,
		wsse:          header(s.AppKey, s.AppSecret, "ac1c911c4792492687f8f6b2264a491e", time.Now(), true, ","),
		form: url.Values{"from": {s.Sender}, "to": {"+8613612345678"}, "templateId": {s.TemplateID},
			"templateParas": {`["123456","5"]`}},
	}
}

// header makes an X-WSSE header, with the digest as hex or raw bytes.
func header(key, secret, nonce string, t time.Time, hexDigest bool, sep string) string {
	created := t.UTC().Format("2006-01-02T15:04:05Z")
	sum := sha256.Sum256([]byte(nonce + created + secret))
	d := base64.StdEncoding.EncodeToString(sum[:])
	if hexDigest {
		d = base64.StdEncoding.EncodeToString([]byte(hex.EncodeToString(sum[:])))
	}
	return `UsernameToken Username="` + key + `"` + sep + `PasswordDigest="` + d + `"` + sep + `Nonce="` + nonce + `"` + sep + `Created="` + created + `"`
}

func (r request) do(t *testing.T, s *huaweicloudtest.Server) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(r.method, s.URL()+r.path, strings.NewReader(r.form.Encode()))
	for k, v := range map[string]string{"Content-Type": r.contentType, "Authorization": r.authorization, "X-WSSE": r.wsse} {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var a struct{ Code string }
	json.Unmarshal(b, &a)
	return resp.StatusCode, a.Code
}

// The fake answers each broken rule as the service documents, and
// records it; it takes both digest forms and both spacings.
func TestContract(t *testing.T) {
	for _, tc := range []struct {
		name   string
		edit   func(*request, *huaweicloudtest.Server)
		status int
		code   string
	}{
		{"valid", func(*request, *huaweicloudtest.Server) {}, 200, "000000"},
		{"raw digest, spaced", func(r *request, s *huaweicloudtest.Server) {
			r.wsse = header(s.AppKey, s.AppSecret, "66C92B11FF8A425FB8D4CCFE0ED9ED1F", time.Now(), false, ", ")
			r.authorization = `WSSE realm="SDP", profile="UsernameToken", type="Appkey"`
		}, 200, "000000"},
		{"charset", func(r *request, _ *huaweicloudtest.Server) { r.contentType += "; charset=UTF-8" }, 200, "000000"},
		{"GET", func(r *request, _ *huaweicloudtest.Server) { r.method = http.MethodGet }, 405, ""},
		{"path", func(r *request, _ *huaweicloudtest.Server) { r.path = "/sms/batchSendSms/v1/sms/batchSendSms/v1" }, 404, ""},
		{"query", func(r *request, _ *huaweicloudtest.Server) { r.path += "?to=1" }, 400, "E000503"},
		{"JSON body", func(r *request, _ *huaweicloudtest.Server) { r.contentType = "application/json" }, 400, "E000000"},
		{"no Authorization", func(r *request, _ *huaweicloudtest.Server) { r.authorization = "" }, 400, "E000001"},
		{"not WSSE", func(r *request, _ *huaweicloudtest.Server) { r.authorization = "Bearer x" }, 400, "E000008"},
		{"realm", func(r *request, _ *huaweicloudtest.Server) {
			r.authorization = strings.Replace(authorization, "SDP", "CDP", 1)
		}, 400, "E000004"},
		{"profile", func(r *request, _ *huaweicloudtest.Server) { r.authorization = `WSSE realm="SDP",type="Appkey"` }, 400, "E000003"},
		{"type", func(r *request, _ *huaweicloudtest.Server) {
			r.authorization = `WSSE realm="SDP",profile="UsernameToken"`
		}, 400, "E000007"},
		{"no X-WSSE", func(r *request, _ *huaweicloudtest.Server) { r.wsse = "" }, 400, "E000020"},
		{"no nonce", func(r *request, _ *huaweicloudtest.Server) {
			r.wsse = strings.Replace(r.wsse, `Nonce="ac1c911c4792492687f8f6b2264a491e",`, "", 1)
		}, 400, "E000022"},
		{"wrong key", func(r *request, s *huaweicloudtest.Server) {
			r.wsse = header("other", s.AppSecret, "abc", time.Now(), true, ",")
		}, 401, "E000102"},
		{"wrong secret", func(r *request, s *huaweicloudtest.Server) {
			r.wsse = header(s.AppKey, "other", "abc", time.Now(), true, ",")
		}, 401, "E000101"},
		{"nonce with a dash", func(r *request, s *huaweicloudtest.Server) {
			r.wsse = header(s.AppKey, s.AppSecret, "ac1c911c-4792", time.Now(), true, ",")
		}, 401, "E000101"},
		{"stale", func(r *request, s *huaweicloudtest.Server) {
			r.wsse = header(s.AppKey, s.AppSecret, "abc", time.Now().Add(-10*time.Minute), true, ",")
		}, 401, "E000110"},
		{"Created with milliseconds", func(r *request, _ *huaweicloudtest.Server) {
			i := strings.LastIndex(r.wsse, `Z"`) // Created's, not a random app key's last letter
			r.wsse = r.wsse[:i] + `.000Z"`
		}, 401, "E000110"},
		{"unknown field", func(r *request, _ *huaweicloudtest.Server) { r.form.Set("extend", "x") }, 400, "E000503"},
		{"two numbers", func(r *request, _ *huaweicloudtest.Server) { r.form.Set("to", "+8613612345678,+8613612345679") }, 400, "E000503"},
		{"national number", func(r *request, _ *huaweicloudtest.Server) { r.form.Set("to", "13612345678") }, 400, "E000503"},
		{"sender", func(r *request, _ *huaweicloudtest.Server) { r.form.Set("from", "other") }, 400, "E000510"},
		{"template", func(r *request, _ *huaweicloudtest.Server) { r.form.Set("templateId", "other") }, 400, "E000503"},
		{"parameters as numbers", func(r *request, _ *huaweicloudtest.Server) { r.form.Set("templateParas", `[123456,5]`) }, 400, "E000510"},
		{"one parameter", func(r *request, _ *huaweicloudtest.Server) { r.form.Set("templateParas", `["123456"]`) }, 400, "E000510"},
		{"minutes 0", func(r *request, _ *huaweicloudtest.Server) { r.form.Set("templateParas", `["123456","0"]`) }, 400, "E000510"},
		{"signature", func(r *request, _ *huaweicloudtest.Server) { r.form.Set("signature", "x") }, 400, "E000503"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := huaweicloudtest.NewServer(t)
			r := valid(s)
			tc.edit(&r, s)
			status, code := r.do(t, s)
			if status != tc.status || code != tc.code {
				t.Errorf("answered %d %q, want %d %q", status, code, tc.status, tc.code)
			}
			if recorded := len(s.Problems()) > 0; recorded != (tc.status != 200) {
				t.Errorf("problems %q", s.Problems())
			}
			if s.Requests() != 1 {
				t.Errorf("%d requests", s.Requests())
			}
		})
	}
}

// The options set the account the fake plays; without them it has none
// of the optional settings.
func TestOptions(t *testing.T) {
	s := huaweicloudtest.NewServer(t, huaweicloudtest.WithCodeOnly(), huaweicloudtest.WithSignature("sig"),
		huaweicloudtest.WithStatusCallback("https://example.com/r"))
	if !s.CodeOnly || s.Signature != "sig" || s.StatusCallback != "https://example.com/r" || len(s.TemplateIDs) != 2 ||
		s.AppKey == "" || s.AppSecret == "" || s.Sender == "" || s.TemplateID == "" {
		t.Errorf("server %+v", s)
	}
	if d := huaweicloudtest.NewServer(t); d.CodeOnly || d.Signature != "" || d.StatusCallback != "" {
		t.Error("optional settings set by default")
	}
}

// The fake records every well-formed request it does not refuse, with the
// answer it gave: Accept, and ServerError, Hang and MalformedSuccess, after
// which the message may have gone out. Refusals record nothing.
func TestRecords(t *testing.T) {
	for _, tc := range []struct {
		answer huaweicloudtest.Answer
		record bool
	}{
		{huaweicloudtest.Accept, true},
		{huaweicloudtest.ServerError, true},
		{huaweicloudtest.Hang, true},
		{huaweicloudtest.MalformedSuccess, true},
		{huaweicloudtest.RejectInvalidNumber, false},
		{huaweicloudtest.Throttle, false},
		{huaweicloudtest.AuthFailure, false},
	} {
		s := huaweicloudtest.NewServer(t)
		s.SetAnswer(tc.answer)
		r := valid(s)
		req, _ := http.NewRequest(r.method, s.URL()+r.path, strings.NewReader(r.form.Encode()))
		req.Header.Set("Content-Type", r.contentType)
		req.Header.Set("Authorization", r.authorization)
		req.Header.Set("X-WSSE", r.wsse)
		client := &http.Client{Timeout: 200 * time.Millisecond} // Hang never answers
		if resp, err := client.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		client.CloseIdleConnections()
		msgs := s.Messages()
		code, found := s.LastCode("+8613612345678")
		if !tc.record {
			if len(msgs) != 0 || found {
				t.Errorf("answer %d: recorded %+v", tc.answer, msgs)
			}
			continue
		}
		if len(msgs) != 1 || msgs[0].Answer != tc.answer || !found || code != "123456" {
			t.Errorf("answer %d: messages %+v, LastCode %q %v", tc.answer, msgs, code, found)
		}
		if p := s.Problems(); len(p) > 0 {
			t.Errorf("answer %d: problems %q", tc.answer, p)
		}
	}
}

// Start and Close run a fake without a testing.TB; Close may be called
// twice.
func TestStartClose(t *testing.T) {
	s := huaweicloudtest.Start(huaweicloudtest.WithSignature("sig"))
	r := valid(s)
	r.form.Set("signature", "sig")
	if status, _ := r.do(t, s); status != 200 {
		t.Errorf("status %d", status)
	}
	s.Close()
	s.Close()
	if _, err := http.Get(s.URL()); err == nil {
		t.Error("the server still answers after Close")
	}
	// NewServer's cleanup and an explicit Close do not clash.
	huaweicloudtest.NewServer(t).Close()
}
