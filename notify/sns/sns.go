// Package sns delivers SMS codes through Amazon SNS: one Publish request
// straight to a phone number, with the official AWS SDK for Go v2.
//
// Each code is one Publish call (awsQuery protocol, API version 2010-03-31)
// with PhoneNumber = the E.164 number, Message = the branded, localised text
// vcode wrote, and the message attributes AWS.SNS.SMS.SMSType =
// Transactional (codes are time-critical), AWS.SNS.SMS.SenderID when a
// sender ID is configured and AWS.MM.SMS.OriginationNumber when an
// origination number is. See
// https://docs.aws.amazon.com/sns/latest/api/API_Publish.html and
// https://docs.aws.amazon.com/sns/latest/dg/sms_publish-to-phone.html.
//
// # Credentials and region
//
// They come from AWS's own configuration: New loads it with
// config.LoadDefaultConfig, so the environment, the shared files
// (~/.aws/config, ~/.aws/credentials), SSO, web identity, ECS and EC2
// instance roles all work. WithRegion and WithStaticCredentials hand a
// region and static keys to the SDK explicitly, so they win over the
// process environment. With static keys the EC2 instance metadata service
// is switched off: nothing needs it, and a machine outside AWS would
// otherwise wait on it.
//
// # Configuration
//
// New takes options only: unlike Twilio and Huawei Cloud, whose New takes
// the values nothing can be sent without as a first argument, SNS needs
// none of its own, as AWS's configuration can supply the region and the
// credentials. Every setting is an Option (WithRegion,
// WithStaticCredentials, WithProfile, WithSenderID,
// WithOriginationNumber, WithEndpoint, WithTimeout), as in every vcode
// package; New checks all of them at once and reports every problem in
// one error. The package reads no environment variable of its own (the
// SDK reads AWS's): cmd/vcoded maps its VCODE_SNS_* onto these options.
//
//	sms, err := sns.New(sns.WithRegion("us-east-1"), sns.WithSenderID("VCODE"))
//
// # Failures
//
// The SDK's retries are switched off: a Publish retried after its request
// was written could send the SMS twice. A failure is delivery.Undelivered
// only when SNS certainly did not take the message: the request was never
// written (no route, connection refused, TLS failure, no credentials), or
// SNS answered 4xx (InvalidParameter, ParameterValueInvalid,
// AuthorizationError, InvalidClientTokenId, SignatureDoesNotMatch,
// Throttled, KMSThrottling, OptedOut, EndpointDisabled, any client
// fault), or a 3xx other than 303 See Other: redirects are never followed,
// as in package notify. A 5xx (InternalError), a 303 (which may answer a
// processed POST), a timeout or a broken connection after the request was
// written, and a 2xx whose body holds no MessageId may have sent it: those
// are ambiguous. Of an answer at most 64 KiB of headers and 64 KiB of body
// are read (the SDK would buffer an endless one whole): a longer body fails
// as its status says, saying "answer too long"; headers past their bound
// are a broken connection after the request was written.
//
// Errors quote SNS's error code and message with the credentials (also
// URL- or JSON-escaped), the code and the phone number cut out: in E.164,
// national or any other format, and any run of 7 or more digits with
// separators ("136 1234 5678", "+86-136-1234-5678"); SNS's InvalidParameter
// message quotes the number ("Invalid parameter: PhoneNumber Reason:
// +1... is not valid to publish to"). Nothing is logged: the SDK's logger
// is a no-op. A Notifier printed with fmt, or logged with log/slog,
// shows no credential; its %#v shows them as "redacted".
package sns

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go/logging"

	"github.com/vcodekit/vcode/delivery"
)

// maxAnswer bounds what is read of SNS's answer, its body and its headers
// each: a PublishResponse or an ErrorResponse is a few hundred bytes.
const maxAnswer = 64 << 10

// DefaultTimeout bounds one Publish unless WithTimeout says otherwise.
const DefaultTimeout = 10 * time.Second

// The message attributes Publish sets
// (https://docs.aws.amazon.com/sns/latest/dg/sms_publish-to-phone.html).
const (
	attrSMSType           = "AWS.SNS.SMS.SMSType"
	attrSenderID          = "AWS.SNS.SMS.SenderID"
	attrOriginationNumber = "AWS.MM.SMS.OriginationNumber"
)

// Notifier sends SMS codes through Amazon SNS. It is safe for concurrent
// use.
type Notifier struct {
	client    *awssns.Client
	http      *http.Client
	transport *http.Transport // http's, under its bound on answers
	cfg       settings
	endpoint  string         // host, or host:port, for String
	secrets   *regexp.Regexp // the credentials, for scrub; nil without
}

var _ delivery.ChannelNotifier = (*Notifier)(nil)

// New checks the options, loads the AWS configuration and returns a
// Notifier; every problem with the options is reported at once, in one
// error. With no option, the AWS configuration alone says where and as
// whom to send. New makes no network call (credentials are fetched on the
// first Notify), with one exception of the SDK's: AWS_DEFAULTS_MODE=auto
// without static credentials asks the EC2 metadata service for the
// region, within the timeout.
func New(opts ...Option) (*Notifier, error) {
	var cfg settings
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	loadOpts := []func(*config.LoadOptions) error{}
	if cfg.Region != "" {
		loadOpts = append(loadOpts, config.WithRegion(cfg.Region))
	}
	if cfg.Profile != "" {
		loadOpts = append(loadOpts, config.WithSharedConfigProfile(cfg.Profile))
	}
	if cfg.AccessKeyID != "" {
		loadOpts = append(loadOpts,
			config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, cfg.SessionToken)),
			// Nothing else needs the instance metadata service; off AWS,
			// the SDK would wait on 169.254.169.254 (with
			// AWS_DEFAULTS_MODE=auto, even here in New).
			config.WithEC2IMDSClientEnableState(imds.ClientDisabled))
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.Timeout)
	defer cancel()
	awsCfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return nil, fmt.Errorf("notify: sns: loading the AWS configuration: %w", err)
	}
	if awsCfg.Region == "" {
		return nil, errors.New("notify: sns: no AWS region: give WithRegion, or set the SDK's AWS_REGION or a region in the shared config profile")
	}
	cfg.Region = awsCfg.Region
	// A client of its own that never follows a redirect: a 3xx would
	// otherwise be re-sent, with the code, wherever it points.
	//
	// Its answers are bounded (maxAnswer): the SDK's XML decoder would
	// otherwise hold all of an endless one.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxResponseHeaderBytes = maxAnswer
	hc := &http.Client{
		Transport:     delivery.LimitAnswers(transport, maxAnswer),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	client := awssns.NewFromConfig(awsCfg, func(o *awssns.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		o.HTTPClient = hc
		// One attempt: a retry after the request was written could send
		// the SMS twice.
		o.Retryer = aws.NopRetryer{}
		o.RetryMaxAttempts = 0
		o.Logger = logging.Nop{}
		o.ClientLogMode = 0
	})
	n := &Notifier{client: client, http: hc, transport: transport, cfg: cfg}
	if base := client.Options().BaseEndpoint; base != nil {
		u, err := checkEndpoint(*base)
		if err != nil {
			return nil, fmt.Errorf("notify: sns: endpoint (WithEndpoint, or the SDK's AWS_ENDPOINT_URL_SNS or AWS_ENDPOINT_URL): %w", err)
		}
		n.endpoint = u.Host
	} else if ep, err := awssns.NewDefaultEndpointResolverV2().ResolveEndpoint(ctx, awssns.EndpointParameters{Region: aws.String(cfg.Region)}); err == nil {
		n.endpoint = ep.URI.Host
	} else {
		return nil, fmt.Errorf("notify: sns: no SNS endpoint for region %q: %w", cfg.Region, err)
	}
	n.secrets = credentialPattern(cfg.SecretAccessKey, cfg.SessionToken, cfg.AccessKeyID)
	return n, nil
}

// Supports reports whether ch is delivery.SMS, the one channel SNS
// delivers here.
func (n *Notifier) Supports(ch delivery.Channel) bool { return ch == delivery.SMS }

// String describes the Notifier for a startup log: region, endpoint host,
// sender ID and origination number, and no credential.
func (n *Notifier) String() string {
	s := fmt.Sprintf("Amazon SNS SMS (region %s, endpoint %s", n.cfg.Region, n.endpoint)
	if n.cfg.SenderID != "" {
		s += ", sender ID " + n.cfg.SenderID
	}
	if n.cfg.OriginationNumber != "" {
		s += ", from " + n.cfg.OriginationNumber
	}
	return s + ")"
}

// Close closes the idle connections of the Notifier's HTTP transport, so
// that none of its goroutines outlives it. The Notifier stays usable. It
// always returns nil.
func (n *Notifier) Close() error {
	n.http.CloseIdleConnections()
	return nil
}

// Notify publishes m.Text to m.To, which must be an E.164 number. It
// makes one attempt, bounded by WithTimeout's timeout; see the package
// documentation for what its errors mean.
func (n *Notifier) Notify(ctx context.Context, m delivery.Message) error {
	if m.Channel != delivery.SMS {
		return fmt.Errorf("notify: sns cannot deliver %q: %w", m.Channel, delivery.ErrNotAllowed)
	}
	if !e164Pattern.MatchString(m.To) {
		return delivery.Undelivered(errors.New("notify: sns: recipient is not an E.164 phone number"))
	}
	if strings.TrimSpace(m.Text) == "" {
		return delivery.Undelivered(errors.New("notify: sns: message has no text"))
	}
	ctx, cancel := context.WithTimeout(ctx, n.cfg.Timeout)
	defer cancel()
	var wrote atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				wrote.Store(true)
			}
		},
	})
	out, err := n.client.Publish(ctx, n.input(m))
	if err != nil {
		return n.failure(err, wrote.Load(), m)
	}
	if out.MessageId == nil || *out.MessageId == "" {
		return errors.New("notify: sns: Publish answered without a MessageId; the message may have been sent")
	}
	return nil
}

// input is the Publish request for m.
func (n *Notifier) input(m delivery.Message) *awssns.PublishInput {
	attrs := map[string]snstypes.MessageAttributeValue{
		attrSMSType: {DataType: aws.String("String"), StringValue: aws.String("Transactional")},
	}
	if n.cfg.SenderID != "" {
		attrs[attrSenderID] = snstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(n.cfg.SenderID)}
	}
	if n.cfg.OriginationNumber != "" {
		attrs[attrOriginationNumber] = snstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(n.cfg.OriginationNumber)}
	}
	return &awssns.PublishInput{
		PhoneNumber:       aws.String(m.To),
		Message:           aws.String(m.Text),
		MessageAttributes: attrs,
	}
}
