package huaweicloud

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"
)

// authorization is the fixed Authorization header of X-WSSE
// authentication (sms_05_0046).
const authorization = `WSSE realm="SDP",profile="UsernameToken",type="Appkey"`

// createdLayout is the documented format of Created: UTC, to the second,
// "2018-02-12T15:30:20Z" (the API reference's table gives Go's
// 2006-01-02T15:04:05Z).
const createdLayout = "2006-01-02T15:04:05Z"

// wsse returns the X-WSSE header for a request made at now, with a fresh
// nonce, and the digest it holds:
//
//	UsernameToken Username="<app_key>",PasswordDigest="<digest>",Nonce="<nonce>",Created="<created>"
//
// as in the documented example request (no space after the commas).
func wsse(appKey, appSecret string, now time.Time) (header, digest string) {
	var b [16]byte
	rand.Read(b[:])
	nonce := hex.EncodeToString(b[:]) // 32 characters; 1 to 128 letters and digits allowed
	created := now.UTC().Format(createdLayout)
	digest = passwordDigest(nonce, created, appSecret)
	return `UsernameToken Username="` + appKey +
		`",PasswordDigest="` + digest +
		`",Nonce="` + nonce + `",Created="` + created + `"`, digest
}

// passwordDigest is Base64(SHA256(Nonce + Created + Password)), Password
// being the app secret. The SHA-256 is taken as its lower-case hex string,
// as in the API reference's example request (its PasswordDigest decodes to
// 64 hex digits) and the Java and Python samples; the service also accepts
// the raw 32 bytes (the Go sample), which huaweicloudtest accepts too.
func passwordDigest(nonce, created, secret string) string {
	sum := sha256.Sum256([]byte(nonce + created + secret))
	return base64.StdEncoding.EncodeToString([]byte(hex.EncodeToString(sum[:])))
}
