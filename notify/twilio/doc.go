// Package twilio delivers verification codes by SMS through Twilio
// Programmable Messaging, with Twilio's Go SDK (github.com/twilio/twilio-go,
// imported as sdkclient and openapi here, since this package is twilio
// too).
//
// Each code is one Message resource, created with the SDK's
// Api.CreateMessage: POST /2010-04-01/Accounts/{AccountSid}/Messages.json
// with To, Body (the message's branded, localised Text) and From or
// MessagingServiceSid, authenticated with HTTP Basic as the Account SID
// and auth token, or an API key and its secret
// (https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource,
// https://www.twilio.com/docs/usage/requests-to-twilio).
//
// # Configuration
//
// New takes the Account, the values without which nothing can be sent
// (the account, its credential, the sender), as one struct: they come
// together from Twilio's console, and a struct names each at the call
// site, where positional strings would be easy to swap. Everything that
// has a default is an Option (WithAPIURL, WithTimeout), as in every vcode
// package; New checks all of it at once and reports every problem in one
// error. The package reads no environment variable: cmd/vcoded maps its
// own (TWILIO_ACCOUNT_SID, ...) onto these values.
//
//	sms, err := twilio.New(twilio.Account{
//		SID: sid, AuthToken: token, From: "+15017122661",
//	}, twilio.WithTimeout(5*time.Second))
//
// # Failures
//
// As everywhere in notify, a failure is delivery.Undelivered (the code is
// withdrawn and the limits given back) only when the message certainly did
// not leave:
//
//	no request written (DNS, dial, TLS, cancelled before)   Undelivered, tried once more
//	4xx with Twilio's error: 21211 invalid To, 21614 not    Undelivered (*APIError)
//	  a mobile number, 21408 region not enabled, 21610
//	  unsubscribed, 21606/21701 bad sender, 20003 auth
//	429, error 20429 (Too Many Requests: not processed)     Undelivered (*APIError)
//	any other 4xx, with or without a body                   Undelivered (*APIError)
//	3xx other than 303 (redirects are never followed)       Undelivered (*APIError)
//	201 with status "failed" and its error_code              Undelivered (*APIError)
//	201 with a message SID                                   nil: Twilio has queued it
//	201 that cannot be read, or without a SID; 303          ambiguous
//	5xx (20500: Twilio may have created the message)        ambiguous (*APIError)
//	timeout or broken connection after the request left     ambiguous
//	an answer past 64 KiB (headers, or body: see below)     as its status says
//
// Of an answer, at most 64 KiB of headers and 64 KiB of body are read: a
// longer body fails with an error wrapping delivery.ErrAnswerTooLong (a 2xx)
// or an *APIError saying so (a 4xx, Undelivered; a 5xx, ambiguous), and
// headers past their bound are a broken connection after the request
// left. twilio-go decodes answers with encoding/json, which would hold an
// endless one whole.
//
// Twilio's 30xxx codes (carrier filtering, unreachable handset) come after
// the message was accepted, in status callbacks; Notify, which returns once
// Twilio has queued the message, never sees them. Nothing is repeated once
// a request was written: sending an SMS is not idempotent (Twilio's page
// for error 20500 warns that a retried POST may send twice).
//
// Errors start with "notify: twilio:" and quote Twilio's HTTP status, error
// code, message and documentation link. Any text of the answer an error
// quotes is scrubbed first, as Twilio or a proxy in front of it may echo
// anything: the auth token or API secret, and the Authorization header's
// value (base64 of "user:password", in its usual encodings), become
// "[redacted]"; the recipient's number in E.164 is masked (Twilio quotes
// it: "The 'To' number +86136... is not a valid phone number."); its
// national number and any other run of 7 or more digits, separators
// between them or not ("136 1234 5678", "+86-136-1234-5678"), become
// "[redacted]", while shorter runs such as error codes (21211), SIDs, IPv4
// addresses and dates stay; the code is removed. The URLs errors quote
// carry only the Account SID, an identifier. Printing an Account (fmt, or
// log/slog through its LogValue) or a *Notifier shows no secret. The
// package never logs.
//
// # The SDK
//
// twilio-go is driven through the custom-client mechanism its
// documentation describes, so that every request is the SDK's own,
// pointed at WithAPIURL's URL and watched by a transport of this package's;
// see sdk.go for why each piece is there. The SDK's own configuration from
// the environment (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_EDGE,
// TWILIO_REGION, read by twilio.NewRestClient and
// client.NewRequestHandler) is bypassed: a Notifier is configured by New's
// arguments alone. For an edge location, give its host to WithAPIURL, such
// as https://api.dublin.ie1.twilio.com.
//
// Package twiliotest is a fake of the Messages API for tests; this
// package's tests run against it, not against Twilio.
package twilio
