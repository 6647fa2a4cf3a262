// Package huaweicloud delivers SMS codes through Huawei Cloud Message &
// SMS (消息&短信), with a client of its own on net/http: no SDK.
//
// It follows the API reference of the service:
//
//   - SMS Sending API, POST <access address>/sms/batchSendSms/v1, a form
//     (application/x-www-form-urlencoded) of from, to, templateId,
//     templateParas, statusCallback and signature:
//     https://support.huaweicloud.com/intl/en-us/api-msgsms/sms_05_0001.html
//   - X-WSSE authentication, two headers (below):
//     https://support.huaweicloud.com/api-msgsms/sms_05_0046.html
//   - API error codes (the code of the answer, the status of each number):
//     https://support.huaweicloud.com/intl/en-us/api-msgsms/sms_05_0050.html
//     and https://support.huaweicloud.com/intl/en-us/api-msgsms/sms_05_0051.html
//
// The headers, as in the reference's example request:
//
//	Authorization: WSSE realm="SDP",profile="UsernameToken",type="Appkey"
//	X-WSSE: UsernameToken Username="<app_key>",PasswordDigest="<digest>",Nonce="<nonce>",Created="2018-05-26T00:35:30Z"
//
// where the digest is Base64(SHA256(Nonce + Created + app_secret)), the
// nonce 32 random hex digits and Created the time in UTC.
//
// The message's text is the provider's: the service sends an approved
// template, filled with parameters. The Notifier sends the code and the
// validity in whole minutes, rounded up (templateParas ["123456","5"]), or
// the code alone (WithCodeOnly) for a template of one variable; it picks
// the template by the message's language (WithTemplates), else
// App.TemplateID. Message.Text is not sent.
//
// # Configuration
//
// New takes the App, the five values without which nothing can be sent
// (the access address, the app key and secret, the sender and the default
// template), as one struct: they come together from the console's
// application and signature pages, and a struct names each at the call
// site, where five positional strings would be easy to swap. Everything
// that has a default is an Option (WithTemplates, WithCodeOnly,
// WithSignature, WithStatusCallback, WithTimeout, WithClient), as in every
// vcode package; New checks all of it at once and reports every problem in
// one error. The package reads no environment variable: cmd/vcoded maps
// its own (VCODE_HUAWEI_SMS_URL, ...) onto these values.
//
//	sms, err := huaweicloud.New(huaweicloud.App{
//		URL:    "https://smsapi.cn-north-4.myhuaweicloud.com:443",
//		AppKey: key, AppSecret: secret,
//		Sender: "csms12345678", TemplateID: "8ff55eac1d0b478ab3c06c3c6a492300",
//	}, huaweicloud.WithTemplates(map[string]string{"en-US": "c6b8e4d0..."}))
//
// # Failures
//
// A failure is delivery.Undelivered only when the message certainly did not
// leave: the request was never written (a DNS, dial or TLS failure, tried
// twice), or the service refused it: any 4xx answer (the documented 400,
// 401 and 403 answers: malformed request, failed authentication, an
// address outside the IP allow list, the sending limit reached, E000510
// with the number's status), a 3xx other than 303, or a 2xx answer whose
// code or number status is a documented refusal (see README.md). A
// timeout or a broken connection once the request was written, a 5xx, an
// answer that does not parse or that the documentation does not list, may
// have sent the message: a plain error. Nothing is repeated once written,
// and a redirect is never followed.
//
// Errors start with "notify: huaweicloud:" and quote the service's code,
// description and the number's status; they never hold a credential, the
// code or the phone number, even when the service or a proxy echoes them:
// what is quoted is scrubbed of the app secret and key, the request's X-WSSE
// header and digest (as sent or URL-encoded), the code, the number as
// E.164 or national, and any run of seven or more digits, separated by
// spaces, '-', '.' or parentheses or not. Printing an App or a Notifier
// (fmt, log/slog, encoding/json) shows no credential. The package never
// logs.
//
// Close closes the idle connections of the Notifier's own transport (not
// those of WithClient's client, which stay the caller's), so that none of its
// goroutines outlives it.
//
// The tests run against huaweicloudtest, a fake that implements the
// documented contract (it recomputes the X-WSSE digest), not the live
// service.
package huaweicloud
