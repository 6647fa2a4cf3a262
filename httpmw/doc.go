// Package httpmw serves vcode's two endpoints over HTTP, wire-compatible
// with Huawei Cloud Meeting's published API:
//
//	POST /v1/usg/dcs/member/verification-code         send a code
//	POST /v1/usg/dcs/member/verification-code/verify  verify a code
//
// Both take a JSON body {"contact": "...", "country": "...",
// "verificationCode": "..."} (the code on verify only) and the headers
// X-Access-Token (mandatory, checked by an Authenticator, unless the host
// finds the subject itself with WithSubject), X-Request-Id (echoed, or
// generated) and Accept-Language (negotiated over the verifier's i18n
// catalog: zh-CN by default, en-US, and whatever languages the host added).
// Success is 200 with an empty body; an error is
//
//	{"error_code": "USG.201060005", "error_msg": "...", "request_id": "..."}
//
// with the status and code of ErrorTable and the message in the negotiated
// language. Rate-limited requests get 429 and Retry-After in whole seconds,
// rounded up (or 400, with WithPublishedStatusesOnly).
//
// # Order of checks
//
// Method (405), then the access token or WithSubject (401/403), then the
// body: content type, size and JSON (400 USG.201060001); an unknown country
// (003, even for an email address), the contact (002), a number that does
// not match its country (003), a contact of a channel WithChannels leaves
// out (008), the code's format (004); on send, the destination (008:
// channels, regions, routes) and then WithBeforeSend's hook; then the
// pumping guard, rate limits and the code itself. A client without a
// valid token learns nothing about bodies or contacts.
//
// # Mounting
//
// A Handler serves the two published paths and answers 404 elsewhere; mount
// it on its own or behind a prefix with http.StripPrefix. SendHandler and
// VerifyHandler serve the endpoints on paths of the host's choosing
// ("POST /auth/otp/send"). Middleware serves the two published paths in
// front of an existing handler and passes everything else on:
//
//	h, err := httpmw.New(v, auth)
//	...
//	http.ListenAndServe(addr, h.Middleware(appMux))
//
// # Flows
//
// A Handler serves one purpose (WithPurpose): a code sent through it
// verifies only through a Handler of the same purpose. WithVerified tells
// the host, after each successful verify, which subject verified which
// contact, the moment to record it. Hosts with several flows make a
// Handler per flow on one Verifier:
//
//	login, _ := httpmw.New(v, nil, httpmw.WithSubject(session), httpmw.WithPurpose("login"))
//	phone, _ := httpmw.New(v, nil, httpmw.WithSubject(session), httpmw.WithPurpose("change-phone"),
//		httpmw.WithVerified(func(r *http.Request, user string, c contact.Contact) error {
//			return users.SetPhone(r.Context(), user, c.Value)
//		}))
//	mux.Handle("POST /account/phone/code", phone.SendHandler())
//	mux.Handle("POST /account/phone/verify", phone.VerifyHandler())
//
// WithChannels limits a flow to its kind of contact (a change of email
// address refuses a phone number with 403 USG.201060008 and "This
// endpoint accepts email addresses only."). WithBeforeSend lets the host
// refuse a parsed contact before any limit or code; it and WithVerified
// answer with the host's own status, code and localised message by
// returning a *HostError. WithRoute names a flow in RequestEvent, for
// metrics per flow.
//
// # Client IP
//
// The per-IP quotas count RemoteAddr. X-Forwarded-For is believed only from
// the proxies given to WithTrustedProxies, read from the nearest hop back.
// IPv6 clients are counted per /64, IPv4-mapped ones as IPv4, as the
// verifier normalises Request.ClientIP for callers of the Go API (one
// shared function, so the two agree). A peer without an IP address (a
// listener on a Unix socket) is counted as the unspecified address
// 0.0.0.0, so all such peers share one quota: the quotas are never
// silently off. Put a
// TCP reverse proxy in front, named with WithTrustedProxies, to count
// clients one by one.
//
// # Panics and logging
//
// A panic in a request is recovered and answered with 500 USG.201060500;
// the server keeps serving. With WithLogger, each request logs one line with
// its id, route, status, error code, latency and masked contact; the access
// token and the code are never logged.
package httpmw
