package huaweicloud_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/vcodekit/vcode/notify/huaweicloud"
)

// Printing an App, with any verb, through slog's handlers or as JSON,
// never shows the app key, the app secret or what the URL may carry.
func TestAppPrintsNoSecret(t *testing.T) {
	cfg := huaweicloud.App{
		URL:        "https://u:url-password-1@smsapi.cn-north-4.myhuaweicloud.com:443/?sig=query-token-2",
		AppKey:     "c8RWg3ggEcyd4D3p94bf3Y7x1Ile",
		AppSecret:  secret,
		Sender:     "csms12345678",
		TemplateID: "8ff55eac1d0b478ab3c06c3c6a492300",
	}
	hidden := []string{cfg.AppKey, secret, "url-password-1", "query-token-2"}
	outputs := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%s", "%#v", "%q", "%d", "%x", "%20.300s"} {
		outputs[verb] = fmt.Sprintf(verb, cfg)
		outputs["pointer "+verb] = fmt.Sprintf(verb, &cfg)
	}
	outputs["in a struct"] = fmt.Sprintf("%+v", struct{ App huaweicloud.App }{cfg})
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
	if want := "https://redacted@smsapi.cn-north-4.myhuaweicloud.com:443/?redacted"; !strings.Contains(outputs["%v"], want) {
		t.Errorf("%%v = %s, want the URL as %s", outputs["%v"], want)
	}
	// An empty secret shows as empty, not as redacted: it is missing.
	if s := fmt.Sprint(huaweicloud.App{Sender: "x"}); !strings.Contains(s, "AppSecret: ") {
		t.Errorf("empty App: %s", s)
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
