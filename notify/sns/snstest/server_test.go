package snstest_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/notify/sns"
	"github.com/vcodekit/vcode/notify/sns/snstest"
)

func form(edit func(url.Values)) url.Values {
	f := url.Values{
		"Action": {"Publish"}, "Version": {"2010-03-31"}, "PhoneNumber": {"+14155552671"},
		"Message":                                     {"Your code is 753927."},
		"MessageAttributes.entry.1.Name":              {"AWS.SNS.SMS.SMSType"},
		"MessageAttributes.entry.1.Value.DataType":    {"String"},
		"MessageAttributes.entry.1.Value.StringValue": {"Transactional"},
	}
	if edit != nil {
		edit(f)
	}
	return f
}

// send posts body to srv, signed by the SDK's SigV4 signer as of at
// (unless sign is false), and returns the status and the error code.
func send(t *testing.T, srv *snstest.Server, method, body string, sign bool, at time.Time, secret string, tamper string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL()+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if sign {
		h := sha256.Sum256([]byte(body))
		creds := aws.Credentials{AccessKeyID: snstest.AccessKeyID, SecretAccessKey: secret}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(h[:]), "sns", snstest.Region, at); err != nil {
			t.Fatal(err)
		}
	}
	if tamper != "" {
		req.Body = io.NopCloser(strings.NewReader(tamper))
		req.ContentLength = int64(len(tamper))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var e struct {
		Error struct{ Type, Code, Message string }
	}
	xml.Unmarshal(b, &e)
	return resp.StatusCode, e.Error.Code, string(b)
}

// TestContract: the fake answers what SNS would, and records every breach.
func TestContract(t *testing.T) {
	const secret = snstest.SecretAccessKey
	now := time.Now()
	tests := []struct {
		name    string
		method  string
		body    string
		sign    bool
		at      time.Time
		secret  string
		tamper  string
		status  int
		code    string
		problem bool
	}{
		{"well-formed", "POST", form(nil).Encode(), true, now, secret, "", 200, "", false},
		{"sender ID and origination number", "POST", form(func(f url.Values) {
			f.Set("MessageAttributes.entry.2.Name", "AWS.SNS.SMS.SenderID")
			f.Set("MessageAttributes.entry.2.Value.DataType", "String")
			f.Set("MessageAttributes.entry.2.Value.StringValue", "VCODE")
			f.Set("MessageAttributes.entry.3.Name", "AWS.MM.SMS.OriginationNumber")
			f.Set("MessageAttributes.entry.3.Value.DataType", "String")
			f.Set("MessageAttributes.entry.3.Value.StringValue", "+18005550100")
		}).Encode(), true, now, secret, "", 200, "", false},
		{"unsigned", "POST", form(nil).Encode(), false, now, secret, "", 403, "MissingAuthenticationToken", true},
		{"another secret", "POST", form(nil).Encode(), true, now, "another", "", 403, "SignatureDoesNotMatch", true},
		{"body changed after signing", "POST", form(nil).Encode(), true, now, secret, form(func(f url.Values) { f.Set("PhoneNumber", "+14155550000") }).Encode(), 403, "SignatureDoesNotMatch", true},
		{"signed 20 minutes ago", "POST", form(nil).Encode(), true, now.Add(-20 * time.Minute), secret, "", 403, "SignatureDoesNotMatch", true},
		{"GET", "GET", "", true, now, secret, "", 400, "InvalidAction", true},
		{"another action", "POST", form(func(f url.Values) { f.Set("Action", "Subscribe") }).Encode(), true, now, secret, "", 400, "InvalidAction", true},
		{"another version", "POST", form(func(f url.Values) { f.Set("Version", "2012-11-05") }).Encode(), true, now, secret, "", 400, "NoSuchVersion", true},
		{"a topic", "POST", form(func(f url.Values) { f.Set("TopicArn", "arn:aws:sns:us-east-1:123456789012:t") }).Encode(), true, now, secret, "", 400, "InvalidParameter", true},
		{"not E.164", "POST", form(func(f url.Values) { f.Set("PhoneNumber", "4155552671") }).Encode(), true, now, secret, "", 400, "InvalidParameter", true},
		{"empty message", "POST", form(func(f url.Values) { f.Set("Message", "") }).Encode(), true, now, secret, "", 400, "InvalidParameter", true},
		{"Number attribute", "POST", form(func(f url.Values) { f.Set("MessageAttributes.entry.1.Value.DataType", "Number") }).Encode(), true, now, secret, "", 400, "ParameterValueInvalid", true},
		{"unknown attribute", "POST", form(func(f url.Values) { f.Set("MessageAttributes.entry.1.Name", "AWS.SNS.SMS.OriginationNumber") }).Encode(), true, now, secret, "", 400, "InvalidParameter", true},
		{"a gap in the entries", "POST", form(func(f url.Values) {
			for _, k := range []string{"Name", "Value.DataType", "Value.StringValue"} {
				f["MessageAttributes.entry.3."+k] = f["MessageAttributes.entry.1."+k]
				delete(f, "MessageAttributes.entry.1."+k)
			}
		}).Encode(), true, now, secret, "", 400, "InvalidParameter", true},
		{"Promotional: sent, but a problem", "POST", form(func(f url.Values) { f.Set("MessageAttributes.entry.1.Value.StringValue", "Promotional") }).Encode(), true, now, secret, "", 200, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := snstest.NewServer(t)
			status, code, body := send(t, srv, tt.method, tt.body, tt.sign, tt.at, tt.secret, tt.tamper)
			if status != tt.status || code != tt.code {
				t.Fatalf("answered %d %q, want %d %q: %s", status, code, tt.status, tt.code, body)
			}
			if got := len(srv.Problems()) > 0; got != tt.problem {
				t.Fatalf("problems %q, want some: %v", srv.Problems(), tt.problem)
			}
			if srv.Requests() != 1 {
				t.Fatalf("%d requests", srv.Requests())
			}
			if status == 200 {
				if !strings.Contains(body, "<PublishResult>") || !strings.Contains(body, "<MessageId>") {
					t.Fatalf("success body %s", body)
				}
				if len(srv.Messages()) != 1 {
					t.Fatalf("%d messages", len(srv.Messages()))
				}
			} else if len(srv.Messages()) != 0 {
				t.Fatalf("a refused message was recorded")
			}
		})
	}
}

func TestReceived(t *testing.T) {
	srv := snstest.NewServer(t)
	body := form(func(f url.Values) { f.Set("Message", "Ref 12, not 123456789: your code is 4321.") }).Encode()
	if status, _, b := send(t, srv, "POST", body, true, time.Now(), snstest.SecretAccessKey, ""); status != 200 {
		t.Fatalf("%d %s", status, b)
	}
	m := srv.Messages()[0]
	if m.To != "+14155552671" || m.Code != "4321" || m.SMSType != "Transactional" || m.MessageID == "" || m.Form.Get("Action") != "Publish" {
		t.Fatalf("received %+v", m)
	}
	if c, ok := srv.LastCode("+14155552671"); !ok || c != "4321" {
		t.Fatalf("LastCode = %q, %v", c, ok)
	}
	if _, ok := srv.LastCode("+14155550000"); ok {
		t.Fatal("LastCode of a number never sent to")
	}
}

// TestCode: the code is the last run of 4 to 8 digits not adjacent to
// other digits, after a brand that may hold digits and before a short
// validity.
func TestCode(t *testing.T) {
	for text, want := range map[string]string{
		"[Shop 24/7 No.123456] Your code is 654321. It is valid for 1 minute.": "654321",
		"【商城2024】您的验证码是482913，10分钟内有效。":                                        "482913",
		"Your verification code is 1234. It is valid for 5 minutes.":           "1234",
		"Ref 12, not 123456789: your code is 4321.":                            "4321",
		"Acme: 12345678 is your code":                                          "12345678",
		"Code 123456789 (9 digits: none)":                                      "",
		"No code here":                                                         "",
	} {
		srv := snstest.NewServer(t)
		body := form(func(f url.Values) { f.Set("Message", text) }).Encode()
		if status, _, b := send(t, srv, "POST", body, true, time.Now(), snstest.SecretAccessKey, ""); status != 200 {
			t.Fatalf("%d %s", status, b)
		}
		if m := srv.Messages(); len(m) != 1 || m[0].Code != want {
			t.Errorf("%q: Code %+v, want %q", text, m, want)
		}
		if c, ok := srv.LastCode("+14155552671"); !ok || c != want {
			t.Errorf("%q: LastCode = %q, %v, want %q", text, c, ok, want)
		}
	}
}

// TestRecording: the server records what may have gone out, with the
// answer it gave: not only what it accepted; never a refusal.
func TestRecording(t *testing.T) {
	tests := []struct {
		answer   snstest.Answer
		status   int
		recorded bool
	}{
		{snstest.Accept, 200, true},
		{snstest.ServerError, 500, true},
		{snstest.Unavailable, 503, true},
		{snstest.MalformedSuccess, 200, true},
		{snstest.Hang, 0, true},
		{snstest.RejectInvalidNumber, 400, false},
		{snstest.Throttle, 429, false},
		{snstest.AuthFailure, 403, false},
		{snstest.OptedOut, 400, false},
		{snstest.KMSThrottle, 400, false},
	}
	for _, tt := range tests {
		srv := snstest.NewServer(t)
		srv.SetAnswer(tt.answer)
		body := form(nil).Encode()
		req, _ := http.NewRequest("POST", srv.URL()+"/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		h := sha256.Sum256([]byte(body))
		creds := aws.Credentials{AccessKeyID: snstest.AccessKeyID, SecretAccessKey: snstest.SecretAccessKey}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(h[:]), "sns", snstest.Region, time.Now()); err != nil {
			t.Fatal(err)
		}
		client := &http.Client{Timeout: 200 * time.Millisecond}
		resp, err := client.Do(req)
		status := 0
		if err == nil {
			status = resp.StatusCode
			resp.Body.Close()
		}
		if status != tt.status {
			t.Errorf("answer %d: status %d (%v), want %d", tt.answer, status, err, tt.status)
		}
		msgs := srv.Messages()
		if !tt.recorded {
			if len(msgs) != 0 {
				t.Errorf("answer %d, a refusal: recorded %+v", tt.answer, msgs)
			}
			if _, ok := srv.LastCode("+14155552671"); ok {
				t.Errorf("answer %d, a refusal: LastCode found one", tt.answer)
			}
			continue
		}
		if len(msgs) != 1 || msgs[0].Answer != tt.answer || msgs[0].Code != "753927" || msgs[0].To != "+14155552671" {
			t.Errorf("answer %d: recorded %+v", tt.answer, msgs)
			continue
		}
		if (msgs[0].MessageID != "") != (tt.answer == snstest.Accept) {
			t.Errorf("answer %d: MessageID %q", tt.answer, msgs[0].MessageID)
		}
		if c, ok := srv.LastCode("+14155552671"); !ok || c != "753927" {
			t.Errorf("answer %d: LastCode = %q, %v", tt.answer, c, ok)
		}
	}
}

// TestNotifier: a Notifier pointed at the server, with its credentials
// and in its region, gets a message through, signed as the fake requires.
func TestNotifier(t *testing.T) {
	srv := snstest.NewServer(t)
	n, err := sns.New(sns.WithRegion(snstest.Region), sns.WithStaticCredentials(snstest.AccessKeyID, snstest.SecretAccessKey, ""),
		sns.WithEndpoint(srv.URL()))
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	m := delivery.Message{Channel: delivery.SMS, To: "+14155552671", Code: "4321", Text: "Your code is 4321."}
	if err := n.Notify(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if c, ok := srv.LastCode("+14155552671"); !ok || c != "4321" || len(srv.Problems()) != 0 {
		t.Fatalf("LastCode = %q, %v; problems %q", c, ok, srv.Problems())
	}
}

// TestStart: Start serves without a testing.TB until Close, which may be
// called twice.
func TestStart(t *testing.T) {
	srv := snstest.Start()
	resp, err := http.Get(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	srv.Close()
	srv.Close()
	if _, err := http.Get(srv.URL()); err == nil {
		t.Fatal("the server still answers after Close")
	}
}
