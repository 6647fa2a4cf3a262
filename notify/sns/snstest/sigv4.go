package snstest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The SigV4 errors SNS answers with (CommonErrors.html).
var (
	errMissingToken = snsError{status: 403, code: "MissingAuthenticationToken", message: "Request is missing Authentication Token"}
	errBadToken     = snsError{status: 403, code: "InvalidClientTokenId", message: "The security token included in the request is invalid."}
	errMismatch     = snsError{status: 403, code: "SignatureDoesNotMatch", message: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}
)

func incomplete(msg string) snsError {
	return snsError{status: 400, code: "IncompleteSignature", message: msg}
}

func mismatch(msg string) snsError {
	return snsError{status: 403, code: "SignatureDoesNotMatch", message: msg}
}

// checkSignature checks r's AWS Signature Version 4 as SNS does, and
// recomputes it with SecretAccessKey
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html):
//
//	Authorization: AWS4-HMAC-SHA256 Credential=<key id>/<yyyymmdd>/<region>/sns/aws4_request,
//	  SignedHeaders=<lower-case names;...>, Signature=<hex>
//	X-Amz-Date: <yyyymmddThhmmssZ>
//
// It returns the error to answer and the problem to record, or "".
func (s *Server) checkSignature(r *http.Request, body []byte) (snsError, string) {
	scope, signed, sig, e, problem := parseAuthorization(r.Header.Get("Authorization"))
	if problem != "" {
		return e, problem
	}
	amzDate := r.Header.Get("X-Amz-Date")
	t, err := time.Parse("20060102T150405Z", amzDate)
	if err != nil {
		return incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."), fmt.Sprintf("X-Amz-Date %q is not yyyymmddThhmmssZ", amzDate)
	}
	if e, problem := checkScope(scope, amzDate); problem != "" {
		return e, problem
	}
	if d := s.now().Sub(t); d > 15*time.Minute || d < -15*time.Minute {
		return mismatch("Signature expired: " + amzDate + " is more than 15 minutes from the server's time"), "X-Amz-Date is more than 15 minutes off"
	}
	names := strings.Split(signed, ";")
	if problem := checkSignedHeaders(r, names, signed); problem != "" {
		return mismatch(errMismatch.message), problem
	}
	want := signature(r, body, names, signed, scope, amzDate)
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return errMismatch, "signature does not match the one recomputed with " + AccessKeyID + "'s secret"
	}
	return snsError{}, ""
}

// parseAuthorization reads the Authorization header: the credential's
// scope (key id, date, region, service, terminator), the signed headers
// and the signature; or the error to answer and the problem to record.
func parseAuthorization(auth string) (scope []string, signed, sig string, _ snsError, problem string) {
	if auth == "" {
		return nil, "", "", errMissingToken, "no Authorization header"
	}
	rest, ok := strings.CutPrefix(auth, "AWS4-HMAC-SHA256 ")
	if !ok {
		return nil, "", "", incomplete("Authorization header is not AWS4-HMAC-SHA256"), "Authorization is not AWS4-HMAC-SHA256"
	}
	parts := map[string]string{}
	for _, p := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		parts[k] = v
	}
	cred, signed, sig := parts["Credential"], parts["SignedHeaders"], parts["Signature"]
	if cred == "" || signed == "" || sig == "" {
		return nil, "", "", incomplete("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters."), "Authorization lacks Credential, SignedHeaders or Signature"
	}
	scope = strings.Split(cred, "/")
	if len(scope) != 5 {
		return nil, "", "", incomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term"), "Credential is not keyid/date/region/service/aws4_request"
	}
	if scope[0] != AccessKeyID {
		return nil, "", "", errBadToken, "signed with another access key ID than " + AccessKeyID
	}
	return scope, signed, sig, snsError{}, ""
}

// checkScope checks the credential's date, region, service and
// terminator.
func checkScope(scope []string, amzDate string) (snsError, string) {
	switch {
	case scope[1] != amzDate[:8]:
		return mismatch("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP"), "credential date " + scope[1] + " is not X-Amz-Date's"
	case scope[2] != Region:
		return mismatch("Credential should be scoped to a valid region."), "credential region " + scope[2] + ", want " + Region
	case scope[3] != "sns":
		return mismatch("Credential should be scoped to correct service: 'sns'."), "credential service " + scope[3] + ", want sns"
	case scope[4] != "aws4_request":
		return mismatch("Credential should be scoped with a valid terminator: 'aws4_request'."), "credential terminator " + scope[4] + ", want aws4_request"
	}
	return snsError{}, ""
}

// checkSignedHeaders checks that the signed headers are sorted lower-case
// names, hold those SNS requires and every X-Amz- header; it returns the
// problem, or "".
func checkSignedHeaders(r *http.Request, names []string, signed string) string {
	if !slices.IsSorted(names) || slices.Contains(names, "") {
		return "SignedHeaders " + signed + " is not sorted lower-case names"
	}
	for _, must := range []string{"host", "x-amz-date", "content-type"} {
		if !slices.Contains(names, must) {
			return "SignedHeaders lacks " + must
		}
	}
	for k := range r.Header {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-amz-") && !slices.Contains(names, lk) {
			return "header " + k + " is not signed"
		}
	}
	return ""
}

// signature recomputes the request's signature with SecretAccessKey: the
// canonical request, the string to sign and the signing key.
func signature(r *http.Request, body []byte, names []string, signed string, scope []string, amzDate string) string {
	var canon strings.Builder
	canon.WriteString(r.Method + "\n")
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	canon.WriteString(path + "\n")
	canon.WriteString(r.URL.RawQuery + "\n") // always empty here
	for _, name := range names {
		canon.WriteString(name + ":" + headerValue(r, name) + "\n")
	}
	canon.WriteString("\n" + signed + "\n")
	canon.WriteString(hexSHA256(body))
	credScope := strings.Join(scope[1:], "/")
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + credScope + "\n" + hexSHA256([]byte(canon.String()))
	key := []byte("AWS4" + SecretAccessKey)
	for _, p := range scope[1:] {
		key = hmacSHA256(key, p)
	}
	return hex.EncodeToString(hmacSHA256(key, toSign))
}

// headerValue is a header's canonical value: its values trimmed, runs of
// spaces folded, joined by commas.
func headerValue(r *http.Request, name string) string {
	switch name {
	case "host":
		return r.Host
	case "content-length":
		if v := r.Header.Get("Content-Length"); v != "" {
			return v
		}
		return strconv.FormatInt(r.ContentLength, 10)
	}
	vs := slices.Clone(r.Header.Values(name))
	for i, v := range vs {
		vs[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(vs, ",")
}

func hexSHA256(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
