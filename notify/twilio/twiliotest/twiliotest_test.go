package twiliotest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vcodekit/vcode/notify/twilio/twiliotest"
)

// TestContract: the fake answers each breach of the contract as Twilio
// does, and records it.
func TestContract(t *testing.T) {
	path := "/2010-04-01/Accounts/" + twiliotest.AccountSID + "/Messages.json"
	good := url.Values{"To": {"+8613612345678"}, "From": {twiliotest.From}, "Body": {"Your code is 753927."}}
	// with returns good changed: an empty value deletes the field.
	with := func(kv ...string) url.Values {
		f := url.Values{}
		for k, v := range good {
			f[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "" {
				f.Del(kv[i])
			} else {
				f.Set(kv[i], kv[i+1])
			}
		}
		return f
	}
	tests := []struct {
		name        string
		method      string
		path        string
		user, pass  string
		contentType string
		form        url.Values
		status      int
		code        int    // Twilio's error code; 0 for 201
		problem     string // "" for none
	}{
		{name: "well-formed", form: good, status: 201},
		{name: "API key", user: twiliotest.APIKey, pass: twiliotest.APISecret, form: good, status: 201},
		{name: "Messaging Service", form: with("From", "", "MessagingServiceSid", twiliotest.MessagingServiceSID), status: 201},
		{name: "no credentials", user: "-", form: good, status: 401, code: 20003, problem: "no Basic authentication"},
		{name: "wrong token", pass: "0badc0de0badc0de0badc0de0badc0de", form: good, status: 401, code: 20003, problem: "wrong Basic credentials"},
		{name: "API key with the auth token", user: twiliotest.APIKey, form: good, status: 401, code: 20003, problem: "wrong Basic credentials"},
		{name: "other account", path: "/2010-04-01/Accounts/AC00000000000000000000000000000000/Messages.json", form: good, status: 404, code: 20404, problem: "path"},
		{name: "GET", method: "GET", form: good, status: 405, code: 20004, problem: "method GET"},
		{name: "JSON", contentType: "application/json", form: good, status: 400, code: 21604, problem: "Content-Type"},
		{name: "no To", form: with("To", ""), status: 400, code: 21604, problem: "no To"},
		{name: "national To", form: with("To", "13612345678"), status: 400, code: 21211, problem: "not E.164"},
		{name: "no sender", form: with("From", ""), status: 400, code: 21603, problem: "neither From"},
		{name: "other From", form: with("From", "+15005550001"), status: 400, code: 21606, problem: "From"},
		{name: "malformed service", form: with("From", "", "MessagingServiceSid", "MG1"), status: 400, code: 21705, problem: "not a SID"},
		{name: "other service", form: with("From", "", "MessagingServiceSid", "MG00000000000000000000000000000000"), status: 400, code: 21701, problem: "MessagingServiceSid"},
		{name: "no Body", form: with("Body", ""), status: 400, code: 21602, problem: "no Body"},
		{name: "long Body", form: with("Body", strings.Repeat("x", 1601)), status: 400, code: 21617, problem: "1601 characters"},
		{name: "both senders", form: with("MessagingServiceSid", twiliotest.MessagingServiceSID), status: 201, problem: "both From and MessagingServiceSid"},
		{name: "unexpected field", form: with("StatusCallback", "https://example.com/"), status: 201, problem: "unexpected field StatusCallback"},
		{name: "repeated field", form: func() url.Values { f := with("To", "+8613612345678"); f.Add("To", "+8613612345679"); return f }(), status: 201, problem: "To given 2 times"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := twiliotest.NewServer(t)
			method, p, ct := "POST", path, "application/x-www-form-urlencoded"
			if tt.method != "" {
				method = tt.method
			}
			if tt.path != "" {
				p = tt.path
			}
			if tt.contentType != "" {
				ct = tt.contentType
			}
			req, _ := http.NewRequest(method, srv.URL()+p, strings.NewReader(tt.form.Encode()))
			req.Header.Set("Content-Type", ct)
			user, pass := twiliotest.AccountSID, twiliotest.AuthToken
			if tt.user != "" {
				user = tt.user
			}
			if tt.pass != "" {
				pass = tt.pass
			}
			if user != "-" {
				req.SetBasicAuth(user, pass)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct {
				Code     int    `json:"code"`
				Message  string `json:"message"`
				MoreInfo string `json:"more_info"`
				Status   any    `json:"status"` // a number in exceptions, a string in messages
				SID      string `json:"sid"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status || body.Code != tt.code || resp.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("answered %d %+v, want %d error %d", resp.StatusCode, body, tt.status, tt.code)
			}
			if tt.code != 0 && (body.Status != float64(tt.status) || !strings.HasSuffix(body.MoreInfo, "/errors/"+itoa(tt.code)) || body.Message == "") {
				t.Errorf("exception %+v", body)
			}
			if tt.code == 0 && (!strings.HasPrefix(body.SID, "SM") || len(body.SID) != 34 || len(srv.Messages()) != 1) {
				t.Errorf("created %+v, %d messages", body, len(srv.Messages()))
			}
			problems := srv.Problems()
			switch {
			case tt.problem == "" && len(problems) != 0:
				t.Errorf("problems %q, want none", problems)
			case tt.problem != "" && (len(problems) == 0 || !strings.Contains(problems[0], tt.problem)):
				t.Errorf("problems %q, want first one with %q", problems, tt.problem)
			}
			for _, p := range problems {
				if strings.Contains(p, twiliotest.AuthToken) || strings.Contains(p, "0badc0de") {
					t.Errorf("problem quotes a password: %s", p)
				}
			}
			if srv.Requests() != 1 {
				t.Errorf("Requests() = %d", srv.Requests())
			}
		})
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestReceived: what a created message records, and LastCode.
func TestReceived(t *testing.T) {
	srv := twiliotest.NewServer(t, twiliotest.WithMessagingService())
	texts := []string{
		"Code 1234567890 is not one; 4821 is.",
		"您的验证码是 753927，1 分钟内有效。",
		"[Shop 24/7 No.123456] Your code is 654321. It expires in 1 minute.",
		"【商城2024】您的验证码是 482913，10分钟内有效。",
		"No code here but 123 and 123456789.",
	}
	for _, text := range texts {
		form := url.Values{"To": {"+8613612345678"}, "MessagingServiceSid": {twiliotest.MessagingServiceSID}, "Body": {text}}
		req, _ := http.NewRequest("POST", srv.URL()+"/2010-04-01/Accounts/"+twiliotest.AccountSID+"/Messages.json", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		req.SetBasicAuth(twiliotest.AccountSID, twiliotest.AuthToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != 201 || body["status"] != "accepted" || body["from"] != nil || body["messaging_service_sid"] != twiliotest.MessagingServiceSID {
			t.Fatalf("answered %d %v", resp.StatusCode, body)
		}
	}
	msgs := srv.Messages()
	if len(msgs) != len(texts) || msgs[1].MessagingServiceSID != twiliotest.MessagingServiceSID {
		t.Fatalf("messages %+v", msgs)
	}
	// The last run of 4 to 8 digits, not the brand's before it.
	for i, want := range []string{"4821", "753927", "654321", "482913", ""} {
		if msgs[i].Code != want || msgs[i].Answer != twiliotest.Accept {
			t.Errorf("message %q: code %q, answer %d; want %q, Accept", msgs[i].Text, msgs[i].Code, msgs[i].Answer, want)
		}
	}
	if code, ok := srv.LastCode("+8613612345678"); !ok || code != "" {
		t.Fatalf("LastCode = %q, %v; want the last message's, without a code", code, ok)
	}
	if _, ok := srv.LastCode("+15005550001"); ok {
		t.Fatal("LastCode for a number never sent to")
	}
	if a := srv.Account(); a.MessagingServiceSID != twiliotest.MessagingServiceSID || a.From != "" || a.SID != twiliotest.AccountSID || a.AuthToken != twiliotest.AuthToken {
		t.Fatalf("Account() = %#v", a)
	}
	if len(srv.Problems()) != 0 {
		t.Fatal(srv.Problems())
	}
}

// post sends a well-formed message request to srv with client.
func post(t *testing.T, client *http.Client, srv *twiliotest.Server, to, text string) (*http.Response, error) {
	t.Helper()
	form := url.Values{"To": {to}, "From": {twiliotest.From}, "Body": {text}}
	req, _ := http.NewRequest("POST", srv.URL()+"/2010-04-01/Accounts/"+twiliotest.AccountSID+"/Messages.json", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(twiliotest.AccountSID, twiliotest.AuthToken)
	resp, err := client.Do(req)
	if err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return resp, err
}

// TestRecordedAnswers: the message of every well-formed request the
// server did not refuse is recorded, with the answer it got, since it may
// have gone out; a refusal records nothing.
func TestRecordedAnswers(t *testing.T) {
	tests := []struct {
		answer   twiliotest.Answer
		recorded bool
	}{
		{twiliotest.Accept, true},
		{twiliotest.ServerError, true},
		{twiliotest.Hang, true},
		{twiliotest.MalformedSuccess, true},
		{twiliotest.RejectInvalidNumber, false},
		{twiliotest.RejectNotMobile, false},
		{twiliotest.RejectRegion, false},
		{twiliotest.RejectUnsubscribed, false},
		{twiliotest.Throttle, false},
		{twiliotest.AuthFailure, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.answer), func(t *testing.T) {
			srv := twiliotest.NewServer(t)
			srv.SetAnswer(tt.answer)
			client := &http.Client{Timeout: 200 * time.Millisecond} // for Hang
			_, err := post(t, client, srv, "+8613612345678", "[Shop 24/7] Your code is 654321.")
			if (err != nil) != (tt.answer == twiliotest.Hang) {
				t.Fatalf("request: %v", err)
			}
			msgs := srv.Messages()
			code, found := srv.LastCode("+8613612345678")
			if !tt.recorded {
				if len(msgs) != 0 || found {
					t.Fatalf("refusal recorded %+v", msgs)
				}
				return
			}
			if len(msgs) != 1 || msgs[0].Answer != tt.answer || !strings.HasPrefix(msgs[0].SID, "SM") || !found || code != "654321" {
				t.Fatalf("messages %+v, LastCode %q %v; want one, answered %d", msgs, code, found, tt.answer)
			}
			if p := srv.Problems(); len(p) != 0 {
				t.Fatal(p)
			}
		})
	}
}

// TestStartClose: Start serves without a testing.TB, Account gives the
// API key WithAPIKey asks for, and Close frees a request Hang holds and may be called twice.
func TestStartClose(t *testing.T) {
	srv := twiliotest.Start(twiliotest.WithAPIKey())
	if a := srv.Account(); a.APIKey != twiliotest.APIKey || a.APISecret != twiliotest.APISecret || a.AuthToken != "" || a.From != twiliotest.From {
		t.Errorf("Account() = %#v: want the API key and From", a)
	}
	srv.SetAnswer(twiliotest.Hang)
	done := make(chan error, 1)
	go func() {
		_, err := post(t, http.DefaultClient, srv, "+14155550100", "Your code is 4821.")
		done <- err
	}()
	for srv.Requests() == 0 {
		time.Sleep(time.Millisecond)
	}
	closed := make(chan struct{})
	go func() {
		srv.Close()
		srv.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return while Hang held a request")
	}
	<-done
	if _, err := post(t, http.DefaultClient, srv, "+14155550100", "Your code is 4821."); err == nil {
		t.Fatal("the server still answers after Close")
	}
}
