package main

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/vcodekit/vcode/notify/huaweicloud"
	"github.com/vcodekit/vcode/notify/twilio"
	"github.com/vcodekit/vcode/notify/twilio/twiliotest"
)

// The tests of the SMS providers' environment, moved here with it from
// the provider packages (their ConfigFromEnv): each reads the variables
// and builds the notifier as -sms does, and checks what was read, or that
// the error names the variables at fault and quotes no secret.

const huaweiSecret = "q4Ii87BhST9vcs8wvrzN80SfD7Al"

func getenvOf(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

func TestTwilioFromEnv(t *testing.T) {
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
		want twilioEnv // when err is ""
		err  []string  // substrings of the error
	}{
		{"auth token and From", base,
			twilioEnv{Account: twilio.Account{SID: twiliotest.AccountSID, AuthToken: twiliotest.AuthToken, From: twiliotest.From}}, nil},
		{"API key and Messaging Service", with(append(keyAuth, "VCODE_TWILIO_FROM", "", "VCODE_TWILIO_MESSAGING_SERVICE_SID", twiliotest.MessagingServiceSID)...),
			twilioEnv{Account: twilio.Account{SID: twiliotest.AccountSID, APIKey: twiliotest.APIKey, APISecret: twiliotest.APISecret, MessagingServiceSID: twiliotest.MessagingServiceSID}}, nil},
		{"token from a file", with("TWILIO_AUTH_TOKEN", "", "TWILIO_AUTH_TOKEN_FILE", tokenFile),
			twilioEnv{Account: twilio.Account{SID: twiliotest.AccountSID, AuthToken: twiliotest.AuthToken, From: twiliotest.From}}, nil},
		{"secret from a file", with("TWILIO_AUTH_TOKEN", "", "TWILIO_API_KEY", twiliotest.APIKey, "TWILIO_API_SECRET_FILE", secretFile),
			twilioEnv{Account: twilio.Account{SID: twiliotest.AccountSID, APIKey: twiliotest.APIKey, APISecret: twiliotest.APISecret, From: twiliotest.From}}, nil},
		{"API URL", with("VCODE_TWILIO_API_URL", "https://api.dublin.ie1.twilio.com"),
			twilioEnv{Account: twilio.Account{SID: twiliotest.AccountSID, AuthToken: twiliotest.AuthToken, From: twiliotest.From}, APIURL: "https://api.dublin.ie1.twilio.com"}, nil},
		{"alphanumeric sender", with("VCODE_TWILIO_FROM", "Vcode"),
			twilioEnv{Account: twilio.Account{SID: twiliotest.AccountSID, AuthToken: twiliotest.AuthToken, From: "Vcode"}}, nil},

		{"nothing", map[string]string{}, twilioEnv{},
			[]string{"TWILIO_ACCOUNT_SID is not set", "no credential", "no sender"}},
		{"no account", with("TWILIO_ACCOUNT_SID", ""), twilioEnv{}, []string{"TWILIO_ACCOUNT_SID is not set"}},
		{"bad account", with("TWILIO_ACCOUNT_SID", "AC123"), twilioEnv{}, []string{"TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits"}},
		{"no credential", with("TWILIO_AUTH_TOKEN", ""), twilioEnv{}, []string{"no credential", "TWILIO_AUTH_TOKEN", "TWILIO_API_KEY"}},
		{"token and API key", with("TWILIO_API_KEY", twiliotest.APIKey, "TWILIO_API_SECRET", twiliotest.APISecret), twilioEnv{},
			[]string{"TWILIO_AUTH_TOKEN (or TWILIO_AUTH_TOKEN_FILE) and an API key"}},
		{"key without secret", with("TWILIO_AUTH_TOKEN", "", "TWILIO_API_KEY", twiliotest.APIKey), twilioEnv{},
			[]string{"TWILIO_API_KEY is set without TWILIO_API_SECRET"}},
		{"secret without key", with("TWILIO_AUTH_TOKEN", "", "TWILIO_API_SECRET", twiliotest.APISecret), twilioEnv{},
			[]string{"TWILIO_API_SECRET (or TWILIO_API_SECRET_FILE) is set without TWILIO_API_KEY"}},
		{"bad key", with(append(keyAuth, "TWILIO_API_KEY", "AC0123456789abcdef0123456789abcdef")...), twilioEnv{},
			[]string{"TWILIO_API_KEY must be SK followed by 32 hex digits"}},
		{"token with a space", with("TWILIO_AUTH_TOKEN", twiliotest.AuthToken+" x"), twilioEnv{},
			[]string{"TWILIO_AUTH_TOKEN (or TWILIO_AUTH_TOKEN_FILE) contains white space"}},
		{"token with a slash", with("TWILIO_AUTH_TOKEN", twiliotest.AuthToken+"/"), twilioEnv{},
			[]string{"TWILIO_AUTH_TOKEN (or TWILIO_AUTH_TOKEN_FILE) has characters other than letters and digits"}},

		// White space around values is trimmed, leading too; inside them,
		// and quotes around them, are errors naming the variable.
		{"values padded with white space", with(
			"TWILIO_ACCOUNT_SID", " \t"+twiliotest.AccountSID+"\n",
			"TWILIO_AUTH_TOKEN", "  "+twiliotest.AuthToken+" ",
			"VCODE_TWILIO_FROM", "\t"+twiliotest.From+"\r\n",
			"VCODE_TWILIO_API_URL", " https://api.dublin.ie1.twilio.com "),
			twilioEnv{Account: twilio.Account{SID: twiliotest.AccountSID, AuthToken: twiliotest.AuthToken, From: twiliotest.From}, APIURL: "https://api.dublin.ie1.twilio.com"}, nil},
		{"API key padded", with(append(keyAuth, "TWILIO_API_KEY", " "+twiliotest.APIKey+"\n", "VCODE_TWILIO_FROM", "", "VCODE_TWILIO_MESSAGING_SERVICE_SID", "\n"+twiliotest.MessagingServiceSID+" ")...),
			twilioEnv{Account: twilio.Account{SID: twiliotest.AccountSID, APIKey: twiliotest.APIKey, APISecret: twiliotest.APISecret, MessagingServiceSID: twiliotest.MessagingServiceSID}}, nil},
		{"file padded on both sides", with("TWILIO_AUTH_TOKEN", "", "TWILIO_AUTH_TOKEN_FILE", " "+paddedFile+"\n"),
			twilioEnv{Account: twilio.Account{SID: twiliotest.AccountSID, AuthToken: twiliotest.AuthToken, From: twiliotest.From}}, nil},
		{"sender ID with a space", with("VCODE_TWILIO_FROM", " Vcode Shop "),
			twilioEnv{Account: twilio.Account{SID: twiliotest.AccountSID, AuthToken: twiliotest.AuthToken, From: "Vcode Shop"}}, nil},
		{"only white space is unset", with("TWILIO_AUTH_TOKEN", " \n "), twilioEnv{}, []string{"no credential"}},
		{"token in double quotes", with("TWILIO_AUTH_TOKEN", `"`+twiliotest.AuthToken+`"`), twilioEnv{},
			[]string{"TWILIO_AUTH_TOKEN (or TWILIO_AUTH_TOKEN_FILE) is enclosed in quotes"}},
		{"secret file in single quotes", with(append(keyAuth, "TWILIO_API_SECRET", "", "TWILIO_API_SECRET_FILE", quotedFile)...), twilioEnv{},
			[]string{"the file TWILIO_API_SECRET_FILE names is enclosed in quotes"}},
		{"account in quotes", with("TWILIO_ACCOUNT_SID", "'"+twiliotest.AccountSID+"'"), twilioEnv{},
			[]string{"TWILIO_ACCOUNT_SID is enclosed in quotes"}},
		{"sender in quotes", with("VCODE_TWILIO_FROM", `"Vcode"`), twilioEnv{},
			[]string{"VCODE_TWILIO_FROM is enclosed in quotes"}},
		{"secret with a tab", with(append(keyAuth, "TWILIO_API_SECRET", twiliotest.APISecret[:8]+"\t"+twiliotest.APISecret[8:])...), twilioEnv{},
			[]string{"TWILIO_API_SECRET (or TWILIO_API_SECRET_FILE) contains white space"}},
		{"key with a space", with(append(keyAuth, "TWILIO_API_KEY", twiliotest.APIKey[:10]+" "+twiliotest.APIKey[10:])...), twilioEnv{},
			[]string{"TWILIO_API_KEY contains white space"}},
		{"API URL with a space", with("VCODE_TWILIO_API_URL", "https://api.twilio.com/a b"), twilioEnv{},
			[]string{"VCODE_TWILIO_API_URL contains white space"}},
		{"sender ID with a tab", with("VCODE_TWILIO_FROM", "Vcode\tShop"), twilioEnv{},
			[]string{"VCODE_TWILIO_FROM contains white space"}},
		{"token and its file", with("TWILIO_AUTH_TOKEN_FILE", tokenFile), twilioEnv{},
			[]string{"TWILIO_AUTH_TOKEN and TWILIO_AUTH_TOKEN_FILE are both set"}},
		{"secret and its file", with(append(keyAuth, "TWILIO_API_SECRET_FILE", secretFile)...), twilioEnv{},
			[]string{"TWILIO_API_SECRET and TWILIO_API_SECRET_FILE are both set"}},
		{"missing file", with("TWILIO_AUTH_TOKEN", "", "TWILIO_AUTH_TOKEN_FILE", missing), twilioEnv{},
			[]string{"TWILIO_AUTH_TOKEN_FILE", missing}},
		{"empty file", with("TWILIO_AUTH_TOKEN", "", "TWILIO_AUTH_TOKEN_FILE", emptyFile), twilioEnv{},
			[]string{"TWILIO_AUTH_TOKEN_FILE", "is empty"}},
		{"no sender", with("VCODE_TWILIO_FROM", ""), twilioEnv{}, []string{"no sender"}},
		{"two senders", with("VCODE_TWILIO_MESSAGING_SERVICE_SID", twiliotest.MessagingServiceSID), twilioEnv{},
			[]string{"VCODE_TWILIO_FROM and VCODE_TWILIO_MESSAGING_SERVICE_SID are both given"}},
		{"bad sender", with("VCODE_TWILIO_FROM", "+1 (500) 555"), twilioEnv{}, []string{"VCODE_TWILIO_FROM is not"}},
		{"bad service", with("VCODE_TWILIO_FROM", "", "VCODE_TWILIO_MESSAGING_SERVICE_SID", "MG1"), twilioEnv{},
			[]string{"VCODE_TWILIO_MESSAGING_SERVICE_SID must be MG"}},
		{"http API URL", with("VCODE_TWILIO_API_URL", "http://api.twilio.com"), twilioEnv{},
			[]string{"VCODE_TWILIO_API_URL must be https (http only on loopback)"}},
	}
	secrets := []string{twiliotest.AuthToken, twiliotest.APISecret, twiliotest.APISecret[:8], twiliotest.APISecret[8:]}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, n, err := twilioFromEnv(func(k string) string { return tt.env[k] })
			if tt.err == nil {
				if err != nil {
					t.Fatal(err)
				}
				if got != tt.want {
					t.Fatalf("got %v\nwant %v", got, tt.want)
				}
				n.Close()
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

func TestHuaweiFromEnv(t *testing.T) {
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "huaweiSecret")
	os.WriteFile(secretFile, []byte(huaweiSecret+"\n \n"), 0o600)
	emptyFile := filepath.Join(dir, "empty")
	os.WriteFile(emptyFile, []byte("\n"), 0o600)

	base := map[string]string{
		"VCODE_HUAWEI_SMS_URL":         "https://smsapi.cn-north-4.myhuaweicloud.com:443",
		"VCODE_HUAWEI_SMS_APP_KEY":     "c8RWg3ggEcyd4D3p94bf3Y7x1Ile",
		"VCODE_HUAWEI_SMS_APP_SECRET":  huaweiSecret,
		"VCODE_HUAWEI_SMS_SENDER":      "csms12345678",
		"VCODE_HUAWEI_SMS_TEMPLATE_ID": "8ff55eac1d0b478ab3c06c3c6a492300",
	}
	with := func(kv ...string) map[string]string {
		env := map[string]string{}
		for k, v := range base {
			env[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "<unset>" {
				delete(env, kv[i])
			} else {
				env[kv[i]] = kv[i+1]
			}
		}
		return env
	}
	want := huaweiEnv{App: huaweicloud.App{URL: base["VCODE_HUAWEI_SMS_URL"], AppKey: base["VCODE_HUAWEI_SMS_APP_KEY"], AppSecret: huaweiSecret, Sender: "csms12345678", TemplateID: "8ff55eac1d0b478ab3c06c3c6a492300"}}
	full := want
	full.TemplateIDs = map[string]string{"zh-CN": "id1", "en-US": "id2"}
	full.Signature, full.StatusCallback, full.CodeOnly = "华为云短信测试", "https://example.com/report", true

	for _, tc := range []struct {
		name string
		env  map[string]string
		want huaweiEnv
		errs []string // what the error must name; nil for none
	}{
		{"required only", with(), want, nil},
		{"everything", with(
			"VCODE_HUAWEI_SMS_TEMPLATE_IDS", " zh-CN=id1, en-US = id2 ",
			"VCODE_HUAWEI_SMS_SIGNATURE", "华为云短信测试",
			"VCODE_HUAWEI_SMS_STATUS_CALLBACK", "https://example.com/report",
			"VCODE_HUAWEI_SMS_CODE_ONLY", "true"), full, nil},
		{"huaweiSecret from a file", with("VCODE_HUAWEI_SMS_APP_SECRET", "<unset>", "VCODE_HUAWEI_SMS_APP_SECRET_FILE", secretFile), want, nil},
		{"nothing", map[string]string{}, huaweiEnv{}, []string{
			"VCODE_HUAWEI_SMS_URL", "VCODE_HUAWEI_SMS_APP_KEY", "VCODE_HUAWEI_SMS_APP_SECRET",
			"VCODE_HUAWEI_SMS_SENDER", "VCODE_HUAWEI_SMS_TEMPLATE_ID"}},
		{"no huaweiSecret", with("VCODE_HUAWEI_SMS_APP_SECRET", "<unset>"), huaweiEnv{}, []string{"VCODE_HUAWEI_SMS_APP_SECRET"}},
		{"blank URL", with("VCODE_HUAWEI_SMS_URL", "  "), huaweiEnv{}, []string{"VCODE_HUAWEI_SMS_URL"}},
		{"both huaweiSecret and file", with("VCODE_HUAWEI_SMS_APP_SECRET_FILE", secretFile), huaweiEnv{}, []string{"both", "VCODE_HUAWEI_SMS_APP_SECRET_FILE"}},
		{"missing file", with("VCODE_HUAWEI_SMS_APP_SECRET", "<unset>", "VCODE_HUAWEI_SMS_APP_SECRET_FILE", filepath.Join(dir, "nope")), huaweiEnv{}, []string{"VCODE_HUAWEI_SMS_APP_SECRET_FILE"}},
		{"empty file", with("VCODE_HUAWEI_SMS_APP_SECRET", "<unset>", "VCODE_HUAWEI_SMS_APP_SECRET_FILE", emptyFile), huaweiEnv{}, []string{"empty"}},
		{"bad template list", with("VCODE_HUAWEI_SMS_TEMPLATE_IDS", "zh-CN=id1,en-US"), huaweiEnv{}, []string{"VCODE_HUAWEI_SMS_TEMPLATE_IDS", "entry 2"}},
		{"repeated language", with("VCODE_HUAWEI_SMS_TEMPLATE_IDS", "en=a,en=b"), huaweiEnv{}, []string{"VCODE_HUAWEI_SMS_TEMPLATE_IDS", "entry 2 repeats the language of entry 1"}},
		{"bad code only", with("VCODE_HUAWEI_SMS_CODE_ONLY", "yes please"), huaweiEnv{}, []string{"VCODE_HUAWEI_SMS_CODE_ONLY"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, n, err := huaweiFromEnv(func(k string) string { return tc.env[k] })
			if tc.errs == nil {
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(cfg, tc.want) {
					t.Errorf("got %+v\nwant %+v", cfg, tc.want)
				}
				n.Close()
				return
			}
			if err == nil {
				t.Fatalf("no error, config %+v", cfg)
			}
			for _, name := range tc.errs {
				if !strings.Contains(err.Error(), name) {
					t.Errorf("error %q does not name %s", err, name)
				}
			}
			for _, v := range tc.env {
				if len(v) > 12 && strings.Contains(err.Error(), v) && !strings.Contains(v, dir) {
					t.Errorf("error %q quotes a value", err)
				}
			}
			if strings.Contains(err.Error(), huaweiSecret) {
				t.Errorf("error %q quotes the huaweiSecret", err)
			}
			if lines := strings.Split(err.Error(), "\n"); len(lines) != len(slices.Compact(slices.Clone(lines))) || (len(tc.env) > 0 && len(lines) != 1) {
				t.Errorf("error %q: want one line for the one problem", err)
			}
		})
	}
}

// validEnv is a complete environment ConfigFromEnv and New accept.
func validHuaweiEnv() map[string]string {
	return map[string]string{
		"VCODE_HUAWEI_SMS_URL":         "https://smsapi.cn-north-4.myhuaweicloud.com:443",
		"VCODE_HUAWEI_SMS_APP_KEY":     "c8RWg3ggEcyd4D3p94bf3Y7x1Ile",
		"VCODE_HUAWEI_SMS_APP_SECRET":  huaweiSecret,
		"VCODE_HUAWEI_SMS_SENDER":      "csms12345678",
		"VCODE_HUAWEI_SMS_TEMPLATE_ID": "8ff55eac1d0b478ab3c06c3c6a492300",
	}
}

// The _FILE's path and content lose white space on both sides, leading
// too, as every value does.
func TestHuaweiFromEnvTrims(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "huaweiSecret")
	os.WriteFile(file, []byte(" \t\n"+huaweiSecret+" \r\n"), 0o600)
	env := validHuaweiEnv()
	delete(env, "VCODE_HUAWEI_SMS_APP_SECRET")
	env["VCODE_HUAWEI_SMS_APP_SECRET_FILE"] = "  " + file + "\n"
	env["VCODE_HUAWEI_SMS_SENDER"] = "\t csms12345678 \n"
	env["VCODE_HUAWEI_SMS_SIGNATURE"] = " Huawei Cloud " // white space inside a signature is its own
	cfg, n, err := huaweiFromEnv(getenvOf(env))
	if err != nil {
		t.Fatal(err)
	}
	n.Close()
	if cfg.App.AppSecret != huaweiSecret || cfg.App.Sender != "csms12345678" || cfg.Signature != "Huawei Cloud" {
		t.Errorf("got %q, %q, %q", cfg.App.AppSecret, cfg.App.Sender, cfg.Signature)
	}
	// A _FILE set to white space alone is not set.
	env = validHuaweiEnv()
	env["VCODE_HUAWEI_SMS_APP_SECRET_FILE"] = " "
	if _, n, err := huaweiFromEnv(getenvOf(env)); err != nil {
		t.Errorf("blank _FILE: %v", err)
	} else {
		n.Close()
	}
}

// A value with white space inside, or enclosed in quotes, where the
// service takes neither, is an error naming the variable, not quoting the
// value.
func TestHuaweiFromEnvRefusesSpacesAndQuotes(t *testing.T) {
	dir := t.TempDir()
	quotedFile := filepath.Join(dir, "quoted")
	os.WriteFile(quotedFile, []byte(`"`+huaweiSecret+`"`+"\n"), 0o600)
	spacedFile := filepath.Join(dir, "spaced")
	os.WriteFile(spacedFile, []byte("q4Ii87BhST9v cs8wvrzN80SfD7Al\n"), 0o600)
	for _, tc := range []struct{ name, key, value, want string }{
		{"spaced huaweiSecret", "VCODE_HUAWEI_SMS_APP_SECRET", "q4Ii87BhST9v cs8wvrzN80SfD7Al", "VCODE_HUAWEI_SMS_APP_SECRET"},
		{"quoted huaweiSecret", "VCODE_HUAWEI_SMS_APP_SECRET", `"` + huaweiSecret + `"`, "VCODE_HUAWEI_SMS_APP_SECRET"},
		{"single-quoted huaweiSecret", "VCODE_HUAWEI_SMS_APP_SECRET", `'` + huaweiSecret + `'`, "VCODE_HUAWEI_SMS_APP_SECRET"},
		{"quoted huaweiSecret file", "VCODE_HUAWEI_SMS_APP_SECRET_FILE", quotedFile, "the file VCODE_HUAWEI_SMS_APP_SECRET_FILE names"},
		{"spaced huaweiSecret file", "VCODE_HUAWEI_SMS_APP_SECRET_FILE", spacedFile, "the file VCODE_HUAWEI_SMS_APP_SECRET_FILE names"},
		{"spaced key", "VCODE_HUAWEI_SMS_APP_KEY", "c8RWg3ggEcyd 4D3p94bf3Y7x1Ile", "VCODE_HUAWEI_SMS_APP_KEY"},
		{"quoted key", "VCODE_HUAWEI_SMS_APP_KEY", `'c8RWg3ggEcyd4D3p94bf3Y7x1Ile'`, "VCODE_HUAWEI_SMS_APP_KEY"},
		{"spaced URL", "VCODE_HUAWEI_SMS_URL", "https://smsapi.cn-north-4.myhuaweicloud.com :443", "VCODE_HUAWEI_SMS_URL"},
		{"quoted URL", "VCODE_HUAWEI_SMS_URL", `"https://smsapi.cn-north-4.myhuaweicloud.com:443"`, "VCODE_HUAWEI_SMS_URL"},
		{"spaced sender", "VCODE_HUAWEI_SMS_SENDER", "csms 12345678", "VCODE_HUAWEI_SMS_SENDER"},
		{"quoted sender", "VCODE_HUAWEI_SMS_SENDER", `"csms12345678"`, "VCODE_HUAWEI_SMS_SENDER"},
		{"spaced template", "VCODE_HUAWEI_SMS_TEMPLATE_ID", "8ff55eac1d0b 478ab3c06c3c6a492300", "VCODE_HUAWEI_SMS_TEMPLATE_ID"},
		{"quoted template", "VCODE_HUAWEI_SMS_TEMPLATE_ID", `'8ff55eac1d0b478ab3c06c3c6a492300'`, "VCODE_HUAWEI_SMS_TEMPLATE_ID"},
		{"spaced template list", "VCODE_HUAWEI_SMS_TEMPLATE_IDS", "zh-CN=b2c1e0f4a3d9 4c2e8e7f", "VCODE_HUAWEI_SMS_TEMPLATE_IDS entry 1"},
		{"quoted template list", "VCODE_HUAWEI_SMS_TEMPLATE_IDS", `"zh-CN=b2c1e0f4a3d94c2e8e7f"`, "VCODE_HUAWEI_SMS_TEMPLATE_IDS"},
		{"quoted template in list", "VCODE_HUAWEI_SMS_TEMPLATE_IDS", `zh-CN="b2c1e0f4a3d94c2e8e7f"`, "VCODE_HUAWEI_SMS_TEMPLATE_IDS entry 1"},
		{"quoted signature", "VCODE_HUAWEI_SMS_SIGNATURE", `"华为云短信测试"`, "VCODE_HUAWEI_SMS_SIGNATURE"},
		{"spaced callback", "VCODE_HUAWEI_SMS_STATUS_CALLBACK", "https://example.com/report path", "VCODE_HUAWEI_SMS_STATUS_CALLBACK"},
		{"quoted callback", "VCODE_HUAWEI_SMS_STATUS_CALLBACK", `'https://example.com/report'`, "VCODE_HUAWEI_SMS_STATUS_CALLBACK"},
		{"quoted code only", "VCODE_HUAWEI_SMS_CODE_ONLY", `"true"`, "VCODE_HUAWEI_SMS_CODE_ONLY"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := validHuaweiEnv()
			if strings.HasSuffix(tc.key, "_FILE") {
				delete(env, "VCODE_HUAWEI_SMS_APP_SECRET")
			}
			env[tc.key] = tc.value
			_, _, err := huaweiFromEnv(getenvOf(env))
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not name %s", err, tc.want)
			}
			for _, part := range strings.Fields(strings.Trim(tc.value, `"'`)) {
				if len(part) > 4 && strings.Contains(err.Error(), part) && !strings.Contains(part, dir) {
					t.Errorf("error %q quotes the value", err)
				}
			}
		})
	}
}

// The environment is checked as huaweicloud.New checks, and the errors
// name the variables, never the App's fields or the options.
func TestHuaweiFromEnvNamesVariables(t *testing.T) {
	fields := []string{"App.", "WithTemplates", "WithSignature", "WithStatusCallback", "WithTimeout"}
	for _, tc := range []struct{ name, key, value, want string }{
		{"http URL", "VCODE_HUAWEI_SMS_URL", "http://smsapi.cn-north-4.myhuaweicloud.com", "VCODE_HUAWEI_SMS_URL must be https"},
		{"full API URL", "VCODE_HUAWEI_SMS_URL", "https://smsapi.example.com/sms/batchSendSms/v1", "VCODE_HUAWEI_SMS_URL must be the access address alone"},
		{"URL with a query", "VCODE_HUAWEI_SMS_URL", "https://smsapi.example.com?x=1", "VCODE_HUAWEI_SMS_URL may not have"},
		{"relative URL", "VCODE_HUAWEI_SMS_URL", "smsapi.example.com", "VCODE_HUAWEI_SMS_URL is not an absolute URL"},
		{"port", "VCODE_HUAWEI_SMS_URL", "https://smsapi.example.com:99999", "VCODE_HUAWEI_SMS_URL has a port"},
		{"comma in key", "VCODE_HUAWEI_SMS_APP_KEY", "a,b", "VCODE_HUAWEI_SMS_APP_KEY has a quote"},
		{"long sender", "VCODE_HUAWEI_SMS_SENDER", strings.Repeat("1", 22), "VCODE_HUAWEI_SMS_SENDER must be 1 to 21"},
		{"long template", "VCODE_HUAWEI_SMS_TEMPLATE_ID", strings.Repeat("a", 33), "VCODE_HUAWEI_SMS_TEMPLATE_ID must be 1 to 32"},
		{"bad language", "VCODE_HUAWEI_SMS_TEMPLATE_IDS", "zh-CN=a,not_a_tag!=b", "VCODE_HUAWEI_SMS_TEMPLATE_IDS entry 2 does not start with a language tag"},
		{"long template in list", "VCODE_HUAWEI_SMS_TEMPLATE_IDS", "en=" + strings.Repeat("a", 33), "VCODE_HUAWEI_SMS_TEMPLATE_IDS entry 1 has a template that must be"},
		{"same language twice", "VCODE_HUAWEI_SMS_TEMPLATE_IDS", "en-us=a,en-US=b", "VCODE_HUAWEI_SMS_TEMPLATE_IDS entry 2 repeats the language of entry 1"},
		{"control in signature", "VCODE_HUAWEI_SMS_SIGNATURE", "a\x01b", "VCODE_HUAWEI_SMS_SIGNATURE has a control character"},
		{"relative callback", "VCODE_HUAWEI_SMS_STATUS_CALLBACK", "/report", "VCODE_HUAWEI_SMS_STATUS_CALLBACK is not an absolute"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := validHuaweiEnv()
			env[tc.key] = tc.value
			_, _, err := huaweiFromEnv(getenvOf(env))
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				for _, f := range fields {
					if strings.Contains(line, f) {
						t.Errorf("error %q names the field %s", line, f)
					}
				}
			}
			if len(tc.value) > 8 && strings.Contains(err.Error(), tc.value) {
				t.Errorf("error %q quotes the value", err)
			}
		})
	}
	// Every problem is reported once, each naming its variable.
	env := validHuaweiEnv()
	env["VCODE_HUAWEI_SMS_URL"] = "ftp://x"
	env["VCODE_HUAWEI_SMS_SENDER"] = strings.Repeat("1", 22)
	delete(env, "VCODE_HUAWEI_SMS_TEMPLATE_ID")
	_, _, err := huaweiFromEnv(getenvOf(env))
	if lines := strings.Split(fmt.Sprint(err), "\n"); len(lines) != 3 ||
		!strings.Contains(lines[0], "VCODE_HUAWEI_SMS_TEMPLATE_ID is not set") ||
		!strings.Contains(lines[1], "VCODE_HUAWEI_SMS_URL must be https") ||
		!strings.Contains(lines[2], "VCODE_HUAWEI_SMS_SENDER must be") {
		t.Errorf("error %q", err)
	}
}

func TestSNSFromEnv(t *testing.T) {
	const (
		key    = "AKIAIOSFODNN7EXAMPLE"
		secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
		token  = "FwoGZXIvYXdzEXAMPLETOKEN"
	)
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret")
	os.WriteFile(secretFile, []byte(secret+"\n"), 0o600)
	keyFile := filepath.Join(dir, "key")
	os.WriteFile(keyFile, []byte(" \t"+key+"  \r\n"), 0o600) // trimmed on both sides
	twoLines := filepath.Join(dir, "two-lines")
	os.WriteFile(twoLines, []byte(key+"\n"+secret+"\n"), 0o600)
	quotedFile := filepath.Join(dir, "quoted")
	os.WriteFile(quotedFile, []byte(`"`+secret+`"`+"\n"), 0o600)
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte(token), 0o600)
	emptyFile := filepath.Join(dir, "empty")
	os.WriteFile(emptyFile, []byte("\n"), 0o600)

	tests := []struct {
		name string
		env  map[string]string
		want snsEnv
		err  string // a fragment of the error; "" for none
	}{
		{"nothing: the SDK's chain", map[string]string{}, snsEnv{}, ""},
		{"everything", map[string]string{
			"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": token,
			"AWS_PROFILE": "prod", "VCODE_SNS_SENDER_ID": "VCODE", "VCODE_SNS_ORIGINATION_NUMBER": "+18005550100",
			"VCODE_SNS_ENDPOINT": "https://sns.eu-west-1.amazonaws.com",
		}, snsEnv{
			Region: "eu-west-1", AccessKeyID: key, SecretAccessKey: secret, SessionToken: token, Profile: "prod",
			SenderID: "VCODE", OriginationNumber: "+18005550100", Endpoint: "https://sns.eu-west-1.amazonaws.com",
		}, ""},
		{"secrets from files", map[string]string{
			"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID_FILE": keyFile, "AWS_SECRET_ACCESS_KEY_FILE": secretFile, "AWS_SESSION_TOKEN_FILE": tokenFile,
		}, snsEnv{Region: "us-east-1", AccessKeyID: key, SecretAccessKey: secret, SessionToken: token}, ""},
		{"secret and its file", map[string]string{
			"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret, "AWS_SECRET_ACCESS_KEY_FILE": secretFile,
		}, snsEnv{}, "AWS_SECRET_ACCESS_KEY and AWS_SECRET_ACCESS_KEY_FILE are both set: give one"},
		{"token and its file", map[string]string{
			"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": token, "AWS_SESSION_TOKEN_FILE": tokenFile,
		}, snsEnv{}, "AWS_SESSION_TOKEN and AWS_SESSION_TOKEN_FILE are both set"},
		{"key without secret", map[string]string{"AWS_ACCESS_KEY_ID": key}, snsEnv{}, "give both AWS_ACCESS_KEY_ID (or AWS_ACCESS_KEY_ID_FILE) and AWS_SECRET_ACCESS_KEY (or AWS_SECRET_ACCESS_KEY_FILE), or neither"},
		{"secret without key", map[string]string{"AWS_SECRET_ACCESS_KEY": secret}, snsEnv{}, "give both AWS_ACCESS_KEY_ID (or AWS_ACCESS_KEY_ID_FILE) and AWS_SECRET_ACCESS_KEY (or AWS_SECRET_ACCESS_KEY_FILE), or neither"},
		{"token without keys", map[string]string{"AWS_SESSION_TOKEN": token}, snsEnv{}, "AWS_SESSION_TOKEN (or AWS_SESSION_TOKEN_FILE) is set without"},
		{"missing file", map[string]string{"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY_FILE": filepath.Join(dir, "nope")}, snsEnv{}, "AWS_SECRET_ACCESS_KEY_FILE: open "},
		{"empty file", map[string]string{"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY_FILE": emptyFile}, snsEnv{}, "AWS_SECRET_ACCESS_KEY_FILE: " + emptyFile + " is empty"},
		{"bad sender ID", map[string]string{"VCODE_SNS_SENDER_ID": "TOO-LONG-SENDER"}, snsEnv{}, "VCODE_SNS_SENDER_ID"},
		{"bad origination number", map[string]string{"VCODE_SNS_ORIGINATION_NUMBER": "+1 800 555"}, snsEnv{}, "VCODE_SNS_ORIGINATION_NUMBER"},
		{"plain http elsewhere", map[string]string{"VCODE_SNS_ENDPOINT": "http://sns.example.com"}, snsEnv{}, "VCODE_SNS_ENDPOINT: must be https"},
		{"endpoint with a password", map[string]string{"VCODE_SNS_ENDPOINT": "https://u:" + secret + "@sns.example.com"}, snsEnv{}, "VCODE_SNS_ENDPOINT"},
		{"http on loopback", map[string]string{"VCODE_SNS_ENDPOINT": "http://127.0.0.1:4566"}, snsEnv{Endpoint: "http://127.0.0.1:4566"}, ""},

		// White space around values goes; inside them, or quotes, are errors
		// naming the variable.
		{"values trimmed on both sides", map[string]string{
			"AWS_REGION": " eu-west-1\t", "AWS_ACCESS_KEY_ID": "\t" + key + " ", "AWS_SECRET_ACCESS_KEY": "\n" + secret + "\r\n",
			"AWS_SESSION_TOKEN": "  " + token, "AWS_PROFILE": " prod ", "VCODE_SNS_SENDER_ID": " VCODE",
			"VCODE_SNS_ORIGINATION_NUMBER": "+18005550100 ", "VCODE_SNS_ENDPOINT": " https://sns.eu-west-1.amazonaws.com ",
		}, snsEnv{
			Region: "eu-west-1", AccessKeyID: key, SecretAccessKey: secret, SessionToken: token, Profile: "prod",
			SenderID: "VCODE", OriginationNumber: "+18005550100", Endpoint: "https://sns.eu-west-1.amazonaws.com",
		}, ""},
		{"secret with a space inside", map[string]string{"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG bPxRfiCYEXAMPLEKEY"}, snsEnv{}, "AWS_SECRET_ACCESS_KEY (or AWS_SECRET_ACCESS_KEY_FILE) holds white space inside"},
		{"quoted secret", map[string]string{"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": `"` + secret + `"`}, snsEnv{}, "AWS_SECRET_ACCESS_KEY (or AWS_SECRET_ACCESS_KEY_FILE) holds quotes"},
		{"quoted key ID", map[string]string{"AWS_ACCESS_KEY_ID": "'" + key + "'", "AWS_SECRET_ACCESS_KEY": secret}, snsEnv{}, "AWS_ACCESS_KEY_ID (or AWS_ACCESS_KEY_ID_FILE) holds quotes"},
		{"token with a newline inside", map[string]string{"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": "FwoGZXIv\nYXdzEXAMPLETOKEN"}, snsEnv{}, "AWS_SESSION_TOKEN (or AWS_SESSION_TOKEN_FILE) holds white space inside"},
		{"file of two lines", map[string]string{"AWS_ACCESS_KEY_ID_FILE": twoLines, "AWS_SECRET_ACCESS_KEY": secret}, snsEnv{}, "the file AWS_ACCESS_KEY_ID_FILE names holds white space inside"},
		{"quoted file", map[string]string{"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY_FILE": quotedFile}, snsEnv{}, "the file AWS_SECRET_ACCESS_KEY_FILE names holds quotes"},
		{"quoted region", map[string]string{"AWS_REGION": `"us-east-1"`}, snsEnv{}, "AWS_REGION holds quotes"},
		{"region with a space", map[string]string{"AWS_REGION": "us east 1"}, snsEnv{}, "AWS_REGION holds white space inside"},
		{"quoted sender ID", map[string]string{"VCODE_SNS_SENDER_ID": `"VCODE"`}, snsEnv{}, "VCODE_SNS_SENDER_ID holds quotes"},
		{"origination number with spaces", map[string]string{"VCODE_SNS_ORIGINATION_NUMBER": "+1 800 555 0100"}, snsEnv{}, "VCODE_SNS_ORIGINATION_NUMBER holds white space inside"},
		{"quoted endpoint", map[string]string{"VCODE_SNS_ENDPOINT": "'https://sns.example.com'"}, snsEnv{}, "VCODE_SNS_ENDPOINT holds quotes"},
		{"quoted profile", map[string]string{"AWS_PROFILE": `"prod"`}, snsEnv{}, "AWS_PROFILE is enclosed in quotes"},
		{"profile with a space", map[string]string{"AWS_PROFILE": "my profile"}, snsEnv{Profile: "my profile"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string { return tt.env[k] }
			if tt.err == "" {
				// What is read; sns.New, which loads the process's AWS
				// configuration, is not called.
				r := newEnvReader(getenv, "sns")
				got, _ := readSNS(r)
				if err := errors.Join(r.errs...); err != nil {
					t.Fatal(err)
				}
				if got != tt.want {
					t.Fatalf("got %+v, want %+v", got, tt.want)
				}
				return
			}
			_, n, err := snsFromEnv(getenv)
			if n != nil {
				n.Close()
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.HasPrefix(err.Error(), "notify: sns: ") {
				t.Fatalf("err = %v, want one with %q", err, tt.err)
			}
			for _, s := range []string{secret, token, key} {
				if strings.Contains(err.Error(), s) {
					t.Fatalf("error %q quotes a credential", err)
				}
			}
			// Nor any credential given, whole or in part.
			for k, v := range tt.env {
				if strings.HasSuffix(k, "_FILE") || !strings.Contains(k, "KEY") && !strings.Contains(k, "TOKEN") {
					continue
				}
				for _, part := range strings.FieldsFunc(v, func(r rune) bool { return strings.ContainsRune(" \t\r\n\"'/", r) }) {
					if len(part) >= 4 && strings.Contains(err.Error(), part) {
						t.Fatalf("error %q quotes %s's value", err, k)
					}
				}
			}
		})
	}
}
