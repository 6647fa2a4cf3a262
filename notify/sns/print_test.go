package sns_test

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/vcodekit/vcode/notify/sns"
	"github.com/vcodekit/vcode/notify/sns/snstest"
)

// printed is v as every fmt verb and both slog handlers show it.
func printed(v any) map[string]string {
	out := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%s", "%#v", "%d", "%x", "%q", "%20v"} {
		out[verb] = fmt.Sprintf(verb, v)
	}
	out["Sprint"] = fmt.Sprint(v)
	out["Sprint slice"] = fmt.Sprint([]any{v})
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("config", "v", v)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("config", "v", v)
	out["slog text"], out["slog JSON"] = text.String(), js.String()
	return out
}

// shows reports which of the credentials' forms (as they are, and
// hex-encoded for %x) out holds.
func shows(out string, credentials ...string) []string {
	var found []string
	for _, c := range credentials {
		for _, f := range []string{c, hex.EncodeToString([]byte(c)), strings.ToUpper(hex.EncodeToString([]byte(c)))} {
			if strings.Contains(out, f) {
				found = append(found, f)
			}
		}
	}
	return found
}

// TestConfigPrinting: a Config printed with any fmt verb or logged with
// log/slog shows its credentials as "redacted", and its other fields.
func TestConfigPrinting(t *testing.T) {
	const token = "FwoGZXIvYXdzEXAMPLETOKEN"
	cfg := sns.Config{
		Region: "eu-west-1", AccessKeyID: snstest.AccessKeyID, SecretAccessKey: snstest.SecretAccessKey, SessionToken: token,
		Profile: "prod", SenderID: "VCODE", OriginationNumber: "+18005550100",
		Endpoint: "https://user:endpoint-password@sns.example.com/?apikey=endpoint-key", Timeout: 3 * time.Second,
	}
	secrets := []string{snstest.AccessKeyID, snstest.SecretAccessKey, token, "endpoint-password", "endpoint-key"}
	for _, v := range []any{cfg, &cfg} {
		for how, out := range printed(v) {
			if s := shows(out, secrets...); s != nil {
				t.Errorf("%T with %s shows %q: %s", v, how, s, out)
			}
			if how == "%x" { // String, hex-encoded
				continue
			}
			if !strings.Contains(out, "redacted") {
				t.Errorf("%T with %s: no \"redacted\": %s", v, how, out)
			}
			for _, want := range []string{"eu-west-1", "prod", "VCODE", "+18005550100", "sns.example.com"} {
				if !strings.Contains(out, want) {
					t.Errorf("%T with %s lacks %q: %s", v, how, want, out)
				}
			}
		}
	}
	if got, want := fmt.Sprintf("%+v", cfg), "{Region:eu-west-1 AccessKeyID:redacted SecretAccessKey:redacted SessionToken:redacted Profile:prod SenderID:VCODE OriginationNumber:+18005550100 Endpoint:https://redacted@sns.example.com/?redacted Timeout:3s}"; got != want {
		t.Errorf("%%+v = %s\nwant   %s", got, want)
	}
	if got, want := fmt.Sprintf("%#v", sns.Config{Region: "us-east-1", Timeout: time.Second}), `sns.Config{Region:"us-east-1", AccessKeyID:"", SecretAccessKey:"", SessionToken:"", Profile:"", SenderID:"", OriginationNumber:"", Endpoint:"", Timeout:1000000000}`; got != want {
		t.Errorf("%%#v = %s\nwant  %s", got, want)
	}
	var js bytes.Buffer
	slog.New(slog.NewJSONHandler(&js, nil)).Info("start", "sns", cfg)
	if !strings.Contains(js.String(), `"sns":{"Region":"eu-west-1","AccessKeyID":"redacted","SecretAccessKey":"redacted","SessionToken":"redacted",`) {
		t.Errorf("slog JSON: %s", js.String())
	}
}

// TestNotifierPrinting: so does a *Notifier, which holds the Config.
func TestNotifierPrinting(t *testing.T) {
	const token = "FwoGZXIvYXdzEXAMPLETOKEN"
	srv := newFake(t)
	n := newNotifier(t, srv, func(c *sns.Config) { c.SessionToken, c.SenderID = token, "VCODE" })
	for how, out := range printed(n) {
		if s := shows(out, snstest.AccessKeyID, snstest.SecretAccessKey, token); s != nil {
			t.Errorf("%s shows %q: %s", how, s, out)
		}
		if how != "%x" && !strings.Contains(out, "VCODE") {
			t.Errorf("%s lacks the sender ID: %s", how, out)
		}
	}
	if got := fmt.Sprintf("%#v", n); !strings.HasPrefix(got, `&sns.Notifier{Config:sns.Config{Region:"us-east-1", AccessKeyID:"redacted", SecretAccessKey:"redacted", SessionToken:"redacted",`) {
		t.Errorf("%%#v = %s", got)
	}
}
