package huaweicloud_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vcodekit/vcode/notify/huaweicloud"
)

// secretTransport is a caller's RoundTripper holding a credential of its
// own, which printing a Config must not reach either.
type secretTransport struct{ ProxyPassword string }

func (secretTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, http.ErrNotSupported
}

// Printing a Config, with any verb, through slog's handlers or as JSON,
// never shows the app key, the app secret or what the URLs may carry.
func TestConfigPrintsNoSecret(t *testing.T) {
	cfg := huaweicloud.Config{
		URL:            "https://smsapi.cn-north-4.myhuaweicloud.com:443",
		AppKey:         "c8RWg3ggEcyd4D3p94bf3Y7x1Ile",
		AppSecret:      secret,
		Sender:         "csms12345678",
		TemplateID:     "8ff55eac1d0b478ab3c06c3c6a492300",
		TemplateIDs:    map[string]string{"zh-CN": "id1"},
		StatusCallback: "https://hooks.example.com/T000/path-token-1?sig=query-token-2",
		Timeout:        5 * time.Second,
		Client:         &http.Client{Transport: secretTransport{"proxy-password-3"}},
	}
	hidden := []string{cfg.AppKey, secret, "path-token-1", "query-token-2", "proxy-password-3"}
	outputs := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%s", "%#v", "%q", "%d", "%x", "%20.300s"} {
		outputs[verb] = fmt.Sprintf(verb, cfg)
		outputs["pointer "+verb] = fmt.Sprintf(verb, &cfg)
	}
	outputs["in a struct"] = fmt.Sprintf("%+v", struct{ Cfg huaweicloud.Config }{cfg})
	outputs["String"], outputs["GoString"] = cfg.String(), cfg.GoString()
	for name, h := range map[string]func(*bytes.Buffer) slog.Handler{
		"slog text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		"slog JSON": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var b bytes.Buffer
		slog.New(h(&b)).Info("config", "cfg", cfg, "ptr", &cfg)
		outputs[name] = b.String()
	}
	js, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	outputs["json"] = string(js)

	for name, out := range outputs {
		for _, h := range hidden {
			if strings.Contains(out, h) || strings.Contains(out, fmt.Sprintf("%x", h)) {
				t.Errorf("%s shows %q: %s", name, h, out)
			}
		}
		if name != "%x" && name != "pointer %x" && (!strings.Contains(out, "redacted") || !strings.Contains(out, cfg.Sender)) {
			t.Errorf("%s does not show the sender and the redacted secrets: %s", name, out)
		}
	}
	if !strings.Contains(outputs["slog text"], "cfg.AppSecret=redacted") || !strings.Contains(outputs["slog JSON"], `"AppSecret":"redacted"`) {
		t.Errorf("slog: %s\n%s", outputs["slog text"], outputs["slog JSON"])
	}
	if want := "https://hooks.example.com/redacted?redacted"; !strings.Contains(outputs["%v"], want) {
		t.Errorf("%%v = %s, want the callback as %s", outputs["%v"], want)
	}
	// An empty secret shows as empty, not as redacted: it is missing.
	if s := fmt.Sprint(huaweicloud.Config{Sender: "x"}); !strings.Contains(s, "AppSecret: ") {
		t.Errorf("empty config: %s", s)
	}
}

// Printing a Notifier, with any verb or through slog, shows no credential;
// nor do its fields, printed from a value.
func TestNotifierPrintsNoSecret(t *testing.T) {
	srv, n := fake(t)
	outputs := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%s", "%#v", "%q", "%d", "%x"} {
		outputs[verb] = fmt.Sprintf(verb, n)
		outputs["value "+verb] = fmt.Sprintf(verb, *n)
		outputs["in a struct "+verb] = fmt.Sprintf(verb, struct{ N huaweicloud.Notifier }{*n})
	}
	for name, h := range map[string]func(*bytes.Buffer) slog.Handler{
		"slog text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		"slog JSON": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var b bytes.Buffer
		slog.New(h(&b)).Info("notifier", "n", n)
		outputs[name] = b.String()
	}
	for name, out := range outputs {
		if strings.Contains(out, srv.AppSecret) || strings.Contains(out, srv.AppKey) || strings.Contains(out, fmt.Sprintf("%x", srv.AppSecret)) {
			t.Errorf("%s shows a credential: %s", name, out)
		}
	}
	if s := fmt.Sprintf("%#v", n); !strings.HasPrefix(s, "&huaweicloud.Notifier{") || !strings.Contains(s, srv.Sender) {
		t.Errorf("%%#v = %s", s)
	}
	if !strings.Contains(outputs["slog JSON"], `"sender":"`+srv.Sender+`"`) {
		t.Errorf("slog JSON: %s", outputs["slog JSON"])
	}
}
