package huaweicloud_test

import (
	"os"
	"path/filepath"
	"reflect"
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
		{"repeated language", with("VCODE_HUAWEI_SMS_TEMPLATE_IDS", "en=a,en=b"), huaweicloud.Config{}, []string{"twice"}},
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
