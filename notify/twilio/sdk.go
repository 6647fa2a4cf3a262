package twilio

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync/atomic"

	sdkclient "github.com/twilio/twilio-go/client"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"
	"github.com/vcodekit/vcode/delivery"
)

// How this package drives twilio-go (v1.31.0), and why.
//
// The SDK sends through a client.BaseClient, which its documentation
// invites callers to supply ("Custom HTTP Clients for the Twilio Go Helper
// Library", advanced-examples/custom-http-client.md: a type embedding
// client.Client that overrides SendRequest, and a client.Client with an
// HTTPClient of the caller's). This package does both, for one attempt at
// a time:
//
//   - apiClient embeds the SDK's client.Client, which builds the request
//     (form encoding, Basic authentication, User-Agent) and decodes
//     Twilio's answer into a *client.TwilioRestError; its SendRequest only
//     moves the URL onto WithAPIURL's URL (the services' base URL,
//     https://api.twilio.com, is not settable).
//   - The client.Client's HTTPClient has an attemptTransport, which gives
//     the request this attempt's context: client.Client makes its requests
//     with context.Background(), so the SDK alone could neither be
//     cancelled nor tell whether a request was written. The transport
//     records that (httptrace's WroteRequest, as notify's webhook does),
//     and the answer's HTTP status, which the SDK does not return with
//     errors it cannot decode. Ending the context when the attempt ends
//     also frees the connection of an error answer, whose body the SDK
//     reads but never closes.
//   - Under attemptTransport, delivery.LimitAnswers bounds the answer's body
//     to maxAnswer bytes, and the transport's MaxResponseHeaderBytes its
//     headers: the SDK decodes the body with encoding/json, which would
//     otherwise hold all of an endless answer.
//   - The client.RequestHandler is built directly, not with
//     client.NewRequestHandler, which reads TWILIO_EDGE and TWILIO_REGION
//     from the process's environment; twilio.NewRestClientWithParams is
//     not used either, as it would read TWILIO_ACCOUNT_SID and
//     TWILIO_AUTH_TOKEN. The configuration comes from New's arguments alone.
//
// The SDK has no retry loop. client.Client.doWithErr sends a request a
// second time in one case: an error answer to a request carrying
// X-Twilio-ApiVersion: v1.0 that does not decode as that version's error
// format. The 2010-04-01 Messages API sends no such header; and in any
// case attemptTransport carries a single request, refusing any other, so
// that a message is never sent twice by the SDK. Redirects are not
// followed (the SDK's default client does not follow them either).

// apiClient is the SDK's client.Client with the base URL replaced.
type apiClient struct {
	sdkclient.Client
	base *url.URL
}

// SendRequest implements client.BaseClient: the SDK's own, sent to base.
func (c *apiClient) SendRequest(method, rawURL string, data url.Values, headers map[string]any, body ...byte) (*http.Response, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	u.Scheme, u.Host, u.User = c.base.Scheme, c.base.Host, nil
	u.Path = c.base.Path + u.Path
	u.RawPath = ""
	return c.Client.SendRequest(method, u.String(), data, headers, body...)
}

// errSecondRequest: the SDK asked to send a second request in one attempt.
var errSecondRequest = errors.New("twilio-go asked to send the request again; refused, as the first may have been taken")

// attemptTransport carries one attempt's single request on ctx and
// records what became of it.
type attemptTransport struct {
	base http.RoundTripper
	ctx  context.Context

	used   atomic.Bool
	wrote  atomic.Bool  // the request was written in full
	status atomic.Int32 // the answer's HTTP status; 0 before one came
}

// RoundTrip implements http.RoundTripper.
func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !t.used.CompareAndSwap(false, true) {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, errSecondRequest
	}
	ctx := httptrace.WithClientTrace(t.ctx, &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				t.wrote.Store(true)
			}
		},
	})
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if resp != nil {
		t.status.Store(int32(resp.StatusCode))
	}
	return resp, err
}

// service returns the SDK's Api (2010-04-01) service for one attempt on
// ctx, with the transport that watches it.
func (n *Notifier) service(ctx context.Context) (*openapi.ApiService, *attemptTransport) {
	rt := &attemptTransport{base: delivery.LimitAnswers(n.transport, maxAnswer), ctx: ctx}
	c := &apiClient{
		Client: sdkclient.Client{
			Credentials: sdkclient.NewCredentials(n.cred().username, n.cred().password),
			HTTPClient: &http.Client{
				Transport: rt,
				CheckRedirect: func(*http.Request, []*http.Request) error {
					return http.ErrUseLastResponse
				},
			},
		},
		base: n.base,
	}
	c.SetAccountSid(n.account.SID)
	return openapi.NewApiService(&sdkclient.RequestHandler{Client: c}), rt
}
