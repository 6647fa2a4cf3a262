package sns_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vcodekit/vcode/notify/sns"
)

func TestConfigFromEnv(t *testing.T) {
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
		want sns.Config
		err  string // a fragment of the error; "" for none
	}{
		{"nothing: the SDK's chain", map[string]string{}, sns.Config{}, ""},
		{"everything", map[string]string{
			"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": token,
			"AWS_PROFILE": "prod", "VCODE_SNS_SENDER_ID": "VCODE", "VCODE_SNS_ORIGINATION_NUMBER": "+18005550100",
			"VCODE_SNS_ENDPOINT": "https://sns.eu-west-1.amazonaws.com",
		}, sns.Config{
			Region: "eu-west-1", AccessKeyID: key, SecretAccessKey: secret, SessionToken: token, Profile: "prod",
			SenderID: "VCODE", OriginationNumber: "+18005550100", Endpoint: "https://sns.eu-west-1.amazonaws.com",
		}, ""},
		{"secrets from files", map[string]string{
			"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID_FILE": keyFile, "AWS_SECRET_ACCESS_KEY_FILE": secretFile, "AWS_SESSION_TOKEN_FILE": tokenFile,
		}, sns.Config{Region: "us-east-1", AccessKeyID: key, SecretAccessKey: secret, SessionToken: token}, ""},
		{"secret and its file", map[string]string{
			"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret, "AWS_SECRET_ACCESS_KEY_FILE": secretFile,
		}, sns.Config{}, "set AWS_SECRET_ACCESS_KEY or AWS_SECRET_ACCESS_KEY_FILE, not both"},
		{"token and its file", map[string]string{
			"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": token, "AWS_SESSION_TOKEN_FILE": tokenFile,
		}, sns.Config{}, "AWS_SESSION_TOKEN_FILE, not both"},
		{"key without secret", map[string]string{"AWS_ACCESS_KEY_ID": key}, sns.Config{}, "AWS_SECRET_ACCESS_KEY (or AWS_SECRET_ACCESS_KEY_FILE) is not"},
		{"secret without key", map[string]string{"AWS_SECRET_ACCESS_KEY": secret}, sns.Config{}, "AWS_ACCESS_KEY_ID (or AWS_ACCESS_KEY_ID_FILE) is not"},
		{"token without keys", map[string]string{"AWS_SESSION_TOKEN": token}, sns.Config{}, "AWS_SESSION_TOKEN is set without"},
		{"missing file", map[string]string{"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY_FILE": filepath.Join(dir, "nope")}, sns.Config{}, "AWS_SECRET_ACCESS_KEY_FILE: reading"},
		{"empty file", map[string]string{"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY_FILE": emptyFile}, sns.Config{}, "AWS_SECRET_ACCESS_KEY_FILE: " + `"` + emptyFile + `" is empty`},
		{"bad sender ID", map[string]string{"VCODE_SNS_SENDER_ID": "TOO-LONG-SENDER"}, sns.Config{}, "VCODE_SNS_SENDER_ID"},
		{"bad origination number", map[string]string{"VCODE_SNS_ORIGINATION_NUMBER": "+1 800 555"}, sns.Config{}, "VCODE_SNS_ORIGINATION_NUMBER"},
		{"plain http elsewhere", map[string]string{"VCODE_SNS_ENDPOINT": "http://sns.example.com"}, sns.Config{}, "VCODE_SNS_ENDPOINT: must be https"},
		{"endpoint with a password", map[string]string{"VCODE_SNS_ENDPOINT": "https://u:" + secret + "@sns.example.com"}, sns.Config{}, "VCODE_SNS_ENDPOINT"},
		{"http on loopback", map[string]string{"VCODE_SNS_ENDPOINT": "http://127.0.0.1:4566"}, sns.Config{Endpoint: "http://127.0.0.1:4566"}, ""},

		// White space around values goes; inside them, or quotes, are errors
		// naming the variable.
		{"values trimmed on both sides", map[string]string{
			"AWS_REGION": " eu-west-1\t", "AWS_ACCESS_KEY_ID": "\t" + key + " ", "AWS_SECRET_ACCESS_KEY": "\n" + secret + "\r\n",
			"AWS_SESSION_TOKEN": "  " + token, "AWS_PROFILE": " prod ", "VCODE_SNS_SENDER_ID": " VCODE",
			"VCODE_SNS_ORIGINATION_NUMBER": "+18005550100 ", "VCODE_SNS_ENDPOINT": " https://sns.eu-west-1.amazonaws.com ",
		}, sns.Config{
			Region: "eu-west-1", AccessKeyID: key, SecretAccessKey: secret, SessionToken: token, Profile: "prod",
			SenderID: "VCODE", OriginationNumber: "+18005550100", Endpoint: "https://sns.eu-west-1.amazonaws.com",
		}, ""},
		{"secret with a space inside", map[string]string{"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG bPxRfiCYEXAMPLEKEY"}, sns.Config{}, "AWS_SECRET_ACCESS_KEY holds white space inside"},
		{"quoted secret", map[string]string{"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": `"` + secret + `"`}, sns.Config{}, "AWS_SECRET_ACCESS_KEY holds quotes"},
		{"quoted key ID", map[string]string{"AWS_ACCESS_KEY_ID": "'" + key + "'", "AWS_SECRET_ACCESS_KEY": secret}, sns.Config{}, "AWS_ACCESS_KEY_ID holds quotes"},
		{"token with a newline inside", map[string]string{"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": "FwoGZXIv\nYXdzEXAMPLETOKEN"}, sns.Config{}, "AWS_SESSION_TOKEN holds white space inside"},
		{"file of two lines", map[string]string{"AWS_ACCESS_KEY_ID_FILE": twoLines, "AWS_SECRET_ACCESS_KEY": secret}, sns.Config{}, "AWS_ACCESS_KEY_ID_FILE: the content of " + `"` + twoLines + `" holds white space inside`},
		{"quoted file", map[string]string{"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY_FILE": quotedFile}, sns.Config{}, "AWS_SECRET_ACCESS_KEY_FILE: the content of " + `"` + quotedFile + `" holds quotes`},
		{"quoted region", map[string]string{"AWS_REGION": `"us-east-1"`}, sns.Config{}, "AWS_REGION holds quotes"},
		{"region with a space", map[string]string{"AWS_REGION": "us east 1"}, sns.Config{}, "AWS_REGION holds white space inside"},
		{"quoted sender ID", map[string]string{"VCODE_SNS_SENDER_ID": `"VCODE"`}, sns.Config{}, "VCODE_SNS_SENDER_ID holds quotes"},
		{"origination number with spaces", map[string]string{"VCODE_SNS_ORIGINATION_NUMBER": "+1 800 555 0100"}, sns.Config{}, "VCODE_SNS_ORIGINATION_NUMBER holds white space inside"},
		{"quoted endpoint", map[string]string{"VCODE_SNS_ENDPOINT": "'https://sns.example.com'"}, sns.Config{}, "VCODE_SNS_ENDPOINT holds quotes"},
		{"quoted profile", map[string]string{"AWS_PROFILE": `"prod"`}, sns.Config{}, "AWS_PROFILE is enclosed in quotes"},
		{"profile with a space", map[string]string{"AWS_PROFILE": "my profile"}, sns.Config{Profile: "my profile"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := sns.ConfigFromEnv(func(k string) string { return tt.env[k] })
			if tt.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got != tt.want {
					t.Fatalf("got %+v, want %+v", got, tt.want)
				}
				return
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
