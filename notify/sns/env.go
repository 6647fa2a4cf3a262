package sns

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// ConfigFromEnv reads a Config from the environment through getenv
// (os.Getenv in production, a map in tests):
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
// come from a file instead: <VAR>_FILE names it, and its content, trailing
// white space trimmed, is the value. Setting both is an error.
//
// These values win over the process's own: they are handed to the SDK
// explicitly. A missing region is left to New, which looks further (the
// shared config profile). Errors name variables and never quote a
// credential.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	cfg := Config{
		Region:            strings.TrimSpace(getenv("AWS_REGION")),
		Profile:           strings.TrimSpace(getenv("AWS_PROFILE")),
		SenderID:          strings.TrimSpace(getenv("VCODE_SNS_SENDER_ID")),
		OriginationNumber: strings.TrimSpace(getenv("VCODE_SNS_ORIGINATION_NUMBER")),
		Endpoint:          strings.TrimSpace(getenv("VCODE_SNS_ENDPOINT")),
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

// secret reads name, or the file name_FILE names. Its errors quote the
// variables and the file's path, never the value.
func secret(getenv func(string) string, name string) (string, error) {
	v, file := getenv(name), getenv(name+"_FILE")
	switch {
	case v != "" && file != "":
		return "", fmt.Errorf("notify: sns: set %s or %s_FILE, not both", name, name)
	case file == "":
		return strings.TrimSpace(v), nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is quoted below; the rest is the cause
		}
		return "", fmt.Errorf("notify: sns: %s_FILE: reading %q: %w", name, file, err)
	}
	v = strings.TrimRight(string(b), " \t\r\n")
	if v == "" {
		return "", fmt.Errorf("notify: sns: %s_FILE: %q is empty", name, file)
	}
	return v, nil
}
