package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/notify/huaweicloud"
	"github.com/vcodekit/vcode/notify/sns"
	"github.com/vcodekit/vcode/notify/twilio"
)

// smsProvider builds an SMS provider's notifier from the environment (the
// variables each package's ConfigFromEnv documents).
type smsProvider func(getenv func(string) string) (delivery.ChannelNotifier, error)

// smsProviders are -sms's values besides webhook.
var smsProviders = map[string]smsProvider{
	"huaweicloud": provider(huaweicloud.ConfigFromEnv, huaweicloud.New),
	"twilio":      provider(twilio.ConfigFromEnv, twilio.New),
	"sns":         provider(sns.ConfigFromEnv, sns.New),
}

// provider is a package's ConfigFromEnv and New as an smsProvider.
func provider[C any, N delivery.ChannelNotifier](fromEnv func(func(string) string) (C, error), newN func(C) (N, error)) smsProvider {
	return func(getenv func(string) string) (delivery.ChannelNotifier, error) {
		cfg, err := fromEnv(getenv)
		if err != nil {
			return nil, err
		}
		n, err := newN(cfg)
		if err != nil {
			return nil, err // not n: a nil *Notifier in an interface is not nil
		}
		return n, nil
	}
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
