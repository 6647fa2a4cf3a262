package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vcodekit/vcode/notify/huaweicloud"
	"github.com/vcodekit/vcode/notify/sns"
	"github.com/vcodekit/vcode/notify/twilio"
	"github.com/vcodekit/vcode/verifier"
)

// smsProvider builds an SMS provider's notifier from the environment (the
// variables each package's ConfigFromEnv documents).
type smsProvider func(getenv func(string) string) (verifier.ChannelNotifier, error)

// smsProviders are -sms's values besides webhook.
var smsProviders = map[string]smsProvider{
	"huaweicloud": func(getenv func(string) string) (verifier.ChannelNotifier, error) {
		cfg, err := huaweicloud.ConfigFromEnv(getenv)
		if err != nil {
			return nil, err
		}
		n, err := huaweicloud.New(cfg)
		if err != nil {
			return nil, err
		}
		return n, nil
	},
	"twilio": func(getenv func(string) string) (verifier.ChannelNotifier, error) {
		cfg, err := twilio.ConfigFromEnv(getenv)
		if err != nil {
			return nil, err
		}
		n, err := twilio.New(cfg)
		if err != nil {
			return nil, err
		}
		return n, nil
	},
	"sns": func(getenv func(string) string) (verifier.ChannelNotifier, error) {
		cfg, err := sns.ConfigFromEnv(getenv)
		if err != nil {
			return nil, err
		}
		n, err := sns.New(cfg)
		if err != nil {
			return nil, err
		}
		return n, nil
	},
}

// smsChoices lists -sms's values, for its usage and errors.
func smsChoices() string {
	names := []string{"webhook"}
	for name := range smsProviders {
		names = append(names, name)
	}
	slices.Sort(names[1:])
	return strings.Join(names, ", ")
}

// newSMSProvider builds -sms's provider; errors name the flag and the
// provider, never a credential (ConfigFromEnv's never quote one).
func newSMSProvider(name string, getenv func(string) string) (verifier.ChannelNotifier, error) {
	build, ok := smsProviders[name]
	if !ok {
		return nil, fmt.Errorf("-sms %q: want one of %s", name, smsChoices())
	}
	n, err := build(getenv)
	if err != nil {
		return nil, fmt.Errorf("-sms %s: %w", name, err)
	}
	return n, nil
}
