package huaweicloud_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/vcodekit/vcode/notify/huaweicloud"
)

const secret = "q4Ii87BhST9vcs8wvrzN80SfD7Al"

func TestConfigFromEnv(t *testing.T) {
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret")
	os.WriteFile(secretFile, []byte(secret+"\n \n"), 0o600)
	emptyFile := filepath.Join(dir, "empty")
	os.WriteFile(emptyFile, []byte("\n"), 0o600)

	base := map[string]string{
		"VCODE_HUAWEI_SMS_URL":         "https://smsapi.cn-north-4.myhuaweicloud.com:443",
		"VCODE_HUAWEI_SMS_APP_KEY":     "c8RWg3ggEcyd4D3p94bf3Y7x1Ile",
		"VCODE_HUAWEI_SMS_APP_SECRET":  secret,
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
	want := huaweicloud.Config{
		URL: base["VCODE_HUAWEI_SMS_URL"], AppKey: base["VCODE_HUAWEI_SMS_APP_KEY"], AppSecret: secret,
		Sender: "csms12345678", TemplateID: "8ff55eac1d0b478ab3c06c3c6a492300",
	}
	full := want
	full.TemplateIDs = map[string]string{"zh-CN": "id1", "en-US": "id2"}
	full.Signature, full.StatusCallback, full.CodeOnly = "华为云短信测试", "https://example.com/report", true

	for _, tc := range []struct {
		name string
		env  map[string]string
		want huaweicloud.Config
		errs []string // what the error must name; nil for none
	}{
		{"required only", with(), want, nil},
		{"everything", with(
			"VCODE_HUAWEI_SMS_TEMPLATE_IDS", " zh-CN=id1, en-US = id2 ",
			"VCODE_HUAWEI_SMS_SIGNATURE", "华为云短信测试",
			"VCODE_HUAWEI_SMS_STATUS_CALLBACK", "https://example.com/report",
			"VCODE_HUAWEI_SMS_CODE_ONLY", "true"), full, nil},
		{"secret from a file", with("VCODE_HUAWEI_SMS_APP_SECRET", "<unset>", "VCODE_HUAWEI_SMS_APP_SECRET_FILE", secretFile), want, nil},
		{"nothing", map[string]string{}, huaweicloud.Config{}, []string{
			"VCODE_HUAWEI_SMS_URL", "VCODE_HUAWEI_SMS_APP_KEY", "VCODE_HUAWEI_SMS_APP_SECRET",
			"VCODE_HUAWEI_SMS_SENDER", "VCODE_HUAWEI_SMS_TEMPLATE_ID"}},
		{"no secret", with("VCODE_HUAWEI_SMS_APP_SECRET", "<unset>"), huaweicloud.Config{}, []string{"VCODE_HUAWEI_SMS_APP_SECRET"}},
		{"blank URL", with("VCODE_HUAWEI_SMS_URL", "  "), huaweicloud.Config{}, []string{"VCODE_HUAWEI_SMS_URL"}},
		{"both secret and file", with("VCODE_HUAWEI_SMS_APP_SECRET_FILE", secretFile), huaweicloud.Config{}, []string{"both", "VCODE_HUAWEI_SMS_APP_SECRET_FILE"}},
		{"missing file", with("VCODE_HUAWEI_SMS_APP_SECRET", "<unset>", "VCODE_HUAWEI_SMS_APP_SECRET_FILE", filepath.Join(dir, "nope")), huaweicloud.Config{}, []string{"VCODE_HUAWEI_SMS_APP_SECRET_FILE"}},
		{"empty file", with("VCODE_HUAWEI_SMS_APP_SECRET", "<unset>", "VCODE_HUAWEI_SMS_APP_SECRET_FILE", emptyFile), huaweicloud.Config{}, []string{"empty"}},
		{"bad template list", with("VCODE_HUAWEI_SMS_TEMPLATE_IDS", "zh-CN=id1,en-US"), huaweicloud.Config{}, []string{"VCODE_HUAWEI_SMS_TEMPLATE_IDS", "entry 2"}},
		{"repeated language", with("VCODE_HUAWEI_SMS_TEMPLATE_IDS", "en=a,en=b"), huaweicloud.Config{}, []string{"VCODE_HUAWEI_SMS_TEMPLATE_IDS", "entry 2 repeats the language of entry 1"}},
		{"bad code only", with("VCODE_HUAWEI_SMS_CODE_ONLY", "yes please"), huaweicloud.Config{}, []string{"VCODE_HUAWEI_SMS_CODE_ONLY"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := huaweicloud.ConfigFromEnv(func(k string) string { return tc.env[k] })
			if tc.errs == nil {
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(cfg, tc.want) {
					t.Errorf("got %+v\nwant %+v", cfg, tc.want)
				}
				if _, err := huaweicloud.New(cfg); err != nil {
					t.Errorf("New: %v", err)
				}
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
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q quotes the secret", err)
			}
			if lines := strings.Split(err.Error(), "\n"); len(lines) != len(slices.Compact(slices.Clone(lines))) || (len(tc.env) > 0 && len(lines) != 1) {
				t.Errorf("error %q: want one line for the one problem", err)
			}
		})
	}
}

// No error of New quotes the secret, whatever else is wrong.
func TestNewErrorsHoldNoSecret(t *testing.T) {
	_, err := huaweicloud.New(huaweicloud.Config{URL: "http://example.com", AppKey: `"`, AppSecret: secret,
		Sender: "", TemplateID: "", TemplateIDs: map[string]string{"??": "x"}})
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Errorf("err = %v", err)
	}
}

// validEnv is a complete environment ConfigFromEnv and New accept.
func validEnv() map[string]string {
	return map[string]string{
		"VCODE_HUAWEI_SMS_URL":         "https://smsapi.cn-north-4.myhuaweicloud.com:443",
		"VCODE_HUAWEI_SMS_APP_KEY":     "c8RWg3ggEcyd4D3p94bf3Y7x1Ile",
		"VCODE_HUAWEI_SMS_APP_SECRET":  secret,
		"VCODE_HUAWEI_SMS_SENDER":      "csms12345678",
		"VCODE_HUAWEI_SMS_TEMPLATE_ID": "8ff55eac1d0b478ab3c06c3c6a492300",
	}
}

// The _FILE's path and content lose white space on both sides, leading
// too, as every value does.
func TestConfigFromEnvTrims(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "secret")
	os.WriteFile(file, []byte(" \t\n"+secret+" \r\n"), 0o600)
	env := validEnv()
	delete(env, "VCODE_HUAWEI_SMS_APP_SECRET")
	env["VCODE_HUAWEI_SMS_APP_SECRET_FILE"] = "  " + file + "\n"
	env["VCODE_HUAWEI_SMS_SENDER"] = "\t csms12345678 \n"
	env["VCODE_HUAWEI_SMS_SIGNATURE"] = " Huawei Cloud " // white space inside a signature is its own
	cfg, err := huaweicloud.ConfigFromEnv(getenvOf(env))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.AppSecret != secret || cfg.Sender != "csms12345678" || cfg.Signature != "Huawei Cloud" {
		t.Errorf("got %q, %q, %q", cfg.AppSecret, cfg.Sender, cfg.Signature)
	}
	// A _FILE set to white space alone is not set.
	env = validEnv()
	env["VCODE_HUAWEI_SMS_APP_SECRET_FILE"] = " "
	if _, err := huaweicloud.ConfigFromEnv(getenvOf(env)); err != nil {
		t.Errorf("blank _FILE: %v", err)
	}
}

// A value with white space inside, or enclosed in quotes, where the
// service takes neither, is an error naming the variable, not quoting the
// value.
func TestConfigFromEnvRefusesSpacesAndQuotes(t *testing.T) {
	dir := t.TempDir()
	quotedFile := filepath.Join(dir, "quoted")
	os.WriteFile(quotedFile, []byte(`"`+secret+`"`+"\n"), 0o600)
	spacedFile := filepath.Join(dir, "spaced")
	os.WriteFile(spacedFile, []byte("q4Ii87BhST9v cs8wvrzN80SfD7Al\n"), 0o600)
	for _, tc := range []struct{ name, key, value, want string }{
		{"spaced secret", "VCODE_HUAWEI_SMS_APP_SECRET", "q4Ii87BhST9v cs8wvrzN80SfD7Al", "VCODE_HUAWEI_SMS_APP_SECRET"},
		{"quoted secret", "VCODE_HUAWEI_SMS_APP_SECRET", `"` + secret + `"`, "VCODE_HUAWEI_SMS_APP_SECRET"},
		{"single-quoted secret", "VCODE_HUAWEI_SMS_APP_SECRET", `'` + secret + `'`, "VCODE_HUAWEI_SMS_APP_SECRET"},
		{"quoted secret file", "VCODE_HUAWEI_SMS_APP_SECRET_FILE", quotedFile, "the file VCODE_HUAWEI_SMS_APP_SECRET_FILE names"},
		{"spaced secret file", "VCODE_HUAWEI_SMS_APP_SECRET_FILE", spacedFile, "the file VCODE_HUAWEI_SMS_APP_SECRET_FILE names"},
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
			env := validEnv()
			if strings.HasSuffix(tc.key, "_FILE") {
				delete(env, "VCODE_HUAWEI_SMS_APP_SECRET")
			}
			env[tc.key] = tc.value
			_, err := huaweicloud.ConfigFromEnv(getenvOf(env))
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

// ConfigFromEnv checks what New checks, and its errors name the
// variables, never a Config field; New's name the fields.
func TestConfigFromEnvNamesVariables(t *testing.T) {
	fields := []string{"URL", "AppKey", "AppSecret", "Sender", "TemplateID", "TemplateIDs", "Signature", "StatusCallback"}
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
			env := validEnv()
			env[tc.key] = tc.value
			_, err := huaweicloud.ConfigFromEnv(getenvOf(env))
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				for _, f := range fields {
					if strings.HasPrefix(line, "notify: huaweicloud: "+f+" ") || strings.Contains(line, " "+f+":") {
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
	env := validEnv()
	env["VCODE_HUAWEI_SMS_URL"] = "ftp://x"
	env["VCODE_HUAWEI_SMS_SENDER"] = strings.Repeat("1", 22)
	delete(env, "VCODE_HUAWEI_SMS_TEMPLATE_ID")
	_, err := huaweicloud.ConfigFromEnv(getenvOf(env))
	if lines := strings.Split(fmt.Sprint(err), "\n"); len(lines) != 3 ||
		!strings.Contains(lines[0], "VCODE_HUAWEI_SMS_TEMPLATE_ID is not set") ||
		!strings.Contains(lines[1], "VCODE_HUAWEI_SMS_URL must be https") ||
		!strings.Contains(lines[2], "VCODE_HUAWEI_SMS_SENDER must be") {
		t.Errorf("error %q", err)
	}

	// New, called with a Config, names the fields.
	cfg, err := huaweicloud.ConfigFromEnv(getenvOf(validEnv()))
	if err != nil {
		t.Fatal(err)
	}
	cfg.URL, cfg.Sender, cfg.TemplateIDs = "http://smsapi.example.com", "", map[string]string{"en": strings.Repeat("a", 33)}
	_, err = huaweicloud.New(cfg)
	for _, want := range []string{"notify: huaweicloud: URL must be https", "notify: huaweicloud: Sender must be", "notify: huaweicloud: TemplateIDs has a template that must be 1 to 32 printable characters without white space or enclosing quotes (language en)"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("New: error %v does not say %q", err, want)
		}
	}
}

func getenvOf(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}
