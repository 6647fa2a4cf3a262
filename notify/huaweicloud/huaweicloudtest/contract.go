package huaweicloudtest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// The contract a request is held to: the API reference's, read strictly
// (one number, every field known, the account's own values).
var (
	e164  = regexp.MustCompile(`^\+[1-9][0-9]{1,19}$`)
	nonce = regexp.MustCompile(`^[A-Za-z0-9]{1,128}$`)
	code  = regexp.MustCompile(`^[0-9]{4,10}$`)
	count = regexp.MustCompile(`^[1-9][0-9]{0,3}$`)
)

// check reads r and body as the service would, and returns the message
// or the first broken rule.
func (s *Server) check(r *http.Request, body []byte) (Received, *fault) {
	rec := Received{}
	if r.Method != http.MethodPost {
		return rec, &fault{status: 405, problem: "method " + r.Method + ", not POST"}
	}
	if r.URL.Path != Path {
		return rec, &fault{status: 404, problem: fmt.Sprintf("path %q, not %s (the access address with the API's URI)", r.URL.Path, Path)}
	}
	if r.URL.RawQuery != "" {
		return rec, &fault{status: 400, code: "E000503", desc: "Invalid parameter.", problem: "a query string: the fields go in the body"}
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		return rec, &fault{status: 400, code: "E000000", desc: "System error.", problem: fmt.Sprintf("Content-Type %q, not application/x-www-form-urlencoded", r.Header.Get("Content-Type"))}
	}
	if f := checkAuthorization(r.Header.Get("Authorization")); f != nil {
		return rec, f
	}
	rec.WSSE = r.Header.Get("X-WSSE")
	if f := s.checkWSSE(rec.WSSE); f != nil {
		return rec, f
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return rec, &fault{status: 400, code: "E000000", desc: "System error.", problem: "body is not URL-encoded: " + err.Error()}
	}
	rec.Form = form
	return s.checkForm(rec)
}

// checkAuthorization checks the fixed Authorization header:
// WSSE realm="SDP",profile="UsernameToken",type="Appkey".
func checkAuthorization(h string) *fault {
	bad := func(code, desc string) *fault {
		return &fault{status: 400, code: code, desc: desc, problem: fmt.Sprintf("Authorization %q: %s", h, desc)}
	}
	if h == "" {
		return bad("E000001", "Authorization not contained in the HTTP header.")
	}
	rest, ok := strings.CutPrefix(h, "WSSE ")
	if !ok {
		return bad("E000008", "WSSE not contained in Authorization.")
	}
	p, err := params(rest)
	if err != nil {
		return bad("E000001", "Authorization not contained in the HTTP header.")
	}
	switch {
	case p["realm"] == "":
		return bad("E000002", "realm not contained in Authorization.")
	case p["profile"] == "":
		return bad("E000003", "profile not contained in Authorization.")
	case p["realm"] != "SDP":
		return bad("E000004", "The value of realm in Authorization must be SDP.")
	case p["profile"] != "UsernameToken":
		return bad("E000005", "The value of profile in Authorization must be UsernameToken.")
	case p["type"] == "":
		return bad("E000007", "type not contained in Authorization.")
	case p["type"] != "Appkey":
		return bad("E000006", "The value of type in Authorization must be app_key.")
	case len(p) != 3:
		return bad("E000001", "Authorization not contained in the HTTP header.")
	}
	return nil
}

// checkWSSE checks X-WSSE: UsernameToken Username="…",PasswordDigest="…",
// Nonce="…",Created="…", recomputing the digest.
func (s *Server) checkWSSE(h string) *fault {
	bad := func(status int, code, desc, why string) *fault {
		return &fault{status: status, code: code, desc: desc, problem: "X-WSSE: " + why}
	}
	if h == "" {
		return bad(400, "E000020", "X-WSSE not contained in the HTTP header.", "missing")
	}
	rest, ok := strings.CutPrefix(h, "UsernameToken ")
	if !ok {
		return bad(401, "E000101", "Authentication failed.", fmt.Sprintf("%q does not start with UsernameToken", h))
	}
	p, err := params(rest)
	if err != nil {
		return bad(401, "E000101", "Authentication failed.", err.Error())
	}
	switch {
	case p["Username"] == "":
		return bad(400, "E000021", "UserName not contained in X-WSSE.", "no Username")
	case p["Nonce"] == "":
		return bad(400, "E000022", "Nonce not contained in X-WSSE.", "no Nonce")
	case p["Created"] == "":
		return bad(400, "E000023", "Created not contained in X-WSSE.", "no Created")
	case p["PasswordDigest"] == "":
		return bad(401, "E000101", "Authentication failed.", "no PasswordDigest")
	case len(p) != 4:
		return bad(401, "E000101", "Authentication failed.", "parameters other than Username, PasswordDigest, Nonce and Created")
	case p["Username"] != s.AppKey:
		return bad(401, "E000102", "Invalid app_key.", "Username is not the app key")
	case !nonce.MatchString(p["Nonce"]):
		return bad(401, "E000101", "Authentication failed.", "Nonce is not 1 to 128 letters and digits")
	}
	created, err := time.Parse(createdLayout, p["Created"])
	if err != nil || created.Format(createdLayout) != p["Created"] {
		return bad(401, "E000110", "Time out limit.", fmt.Sprintf("Created %q is not yyyy-MM-ddTHH:mm:ssZ in UTC", p["Created"]))
	}
	if d := s.now().Sub(created); d > MaxSkew || d < -MaxSkew {
		return bad(401, "E000110", "Time out limit.", fmt.Sprintf("Created %s is %v off the clock", p["Created"], d.Round(time.Second)))
	}
	sum := sha256.Sum256([]byte(p["Nonce"] + p["Created"] + s.AppSecret))
	asHex := base64.StdEncoding.EncodeToString([]byte(hex.EncodeToString(sum[:])))
	asRaw := base64.StdEncoding.EncodeToString(sum[:])
	got := []byte(p["PasswordDigest"])
	if subtle.ConstantTimeCompare(got, []byte(asHex)) != 1 && subtle.ConstantTimeCompare(got, []byte(asRaw)) != 1 {
		return bad(401, "E000101", "Authentication failed.", "PasswordDigest is not Base64(SHA256(Nonce+Created+app_secret))")
	}
	return nil
}

// params parses key="value" pairs separated by commas, with optional
// white space after a comma (the reference shows both).
func params(s string) (map[string]string, error) {
	p := map[string]string{}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
			return nil, fmt.Errorf("%q is not key=\"value\"", part)
		}
		if _, dup := p[k]; dup {
			return nil, fmt.Errorf("%s given twice", k)
		}
		p[k] = v[1 : len(v)-1]
	}
	return p, nil
}

// checkForm checks the body's fields.
func (s *Server) checkForm(rec Received) (Received, *fault) {
	form := rec.Form
	invalid := func(why string) *fault {
		return &fault{status: 400, code: "E000503", desc: "Invalid parameter.", problem: "form: " + why}
	}
	allowed := map[string]bool{"from": true, "to": true, "templateId": true, "templateParas": true, "statusCallback": true, "signature": true}
	for k, vs := range form {
		if !allowed[k] {
			return rec, invalid(fmt.Sprintf("field %q is not one of the API's", k))
		}
		if len(vs) != 1 {
			return rec, invalid(fmt.Sprintf("field %q given %d times", k, len(vs)))
		}
	}
	rec.To, rec.Sender, rec.TemplateID = form.Get("to"), form.Get("from"), form.Get("templateId")
	rec.Signature, rec.StatusCallback = form.Get("signature"), form.Get("statusCallback")
	if !e164.MatchString(rec.To) {
		return rec, invalid(fmt.Sprintf("to %q is not one number in E.164 form", rec.To))
	}
	if rec.Sender != s.Sender {
		// The number's status E200018: from is not the channel number.
		return rec, &fault{status: 400, code: "E000510", desc: "The SMS fails to be sent. For details, see status.", numberState: "E200018",
			problem: fmt.Sprintf("from %q is not the channel number %q", rec.Sender, s.Sender)}
	}
	known := rec.TemplateID == s.TemplateID
	for _, id := range s.TemplateIDs {
		known = known || rec.TemplateID == id
	}
	if !known {
		return rec, invalid(fmt.Sprintf("templateId %q is not one of the account's", rec.TemplateID))
	}
	if _, ok := form["templateParas"]; !ok {
		return rec, invalid("no templateParas: the templates have variables")
	}
	badParas := func(why string) *fault {
		return &fault{status: 400, code: "E000510", desc: "The SMS fails to be sent. For details, see status.", numberState: "E200028", problem: "templateParas: " + why}
	}
	if err := json.Unmarshal([]byte(form.Get("templateParas")), &rec.Params); err != nil {
		return rec, badParas(fmt.Sprintf("%q is not a JSON array of strings", form.Get("templateParas")))
	}
	want := 2
	if s.CodeOnly {
		want = 1
	}
	if len(rec.Params) != want {
		return rec, badParas(fmt.Sprintf("%d values, the template has %d variables", len(rec.Params), want))
	}
	if !code.MatchString(rec.Params[0]) {
		return rec, badParas("the code is not 4 to 10 digits")
	}
	if want == 2 && !count.MatchString(rec.Params[1]) {
		return rec, badParas(fmt.Sprintf("minutes %q is not a whole number from 1", rec.Params[1]))
	}
	rec.Code = rec.Params[0]
	if _, ok := form["signature"]; ok != (s.Signature != "") || rec.Signature != s.Signature {
		return rec, invalid(fmt.Sprintf("signature %q, the account's is %q", rec.Signature, s.Signature))
	}
	if _, ok := form["statusCallback"]; ok != (s.StatusCallback != "") || rec.StatusCallback != s.StatusCallback {
		return rec, invalid(fmt.Sprintf("statusCallback %q, the account's is %q", rec.StatusCallback, s.StatusCallback))
	}
	return rec, nil
}
