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
// Method (405), then the origin of a browser's request (403
// USG.000000005, ErrCrossOrigin), then the access token or WithSubject
// (401/403), then the body: content type, size and JSON (400 USG.201060001); an unknown country
// (003, even for an email address), the contact (002), a number that does
// not match its country (003), a contact of a channel WithChannels leaves
// out (008), the code's format (004); on send, the destination (008:
// channels, regions, routes) and then WithBeforeSend's hook; then the
// pumping guard, rate limits and the code itself. A client without a
// valid token learns nothing about bodies or contacts.
//
// # Cross-origin requests
//
// A browser attaches a site's cookies (and a client certificate) to every
// request to the site, whichever page made it, so a host whose WithSubject
// reads a session cookie would serve a hostile page's forged request in
// its user's name. Every Handler refuses a browser's request from another
// origin with net/http's CrossOriginProtection: Sec-Fetch-Site cross-site
// or same-site (a page on another subdomain), or, from a browser that
// sends no Sec-Fetch-Site, an Origin whose host is not the request's Host.
// The refusal comes before the credentials and the body: a forged request
// learns nothing and costs nothing (no subject looked up, no quota, no
// code). Programs that are no browser send neither header and pass, as do
// the site's own pages. A page of the host's on another origin (a widget
// on https://www.example.com calling https://api.example.com) is named
// with WithTrustedOrigins, or the host passes its own check with
// WithCrossOriginProtection. The check is on with an Authenticator too,
// where a custom header already forces a CORS preflight: one rule for
// every Handler. Behind a proxy that rewrites Host, a browser without
// Sec-Fetch-Site (most browsers before 2023) is refused even on the
// site's own pages: have the proxy pass the Host on, or trust the site's
// origin.
//
// The JSON content type is a second, independent wall: the bodies a page
// on another site can send without a CORS preflight (text/plain,
// application/x-www-form-urlencoded, multipart/form-data, or none) all
// get 400 USG.201060001 before any state changes.
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
