package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vcodekit/vcode/delivery"
)

// smsProvider builds an SMS provider's notifier from the environment
// (the variables env.go reads).
type smsProvider func(getenv func(string) string) (delivery.ChannelNotifier, error)

// smsProviders are -sms's values besides webhook.
var smsProviders = map[string]smsProvider{
	"huaweicloud": newHuawei,
	"twilio":      newTwilio,
	"sns":         newSNS,
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
// provider, never a credential (the environment's never quote one).
func newSMSProvider(name string, getenv func(string) string) (delivery.ChannelNotifier, error) {
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
