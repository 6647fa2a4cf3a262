package sns_test

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
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

// TestSettingsPrinting: a Notifier given every option, printed with any
// fmt verb or logged with log/slog, shows no credential; its %#v shows
// them as "redacted", and its other settings.
func TestSettingsPrinting(t *testing.T) {
	const token = "FwoGZXIvYXdzEXAMPLETOKEN"
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/config", []byte("[profile prod]\nregion = eu-west-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", dir+"/config")
	n, err := sns.New(sns.WithRegion("eu-west-1"), sns.WithStaticCredentials(snstest.AccessKeyID, snstest.SecretAccessKey, token),
		sns.WithProfile("prod"), sns.WithSenderID("VCODE"), sns.WithOriginationNumber("+18005550100"),
		sns.WithEndpoint("https://sns.example.com"), sns.WithTimeout(3*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	secrets := []string{snstest.AccessKeyID, snstest.SecretAccessKey, token}
	for how, out := range printed(n) {
		if s := shows(out, secrets...); s != nil {
			t.Errorf("%s shows %q: %s", how, s, out)
		}
		if how == "%x" { // String, hex-encoded
			continue
		}
		for _, want := range []string{"eu-west-1", "VCODE", "+18005550100", "sns.example.com"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s lacks %q: %s", how, want, out)
			}
		}
	}
	if got, want := fmt.Sprintf("%#v", n), `&sns.Notifier{Region:"eu-west-1", AccessKeyID:"redacted", SecretAccessKey:"redacted", SessionToken:"redacted", Profile:"prod", SenderID:"VCODE", OriginationNumber:"+18005550100", Endpoint:"https://sns.example.com", Timeout:3000000000, Host:"sns.example.com"}`; got != want {
		t.Errorf("%%#v = %s\nwant  %s", got, want)
	}
}

// TestNotifierPrinting: a *Notifier with a session token and a sender ID
// shows neither credential, whatever the verb.
func TestNotifierPrinting(t *testing.T) {
	const token = "FwoGZXIvYXdzEXAMPLETOKEN"
	srv := newFake(t)
	n := newNotifier(t, srv, func(c *config) { c.SessionToken, c.SenderID = token, "VCODE" })
	for how, out := range printed(n) {
		if s := shows(out, snstest.AccessKeyID, snstest.SecretAccessKey, token); s != nil {
			t.Errorf("%s shows %q: %s", how, s, out)
		}
		if how != "%x" && !strings.Contains(out, "VCODE") {
			t.Errorf("%s lacks the sender ID: %s", how, out)
		}
	}
	if got := fmt.Sprintf("%#v", n); !strings.HasPrefix(got, `&sns.Notifier{Region:"us-east-1", AccessKeyID:"redacted", SecretAccessKey:"redacted", SessionToken:"redacted",`) {
		t.Errorf("%%#v = %s", got)
	}
}
