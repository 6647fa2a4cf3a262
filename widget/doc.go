// Package widget serves <vcode-verify>, a drop-in verification form for web
// pages: one custom element in one small JavaScript file and a style sheet,
// embedded in the module and served by an http.Handler the host mounts
// where it likes. A host puts it on with three lines, one in Go and two in
// the page:
//
//	mux.Handle("/vcode/", http.StripPrefix("/vcode", widget.Handler()))
//
//	<script defer src="/vcode/vcode-verify.js"></script>
//	<vcode-verify send-url="/auth/code" verify-url="/auth/verify"></vcode-verify>
//
// after mounting the two endpoints (httpmw's SendHandler and VerifyHandler,
// with WithSubject reading the session cookie and WithSendTimes, so that
// the widget can count down to the next send):
//
//	mux.Handle("POST /auth/code", h.SendHandler())
//	mux.Handle("POST /auth/verify", h.VerifyHandler())
//
// No <link> to the style sheet is needed: the element links it in its own
// shadow root (from the directory its script came from) and hides itself
// until it has loaded or failed. Example_cookieSession is a complete host:
// a cookie sign-in, a delivery.Notifier, WithSubject, WithSendTimes,
// WithVerified recording the verification in the session, a strict CSP,
// the 401/403 texts reworded for cookie users, and the page asking the
// server after the verified event. Try the widget without a clone with
// go run github.com/vcodekit/vcode/cmd/vcoded@latest -ui.
//
// # What the element does
//
// It asks for a phone number (with a country select built from the Huawei
// country table, named in the page's language by the browser's
// Intl.DisplayNames) or an email address, sends a code, shows a code field
// (autocomplete="one-time-code", inputmode="numeric", filled by WebOTP where
// the browser has it), counts down to the next send (from the answer's
// next_send_at, or a 429's Retry-After), verifies, and then dispatches a
// "verified" event (bubbles, composed) whose detail is
// {contact, country, channel}: what the user typed, the Huawei country value
// sent with it ("" for an email address) and "phone" or "email". The event
// only tells the page to go on: the server is the one that knows a contact
// was verified (httpmw.WithVerified), and the page must not take the
// event's detail as proof.
//
// Requests are fetch POSTs with credentials "same-origin", Content-Type
// application/json and the published body {"contact", "country",
// "verificationCode"}; the widget's language goes as Accept-Language, so
// that the server's error_msg comes in it. Errors show the server's
// error_msg; a network failure or an answer that is not the API's JSON
// shows the widget's own message.
//
// # Attributes
//
//	send-url     the send endpoint's URL (required)
//	verify-url   the verify endpoint's URL (required)
//	channel      phone (default), email or both
//	country      the Huawei country value selected first (chinaPR)
//	lang         the language, else the nearest ancestor's lang, else zh-CN
//	code-length  the code field's maxlength, 4 to 10 (10: any server's code fits)
//	assets       the URL of the directory of the style sheet and JSON files
//	             (the directory of vcode-verify.js)
//
// A missing send-url or verify-url, an unknown channel, or a style sheet or
// countries.json that does not load makes the element show only a
// localised configuration error (label key config), with console.error
// saying what is wrong; it sends nothing. An unknown country falls back to
// chinaPR (contact.DefaultCountry), a bad code-length to 10 and a
// labels.json that does not load to the built-in labels, each with a
// console.warn.
//
// There is no purpose attribute: an httpmw.Handler serves one purpose
// (httpmw.WithPurpose), so a page chooses the purpose by the URLs it names.
//
// # Languages
//
// The element's own texts are built in for zh-CN and en-US. A host gives
// other languages (or rewords these) with WithLabels: the handler serves
// them as labels.json and the element fetches it, so no inline script is
// needed. Keys missing from a language fall back to en-US. LabelKeys lists
// the keys.
//
// # Content-Security-Policy
//
// There is no inline script or style: the element works under
// Content-Security-Policy: default-src 'self', with the assets served from
// the page's origin. The style sheet is a <link> in the shadow root (a
// constructable stylesheet would need its text fetched first, and a
// <style> element needs style-src 'unsafe-inline'); the element shows and
// hides its parts with the hidden attribute, never with style attributes.
//
// # Files
//
// Handler serves, below wherever it is mounted:
//
//	vcode-verify.js    the element
//	vcode-verify.css   its style sheet
//	countries.json     [{"value":"chinaPR","dial":"+86","region":"CN"}, ...]
//	labels.json        the host's labels: {"ja": {"send": "...", ...}}
//
// each with its Content-Type, X-Content-Type-Options: nosniff, and an ETag
// from the content's hash (Cache-Control: no-cache, so that browsers
// revalidate and get 304 until the module changes). Anything else is 404;
// methods other than GET and HEAD are 405.
package widget
