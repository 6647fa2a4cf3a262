package twiliotest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

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
	for _, text := range []string{"Code 1234567890 is not one; 4821 is.", "您的验证码是 753927，1 分钟内有效。"} {
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
	if len(msgs) != 2 || msgs[0].Code != "4821" || msgs[1].Code != "753927" || msgs[1].MessagingServiceSID != twiliotest.MessagingServiceSID {
		t.Fatalf("messages %+v", msgs)
	}
	if code, ok := srv.LastCode("+8613612345678"); !ok || code != "753927" {
		t.Fatalf("LastCode = %q, %v", code, ok)
	}
	if _, ok := srv.LastCode("+15005550001"); ok {
		t.Fatal("LastCode for a number never sent to")
	}
	env := srv.Env()
	if env["VCODE_TWILIO_MESSAGING_SERVICE_SID"] != twiliotest.MessagingServiceSID || env["VCODE_TWILIO_FROM"] != "" || env["VCODE_TWILIO_API_URL"] != srv.URL() {
		t.Fatalf("Env() = %v", env)
	}
	if len(srv.Problems()) != 0 {
		t.Fatal(srv.Problems())
	}
}
