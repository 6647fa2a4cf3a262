// Package v1 holds the credential the interop test gives the Huawei SDK.
//
// The SDK's meeting client accepts only a credential whose type is named
// "v1.MeetingCredentials" (it checks the reflected type name), and the SDK's
// own type of that name first logs in against a Huawei endpoint. This
// package's MeetingCredentials has the accepted name and just sets the
// X-Access-Token header, as a client holding a token from elsewhere would.
package v1

import (
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/impl"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/request"
)

// MeetingCredentials presents a fixed access token.
type MeetingCredentials struct {
	Token string
}

var _ auth.ICredential = (*MeetingCredentials)(nil)

// ProcessAuthParams implements auth.ICredential; there is nothing to fetch.
func (c *MeetingCredentials) ProcessAuthParams(*impl.DefaultHttpClient, string) (auth.ICredential, error) {
	return c, nil
}

// ProcessAuthRequest implements auth.ICredential: it sets X-Access-Token.
func (c *MeetingCredentials) ProcessAuthRequest(_ *impl.DefaultHttpClient, req *request.DefaultHttpRequest) (*request.DefaultHttpRequest, error) {
	req.AddHeaderParam("X-Access-Token", c.Token)
	return req, nil
}
