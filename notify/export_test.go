package notify

import (
	"context"
	"net"
	"net/http"
)

// SetSMTPDial makes s dial with dial: tests count the bytes read.
func SetSMTPDial(s *SMTP, dial func(ctx context.Context, network, addr string) (net.Conn, error)) {
	s.dial = dial
}

// SMTPReadBound is what one conversation reads at most.
const SMTPReadBound = maxSMTPRead

// WebhookTransport is the transport of a Webhook made without a Client.
func WebhookTransport(w *Webhook) *http.Transport { return w.client.Transport.(*http.Transport) }
