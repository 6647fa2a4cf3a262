package main

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/vcodekit/vcode/notify/huaweicloud/huaweicloudtest"
	"github.com/vcodekit/vcode/notify/sns/snstest"
	"github.com/vcodekit/vcode/notify/twilio/twiliotest"
)

// fakeProvider is one provider's loopback fake, seen through what the
// test needs of it.
type fakeProvider struct {
	env      map[string]string
	lastCode func(to string) (string, bool)
	requests func() int
	problems func() []string
	// accept, refuse, throttle and fail set the next answers: success,
	// a refusal of the number as invalid, a refusal before acceptance
	// that is not the number's (throttled) and an ambiguous 5xx.
	accept, refuse, throttle, fail func()
}

// fakeProviders start each provider's fake.
var fakeProviders = map[string]func(t *testing.T) fakeProvider{
	"huaweicloud": func(t *testing.T) fakeProvider {
		s := huaweicloudtest.NewServer(t)
		return fakeProvider{huaweiFakeEnv(s), s.LastCode, s.Requests, s.Problems,
			func() { s.SetAnswer(huaweicloudtest.Accept) },
			func() { s.SetAnswer(huaweicloudtest.RejectInvalidNumber) },
			func() { s.SetAnswer(huaweicloudtest.Throttle) },
			func() { s.SetAnswer(huaweicloudtest.ServerError) }}
	},
	"twilio": func(t *testing.T) fakeProvider {
		s := twiliotest.NewServer(t)
		return fakeProvider{twilioFakeEnv(s), s.LastCode, s.Requests, s.Problems,
			func() { s.SetAnswer(twiliotest.Accept) },
			func() { s.SetAnswer(twiliotest.RejectInvalidNumber) },
			func() { s.SetAnswer(twiliotest.Throttle) },
			func() { s.SetAnswer(twiliotest.ServerError) }}
	},
	"sns": func(t *testing.T) fakeProvider {
		s := snstest.NewServer(t)
		return fakeProvider{snsFakeEnv(s), s.LastCode, s.Requests, s.Problems,
			func() { s.SetAnswer(snstest.Accept) },
			func() { s.SetAnswer(snstest.RejectInvalidNumber) },
			func() { s.SetAnswer(snstest.Throttle) },
			func() { s.SetAnswer(snstest.ServerError) }}
	},
}

// twilioFakeEnv is the environment that points -sms twilio at s, with
// its account.
func twilioFakeEnv(s *twiliotest.Server) map[string]string {
	a := s.Account()
	env := map[string]string{envTwilioAccountSID: a.SID, envTwilioAPIURL: s.URL()}
	for k, v := range map[string]string{
		envTwilioAuthToken: a.AuthToken, envTwilioAPIKey: a.APIKey, envTwilioAPISecret: a.APISecret,
		envTwilioFrom: a.From, envTwilioMessagingServiceSID: a.MessagingServiceSID,
	} {
		if v != "" {
			env[k] = v
		}
	}
	return env
}

// huaweiFakeEnv is the environment that points -sms huaweicloud at s,
// with its account: every variable the account needs, no other.
func huaweiFakeEnv(s *huaweicloudtest.Server) map[string]string {
	langs := slices.Sorted(maps.Keys(s.TemplateIDs))
	ids := make([]string, len(langs))
	for i, l := range langs {
		ids[i] = l + "=" + s.TemplateIDs[l]
	}
	env := map[string]string{
		envHuaweiURL: s.URL(), envHuaweiAppKey: s.AppKey, envHuaweiAppSecret: s.AppSecret,
		envHuaweiSender: s.Sender, envHuaweiTemplateID: s.TemplateID, envHuaweiTemplateIDs: strings.Join(ids, ","),
	}
	if s.Signature != "" {
		env[envHuaweiSignature] = s.Signature
	}
	if s.StatusCallback != "" {
		env[envHuaweiStatusCallback] = s.StatusCallback
	}
	if s.CodeOnly {
		env[envHuaweiCodeOnly] = "true"
	}
	return env
}

// snsFakeEnv is the environment that points -sms sns at s, with its
// credentials.
func snsFakeEnv(s *snstest.Server) map[string]string {
	return map[string]string{
		envAWSRegion: snstest.Region, envAWSAccessKeyID: snstest.AccessKeyID,
		envAWSSecretAccessKey: snstest.SecretAccessKey, envSNSEndpoint: s.URL(),
	}
}

// TestSMSProviders drives vcoded with -sms set to each provider, against
// its fake playing the documented API: a code arrives at the provider and
// verifies; a refusal of the number as invalid is the user's 400
// USG.201060002, another refusal before acceptance 500 USG.201060500,
// both with the limits given back (the next send is not held by the
// cooldown); an
// ambiguous failure is 500 with the limits kept (the next send is); no
// credential appears on vcoded's output.
func TestSMSProviders(t *testing.T) {
	for name, start := range fakeProviders {
		t.Run(name, func(t *testing.T) { throughProvider(t, name, start(t)) })
	}
}

func throughProvider(t *testing.T, name string, fake fakeProvider) {
	env := maps.Clone(fake.env)
	env["VCODE_SMS"] = name
	s := start(t, []string{"-tokens", "demo-token"}, env)
	sendURL := s.url + "/v1/usg/dcs/member/verification-code"
	send := func(to string) (int, string) {
		resp, body := post(t, sendURL, "demo-token", `{"contact":"`+to+`"}`)
		return resp.StatusCode, body
	}
	verify := func(to, code string) (int, string) {
		resp, body := post(t, sendURL+"/verify", "demo-token", `{"contact":"`+to+`","verificationCode":"`+code+`"}`)
		return resp.StatusCode, body
	}

	// Delivered: the code reaches the provider, then verifies once.
	const ok = "+8613612345678"
	if st, body := send(ok); st != 200 {
		t.Fatalf("send: %d %s", st, body)
	}
	code, found := fake.lastCode(ok)
	if !found {
		t.Fatalf("the provider got no code for %s", ok)
	}
	if st, body := verify(ok, code); st != 200 {
		t.Fatalf("verify the provider's code: %d %s", st, body)
	}
	if st, body := verify(ok, code); st != 400 || !strings.Contains(body, "USG.201060005") {
		t.Fatalf("second verify: %d %s", st, body)
	}
	if strings.Contains(s.stdout.String(), code) {
		t.Fatal("the code was printed on stdout although a provider delivers it")
	}

	// Refused before acceptance: the number as invalid is the user's 400,
	// a throttled provider a 500; either way the send counts against no
	// limit, so the user may ask again at once.
	for _, tt := range []struct {
		to, code string
		status   int
		refuse   func()
	}{
		{"+8613700000001", "USG.201060002", 400, fake.refuse},
		{"+8613700000003", "USG.201060500", 500, fake.throttle},
	} {
		tt.refuse()
		if st, body := send(tt.to); st != tt.status || !strings.Contains(body, tt.code) {
			t.Fatalf("send the provider refuses: %d %s, want %d %s", st, body, tt.status, tt.code)
		}
		fake.accept()
		if st, body := send(tt.to); st != 200 {
			t.Fatalf("send again after a refusal: %d %s, want 200 (the limits given back)", st, body)
		}
		if _, found := fake.lastCode(tt.to); !found {
			t.Fatal("the second send did not reach the provider")
		}
	}

	// Ambiguous (a 5xx): 500, and the send keeps counting, as the message
	// may still arrive: the next send waits for the cooldown.
	const unsure = "+8613700000002"
	fake.fail()
	if st, body := send(unsure); st != 500 || !strings.Contains(body, "USG.201060500") {
		t.Fatalf("send the provider fails: %d %s", st, body)
	}
	fake.accept()
	before := fake.requests()
	if st, body := send(unsure); st != 429 || !strings.Contains(body, "USG.201060007") {
		t.Fatalf("send again after an ambiguous failure: %d %s, want 429 (the limits kept)", st, body)
	}
	if fake.requests() != before {
		t.Fatal("a send refused by the cooldown reached the provider")
	}

	// Email has no route (no -smtp-url, no -webhook-url): refused, never
	// printed.
	if st, body := send("user@example.com"); st != 403 || !strings.Contains(body, "USG.201060008") {
		t.Fatalf("email with only an SMS provider: %d %s, want 403", st, body)
	}

	if p := fake.problems(); len(p) > 0 {
		t.Fatalf("the fake %s saw requests off its documented contract: %q", name, p)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	logs := s.stdout.String() + s.stderr.String()
	if !strings.Contains(logs, "delivery=") || !strings.Contains(logs, "sms=") || !strings.Contains(logs, "email=none") || !strings.Contains(logs, "guard=standard") {
		t.Errorf("the start line does not name the SMS route and the guard's default level:\n%s", logs)
	}
	for k, v := range fake.env {
		if isCredential(k) && strings.Contains(logs, v) {
			t.Errorf("%s's value appears in vcoded's output", k)
		}
	}
	if !strings.Contains(logs, "status=500") {
		t.Errorf("the failed sends were not logged:\n%s", logs)
	}
}

// isCredential reports whether an environment variable holds a
// credential (or an identifier that must stay out of logs too, such as an
// access key id).
func isCredential(k string) bool {
	for _, w := range []string{"SECRET", "TOKEN", "KEY", "PASSWORD"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// TestSMSFlagErrors: an unknown provider, a provider without its
// settings and -sms webhook without a URL stop the start with an error
// naming what is missing and quoting no secret.
func TestSMSFlagErrors(t *testing.T) {
	const secret = "an-app-secret-that-must-not-leak"
	for name, tt := range map[string]struct {
		env  map[string]string
		want string
	}{
		"unknown":             {map[string]string{"VCODE_SMS": "pigeon"}, `-sms "pigeon": want one of webhook, huaweicloud, sns, twilio`},
		"webhook without url": {map[string]string{"VCODE_SMS": "webhook"}, "-sms webhook needs -webhook-url"},
		"huaweicloud, no url": {map[string]string{"VCODE_SMS": "huaweicloud", "VCODE_HUAWEI_SMS_APP_SECRET": secret}, "VCODE_HUAWEI_SMS_URL"},
		"twilio, no account":  {map[string]string{"VCODE_SMS": "twilio", "TWILIO_AUTH_TOKEN": secret}, "TWILIO_ACCOUNT_SID"},
		"twilio, no sender":   {map[string]string{"VCODE_SMS": "twilio", "TWILIO_ACCOUNT_SID": "AC" + strings.Repeat("0", 32), "TWILIO_AUTH_TOKEN": "abc123"}, "VCODE_TWILIO_FROM"},
		"sns, key, no secret": {map[string]string{"VCODE_SMS": "sns", "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE"}, "AWS_SECRET_ACCESS_KEY"},
		"sns, endpoint http":  {map[string]string{"VCODE_SMS": "sns", "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": secret, "VCODE_SNS_ENDPOINT": "http://sns.example.com"}, "VCODE_SNS_ENDPOINT"},
	} {
		t.Run(name, func(t *testing.T) {
			stderr, err := runOnce(t, []string{"-tokens", "tok"}, tt.env)
			if err == nil {
				t.Fatal("started")
			}
			if strings.Contains(stderr, secret) {
				t.Errorf("stderr quotes the secret: %q", stderr)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error quotes the secret: %q", err)
			}
		})
	}
}
