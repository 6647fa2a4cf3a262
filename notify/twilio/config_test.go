package twilio_test

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vcodekit/vcode/notify/twilio"
	"github.com/vcodekit/vcode/notify/twilio/twiliotest"
)

func TestConfigFromEnv(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tokenFile := file("token", twiliotest.AuthToken+"\n")
	secretFile := file("secret", twiliotest.APISecret+" \r\n")
	emptyFile := file("empty", "\n\n")
	paddedFile := file("padded", "\n \t"+twiliotest.AuthToken+" \r\n")
	quotedFile := file("quoted", "'"+twiliotest.APISecret+"'\n")
	missing := filepath.Join(dir, "missing")

	base := map[string]string{
		"TWILIO_ACCOUNT_SID": twiliotest.AccountSID,
		"TWILIO_AUTH_TOKEN":  twiliotest.AuthToken,
		"VCODE_TWILIO_FROM":  twiliotest.From,
	}
	// with returns base changed: an empty value deletes the variable.
	with := func(kv ...string) map[string]string {
		m := maps.Clone(base)
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "" {
				delete(m, kv[i])
			} else {
				m[kv[i]] = kv[i+1]
			}
		}
		return m
	}
	keyAuth := []string{"TWILIO_AUTH_TOKEN", "", "TWILIO_API_KEY", twiliotest.APIKey, "TWILIO_API_SECRET", twiliotest.APISecret}

	tests := []struct {
		name string
		env  map[string]string
		want twilio.Config // when err is ""
		err  []string      // substrings of the error
	}{
		{"auth token and From", base,
			twilio.Config{AccountSID: twiliotest.AccountSID, AuthToken: twiliotest.AuthToken, From: twiliotest.From}, nil},
		{"API key and Messaging Service", with(append(keyAuth, "VCODE_TWILIO_FROM", "", "VCODE_TWILIO_MESSAGING_SERVICE_SID", twiliotest.MessagingServiceSID)...),
			twilio.Config{AccountSID: twiliotest.AccountSID, APIKey: twiliotest.APIKey, APISecret: twiliotest.APISecret, MessagingServiceSID: twiliotest.MessagingServiceSID}, nil},
		{"token from a file", with("TWILIO_AUTH_TOKEN", "", "TWILIO_AUTH_TOKEN_FILE", tokenFile),
			twilio.Config{AccountSID: twiliotest.AccountSID, AuthToken: twiliotest.AuthToken, From: twiliotest.From}, nil},
		{"secret from a file", with("TWILIO_AUTH_TOKEN", "", "TWILIO_API_KEY", twiliotest.APIKey, "TWILIO_API_SECRET_FILE", secretFile),
			twilio.Config{AccountSID: twiliotest.AccountSID, APIKey: twiliotest.APIKey, APISecret: twiliotest.APISecret, From: twiliotest.From}, nil},
		{"API URL", with("VCODE_TWILIO_API_URL", "https://api.dublin.ie1.twilio.com"),
			twilio.Config{AccountSID: twiliotest.AccountSID, AuthToken: twiliotest.AuthToken, From: twiliotest.From, APIURL: "https://api.dublin.ie1.twilio.com"}, nil},
		{"alphanumeric sender", with("VCODE_TWILIO_FROM", "Vcode"),
			twilio.Config{AccountSID: twiliotest.AccountSID, AuthToken: twiliotest.AuthToken, From: "Vcode"}, nil},

		{"nothing", map[string]string{}, twilio.Config{},
			[]string{"TWILIO_ACCOUNT_SID is not set", "no credential", "no sender"}},
		{"no account", with("TWILIO_ACCOUNT_SID", ""), twilio.Config{}, []string{"TWILIO_ACCOUNT_SID is not set"}},
		{"bad account", with("TWILIO_ACCOUNT_SID", "AC123"), twilio.Config{}, []string{"TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits"}},
		{"no credential", with("TWILIO_AUTH_TOKEN", ""), twilio.Config{}, []string{"no credential", "TWILIO_AUTH_TOKEN", "TWILIO_API_KEY"}},
		{"token and API key", with("TWILIO_API_KEY", twiliotest.APIKey, "TWILIO_API_SECRET", twiliotest.APISecret), twilio.Config{},
			[]string{"TWILIO_AUTH_TOKEN (or TWILIO_AUTH_TOKEN_FILE) and an API key"}},
		{"key without secret", with("TWILIO_AUTH_TOKEN", "", "TWILIO_API_KEY", twiliotest.APIKey), twilio.Config{},
			[]string{"TWILIO_API_KEY is set without TWILIO_API_SECRET"}},
		{"secret without key", with("TWILIO_AUTH_TOKEN", "", "TWILIO_API_SECRET", twiliotest.APISecret), twilio.Config{},
			[]string{"TWILIO_API_SECRET (or TWILIO_API_SECRET_FILE) is set without TWILIO_API_KEY"}},
		{"bad key", with(append(keyAuth, "TWILIO_API_KEY", "AC0123456789abcdef0123456789abcdef")...), twilio.Config{},
			[]string{"TWILIO_API_KEY must be SK followed by 32 hex digits"}},
		{"token with a space", with("TWILIO_AUTH_TOKEN", twiliotest.AuthToken+" x"), twilio.Config{},
			[]string{"TWILIO_AUTH_TOKEN (or TWILIO_AUTH_TOKEN_FILE) contains white space"}},
		{"token with a slash", with("TWILIO_AUTH_TOKEN", twiliotest.AuthToken+"/"), twilio.Config{},
			[]string{"TWILIO_AUTH_TOKEN (or TWILIO_AUTH_TOKEN_FILE) has characters other than letters and digits"}},

		// White space around values is trimmed, leading too; inside them,
		// and quotes around them, are errors naming the variable.
		{"values padded with white space", with(
			"TWILIO_ACCOUNT_SID", " \t"+twiliotest.AccountSID+"\n",
			"TWILIO_AUTH_TOKEN", "  "+twiliotest.AuthToken+" ",
			"VCODE_TWILIO_FROM", "\t"+twiliotest.From+"\r\n",
			"VCODE_TWILIO_API_URL", " https://api.dublin.ie1.twilio.com "),
			twilio.Config{AccountSID: twiliotest.AccountSID, AuthToken: twiliotest.AuthToken, From: twiliotest.From, APIURL: "https://api.dublin.ie1.twilio.com"}, nil},
		{"API key padded", with(append(keyAuth, "TWILIO_API_KEY", " "+twiliotest.APIKey+"\n", "VCODE_TWILIO_FROM", "", "VCODE_TWILIO_MESSAGING_SERVICE_SID", "\n"+twiliotest.MessagingServiceSID+" ")...),
			twilio.Config{AccountSID: twiliotest.AccountSID, APIKey: twiliotest.APIKey, APISecret: twiliotest.APISecret, MessagingServiceSID: twiliotest.MessagingServiceSID}, nil},
		{"file padded on both sides", with("TWILIO_AUTH_TOKEN", "", "TWILIO_AUTH_TOKEN_FILE", " "+paddedFile+"\n"),
			twilio.Config{AccountSID: twiliotest.AccountSID, AuthToken: twiliotest.AuthToken, From: twiliotest.From}, nil},
		{"sender ID with a space", with("VCODE_TWILIO_FROM", " Vcode Shop "),
			twilio.Config{AccountSID: twiliotest.AccountSID, AuthToken: twiliotest.AuthToken, From: "Vcode Shop"}, nil},
		{"only white space is unset", with("TWILIO_AUTH_TOKEN", " \n "), twilio.Config{}, []string{"no credential"}},
		{"token in double quotes", with("TWILIO_AUTH_TOKEN", `"`+twiliotest.AuthToken+`"`), twilio.Config{},
			[]string{"TWILIO_AUTH_TOKEN (or TWILIO_AUTH_TOKEN_FILE) is enclosed in quotes"}},
		{"secret file in single quotes", with(append(keyAuth, "TWILIO_API_SECRET", "", "TWILIO_API_SECRET_FILE", quotedFile)...), twilio.Config{},
			[]string{"TWILIO_API_SECRET (or TWILIO_API_SECRET_FILE) is enclosed in quotes"}},
		{"account in quotes", with("TWILIO_ACCOUNT_SID", "'"+twiliotest.AccountSID+"'"), twilio.Config{},
			[]string{"TWILIO_ACCOUNT_SID is enclosed in quotes"}},
		{"sender in quotes", with("VCODE_TWILIO_FROM", `"Vcode"`), twilio.Config{},
			[]string{"VCODE_TWILIO_FROM is enclosed in quotes"}},
		{"secret with a tab", with(append(keyAuth, "TWILIO_API_SECRET", twiliotest.APISecret[:8]+"\t"+twiliotest.APISecret[8:])...), twilio.Config{},
			[]string{"TWILIO_API_SECRET (or TWILIO_API_SECRET_FILE) contains white space"}},
		{"key with a space", with(append(keyAuth, "TWILIO_API_KEY", twiliotest.APIKey[:10]+" "+twiliotest.APIKey[10:])...), twilio.Config{},
			[]string{"TWILIO_API_KEY contains white space"}},
		{"API URL with a space", with("VCODE_TWILIO_API_URL", "https://api.twilio.com/a b"), twilio.Config{},
			[]string{"VCODE_TWILIO_API_URL contains white space"}},
		{"sender ID with a tab", with("VCODE_TWILIO_FROM", "Vcode\tShop"), twilio.Config{},
			[]string{"VCODE_TWILIO_FROM contains white space"}},
		{"token and its file", with("TWILIO_AUTH_TOKEN_FILE", tokenFile), twilio.Config{},
			[]string{"TWILIO_AUTH_TOKEN and TWILIO_AUTH_TOKEN_FILE are both set"}},
		{"secret and its file", with(append(keyAuth, "TWILIO_API_SECRET_FILE", secretFile)...), twilio.Config{},
			[]string{"TWILIO_API_SECRET and TWILIO_API_SECRET_FILE are both set"}},
		{"missing file", with("TWILIO_AUTH_TOKEN", "", "TWILIO_AUTH_TOKEN_FILE", missing), twilio.Config{},
			[]string{"TWILIO_AUTH_TOKEN_FILE", missing}},
		{"empty file", with("TWILIO_AUTH_TOKEN", "", "TWILIO_AUTH_TOKEN_FILE", emptyFile), twilio.Config{},
			[]string{"TWILIO_AUTH_TOKEN_FILE", "is empty"}},
		{"no sender", with("VCODE_TWILIO_FROM", ""), twilio.Config{}, []string{"no sender"}},
		{"two senders", with("VCODE_TWILIO_MESSAGING_SERVICE_SID", twiliotest.MessagingServiceSID), twilio.Config{},
			[]string{"VCODE_TWILIO_FROM and VCODE_TWILIO_MESSAGING_SERVICE_SID are both given"}},
		{"bad sender", with("VCODE_TWILIO_FROM", "+1 (500) 555"), twilio.Config{}, []string{"VCODE_TWILIO_FROM is not"}},
		{"bad service", with("VCODE_TWILIO_FROM", "", "VCODE_TWILIO_MESSAGING_SERVICE_SID", "MG1"), twilio.Config{},
			[]string{"VCODE_TWILIO_MESSAGING_SERVICE_SID must be MG"}},
		{"http API URL", with("VCODE_TWILIO_API_URL", "http://api.twilio.com"), twilio.Config{},
			[]string{"VCODE_TWILIO_API_URL must be https (http only on loopback)"}},
	}
	secrets := []string{twiliotest.AuthToken, twiliotest.APISecret, twiliotest.APISecret[:8], twiliotest.APISecret[8:]}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := twilio.ConfigFromEnv(func(k string) string { return tt.env[k] })
			if tt.err == nil {
				if err != nil {
					t.Fatal(err)
				}
				if got != tt.want {
					t.Fatalf("got %v\nwant %v", got, tt.want)
				}
				if _, err := twilio.New(got); err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, got %v", got)
			}
			for _, want := range tt.err {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q, want %q in it", err, want)
				}
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "notify: twilio: ") {
					t.Errorf("error line %q without the package prefix", line)
				}
			}
			for _, s := range secrets {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error quotes a secret: %v", err)
				}
			}
		})
	}
}

// TestNewChecks: New refuses what cannot work, naming Config's fields,
// quoting no secret; plain http only to loopback.
func TestNewChecks(t *testing.T) {
	ok := twilio.Config{AccountSID: twiliotest.AccountSID, AuthToken: twiliotest.AuthToken, From: twiliotest.From}
	tests := []struct {
		name   string
		change func(*twilio.Config)
		err    string // "" for accepted
	}{
		{"defaults", func(*twilio.Config) {}, ""},
		{"https", func(c *twilio.Config) { c.APIURL = "https://api.twilio.com/" }, ""},
		{"https with a path prefix", func(c *twilio.Config) { c.APIURL = "https://proxy.example.com/twilio" }, ""},
		{"http to 127.0.0.1", func(c *twilio.Config) { c.APIURL = "http://127.0.0.1:8080" }, ""},
		{"http to ::1", func(c *twilio.Config) { c.APIURL = "http://[::1]:8080" }, ""},
		{"http to localhost", func(c *twilio.Config) { c.APIURL = "http://localhost:8080" }, ""},
		{"short code", func(c *twilio.Config) { c.From = "12345" }, ""},
		{"http to Twilio", func(c *twilio.Config) { c.APIURL = "http://api.twilio.com" }, "Config.APIURL must be https (http only on loopback)"},
		{"http to a private address", func(c *twilio.Config) { c.APIURL = "http://10.0.0.1" }, "Config.APIURL must be https"},
		{"http to a name like localhost", func(c *twilio.Config) { c.APIURL = "http://localhost.example.com" }, "Config.APIURL must be https"},
		{"ftp", func(c *twilio.Config) { c.APIURL = "ftp://127.0.0.1" }, "Config.APIURL must be https"},
		{"relative", func(c *twilio.Config) { c.APIURL = "api.twilio.com" }, "Config.APIURL is not an absolute URL"},
		{"user info", func(c *twilio.Config) { c.APIURL = "https://AC1:" + twiliotest.AuthToken + "@api.twilio.com" }, "Config.APIURL must not hold user information"},
		{"query", func(c *twilio.Config) { c.APIURL = "https://api.twilio.com/?token=" + twiliotest.AuthToken }, "Config.APIURL must have neither query nor fragment"},
		{"bad port", func(c *twilio.Config) { c.APIURL = "https://api.twilio.com:0" }, "Config.APIURL port"},
		{"token padded", func(c *twilio.Config) { c.AuthToken = " " + twiliotest.AuthToken }, "Config.AuthToken has white space at an end"},
		{"token quoted", func(c *twilio.Config) { c.AuthToken = `"` + twiliotest.AuthToken + `"` }, "Config.AuthToken is enclosed in quotes"},
		{"sender ID padded", func(c *twilio.Config) { c.From = "Vcode " }, "Config.From has white space at an end"},
		{"sender ID with a space", func(c *twilio.Config) { c.From = "Vcode Shop" }, ""},
		{"token not alphanumeric", func(c *twilio.Config) { c.AuthToken = twiliotest.AuthToken + "!" }, "Config.AuthToken has characters other than letters and digits"},
		{"bad API key secret", func(c *twilio.Config) {
			c.AuthToken, c.APIKey, c.APISecret = "", twiliotest.APIKey, twiliotest.APISecret+"/"
		}, "Config.APISecret has characters other than letters and digits"},
		{"negative timeout", func(c *twilio.Config) { c.Timeout = -1 }, "Config.Timeout"},
		{"long sender ID", func(c *twilio.Config) { c.From = "VcodeVcodeVcode" }, "Config.From is not"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ok
			tt.change(&cfg)
			n, err := twilio.New(cfg)
			if tt.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				n.Close()
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("New = %v, want %q", err, tt.err)
			}
			if strings.Contains(err.Error(), twiliotest.AuthToken) || strings.Contains(err.Error(), twiliotest.APISecret) {
				t.Errorf("error quotes a secret: %v", err)
			}
		})
	}
}
