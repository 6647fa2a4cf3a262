package sns

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode"
)

// ConfigFromEnv reads a Config from the environment through getenv
// (os.Getenv in production, a map or a fake's Getenv in tests):
//
//	AWS_REGION                    the region, such as us-east-1
//	AWS_ACCESS_KEY_ID             static credentials; without them the
//	AWS_SECRET_ACCESS_KEY         SDK's default chain applies (shared files,
//	AWS_SESSION_TOKEN             SSO, web identity, ECS, EC2 roles)
//	AWS_PROFILE                   the shared config profile
//	VCODE_SNS_SENDER_ID           optional sender ID
//	VCODE_SNS_ORIGINATION_NUMBER  optional origination number
//	VCODE_SNS_ENDPOINT            optional endpoint override; otherwise the
//	                              SDK honours AWS_ENDPOINT_URL_SNS
//
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN may each
// come from a file instead: <VAR>_FILE names it, and its content is the
// value. Setting both is an error.
//
// Every value, and every file's content, is trimmed of white space on both
// sides. None of these values may then hold white space or a quote (no
// AWS credential, region, sender ID, origination number or endpoint URL
// does: one is a pasting mistake), except AWS_PROFILE, which may hold
// spaces but not be enclosed in quotes; such a value is an error naming
// the variable, never quoting the value.
//
// These values win over the process's own: they are handed to the SDK
// explicitly. A missing region is left to New, which looks further (the
// shared config profile). Errors name variables and never quote a
// credential.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	var cfg Config
	for _, f := range []struct {
		name  string
		field *string
	}{
		{"AWS_REGION", &cfg.Region},
		{"VCODE_SNS_SENDER_ID", &cfg.SenderID},
		{"VCODE_SNS_ORIGINATION_NUMBER", &cfg.OriginationNumber},
		{"VCODE_SNS_ENDPOINT", &cfg.Endpoint},
	} {
		*f.field = strings.TrimSpace(getenv(f.name))
		if err := checkBare(*f.field); err != nil {
			return Config{}, fmt.Errorf("notify: sns: %s %w", f.name, err)
		}
	}
	cfg.Profile = strings.TrimSpace(getenv("AWS_PROFILE"))
	if quoted(cfg.Profile) {
		return Config{}, errors.New("notify: sns: AWS_PROFILE is enclosed in quotes: give the profile's name without them")
	}
	var err error
	if cfg.AccessKeyID, err = secret(getenv, "AWS_ACCESS_KEY_ID"); err != nil {
		return Config{}, err
	}
	if cfg.SecretAccessKey, err = secret(getenv, "AWS_SECRET_ACCESS_KEY"); err != nil {
		return Config{}, err
	}
	if cfg.SessionToken, err = secret(getenv, "AWS_SESSION_TOKEN"); err != nil {
		return Config{}, err
	}
	switch {
	case cfg.AccessKeyID != "" && cfg.SecretAccessKey == "":
		return Config{}, errors.New("notify: sns: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY (or AWS_SECRET_ACCESS_KEY_FILE) is not")
	case cfg.AccessKeyID == "" && cfg.SecretAccessKey != "":
		return Config{}, errors.New("notify: sns: AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID (or AWS_ACCESS_KEY_ID_FILE) is not")
	case cfg.SessionToken != "" && cfg.AccessKeyID == "":
		return Config{}, errors.New("notify: sns: AWS_SESSION_TOKEN is set without AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	}
	if err := checkSenderID(cfg.SenderID); err != nil {
		return Config{}, fmt.Errorf("notify: sns: VCODE_SNS_SENDER_ID: %w", err)
	}
	if err := checkOriginationNumber(cfg.OriginationNumber); err != nil {
		return Config{}, fmt.Errorf("notify: sns: VCODE_SNS_ORIGINATION_NUMBER: %w", err)
	}
	if cfg.Endpoint != "" {
		if _, err := checkEndpoint(cfg.Endpoint); err != nil {
			return Config{}, fmt.Errorf("notify: sns: VCODE_SNS_ENDPOINT: %w", err)
		}
	}
	return cfg, nil
}

// secret reads name, or the file name_FILE names, trimmed of white space
// on both sides. Its errors quote the variables and the file's path, never
// the value.
func secret(getenv func(string) string, name string) (string, error) {
	v, file := strings.TrimSpace(getenv(name)), strings.TrimSpace(getenv(name+"_FILE"))
	switch {
	case v != "" && file != "":
		return "", fmt.Errorf("notify: sns: set %s or %s_FILE, not both", name, name)
	case file == "":
		if err := checkBare(v); err != nil {
			return "", fmt.Errorf("notify: sns: %s %w", name, err)
		}
		return v, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is quoted below; the rest is the cause
		}
		return "", fmt.Errorf("notify: sns: %s_FILE: reading %q: %w", name, file, err)
	}
	v = strings.TrimSpace(string(b))
	if v == "" {
		return "", fmt.Errorf("notify: sns: %s_FILE: %q is empty", name, file)
	}
	if err := checkBare(v); err != nil {
		return "", fmt.Errorf("notify: sns: %s_FILE: the content of %q %w", name, file, err)
	}
	return v, nil
}

// checkBare refuses white space and quotes anywhere in v, which is
// already trimmed. Its errors never quote v.
func checkBare(v string) error {
	switch {
	case strings.IndexFunc(v, unicode.IsSpace) >= 0:
		return errors.New("holds white space inside")
	case strings.ContainsAny(v, "\"'`"):
		return errors.New("holds quotes: give the value without them")
	}
	return nil
}

// quoted reports whether v is enclosed in a pair of quotes.
func quoted(v string) bool {
	if len(v) < 2 {
		return false
	}
	q := v[0]
	return (q == '"' || q == '\'' || q == '`') && v[len(v)-1] == q
}
