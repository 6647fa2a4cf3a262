// Command vcoded serves vcode's two endpoints on their own.
//
// With no flags it listens on 127.0.0.1:8080, keeps codes and limits in
// memory, and prints each code as one JSON line on standard output, for
// development:
//
//	go run ./cmd/vcoded
//
// Flags, each with an environment variable that sets its default:
//
//	-addr    VCODE_ADDR       listen address (127.0.0.1:8080)
//	-tokens  VCODE_TOKENS     comma-separated access tokens; with none, a
//	                          random one is generated and printed at start
//	-tokens-file  VCODE_TOKENS_FILE  a file of access tokens instead
//	-redis   VCODE_REDIS_URL  keep codes and limits in Redis, shared by
//	                          every instance: a single node
//	                 redis://[user:password@]host:port[/db][?option=value],
//	                 a Redis Cluster
//	                 redis+cluster://[user:password@]host:port[,host:port...],
//	                 or a master behind Redis Sentinel
//	                 redis+sentinel://[user:password@]host:port[,host:port...]/master[/db]
//	                 (rediss, rediss+cluster, rediss+sentinel for TLS); see
//	                 "Redis URLs" below
//	-redis-prefix  VCODE_REDIS_PREFIX  key prefix in Redis (default
//	                          "vcode:"), for a Redis shared with other users
//	-smtp-url        VCODE_SMTP_URL        deliver email codes by SMTP:
//	                 smtp://user:pass@host:587?from=noreply@example.com
//	                 (STARTTLS), smtps://... (implicit TLS); a user name or
//	                 password with special characters is percent-encoded
//	-webhook-url     VCODE_WEBHOOK_URL     deliver every other channel (SMS)
//	                 as signed JSON POSTs to this URL
//	-webhook-secret  VCODE_WEBHOOK_SECRET  the webhook's signing secret
//	-webhook-secret-file  VCODE_WEBHOOK_SECRET_FILE  a file holding it instead
//	-sms             VCODE_SMS             deliver SMS through a provider:
//	                 huaweicloud, twilio or sns, each configured by its own
//	                 environment variables (env.go reads them; -help lists
//	                 them, docs/vcoded.md, "SMS providers", explains them), or
//	                 webhook (the default when -webhook-url is set)
//	-trusted-proxies VCODE_TRUSTED_PROXIES comma-separated CIDRs of reverse
//	                 proxies whose X-Forwarded-For is believed; without it
//	                 every client behind a proxy shares the proxy's per-IP
//	                 quotas, and one of them can spend them for all
//	-metrics-addr    VCODE_METRICS_ADDR    serve Prometheus /metrics on this
//	                 separate address (off by default); vcode_backend_ready
//	                 there is /readyz's answer as a gauge
//	-brand           VCODE_BRAND           brand or app name leading every
//	                 message: "【Acme】您的验证码为…", "[Acme] Your …"
//	-guard           VCODE_GUARD           SMS pumping guard: off, basic,
//	                 standard (default) or max; a blocked prefix is logged once
//	-guard-allow     VCODE_GUARD_ALLOW     comma-separated E.164 prefixes the
//	                 guard always lets through ("+86138,+1650")
//	-guard-block     VCODE_GUARD_BLOCK     comma-separated E.164 prefixes
//	                 always refused, even with -guard off ("+1900")
//	-guard-safe-list VCODE_GUARD_SAFE_LIST a number whose last code was
//	                 verified passes a spent allowance once (off: on an
//	                 attacked prefix it tells who verified lately)
//	-default-country VCODE_DEFAULT_COUNTRY Huawei country value in which a
//	                 national number without "country" is read (chinaPR)
//	-log-level       VCODE_LOG_LEVEL       which requests get a log line
//	                 (info): debug or info, every request; warn or error,
//	                 only those failing with a 5xx; off, none (see Logs)
//	-log-format      VCODE_LOG_FORMAT      text (default: key=value lines)
//	                 or json (one JSON object a line, slog's JSON handler)
//	-ui              VCODE_UI              serve a demo page with the
//	                 <vcode-verify> widget (package widget) at /ui/: the
//	                 page hands each browser a demo session cookie, and its
//	                 endpoints (/ui/api/send, /ui/api/verify) take that
//	                 cookie instead of an access token, so for development
//	                 only: go run ./cmd/vcoded -ui, then open
//	                 http://127.0.0.1:8080/ui/ (codes print on stdout)
//	-version                               print vcoded's version and exit
//
// The policy, each flag with its environment variable, defaults as in
// verifier.DefaultLimits; a rule is COUNT/DURATION ("10/1h") or "off":
//
//	-limit-send            VCODE_LIMIT_SEND            10/1h  codes per contact, whoever asks
//	-limit-cooldown        VCODE_LIMIT_COOLDOWN        1m     least time between two codes to a contact
//	-limit-verify          VCODE_LIMIT_VERIFY          5/1m   attempts per subject and contact
//	-limit-guesses         VCODE_LIMIT_GUESSES         5      wrong guesses that kill a code
//	-limit-subject-send    VCODE_LIMIT_SUBJECT_SEND    20/1h  codes per token's subject
//	-limit-subject-verify  VCODE_LIMIT_SUBJECT_VERIFY  100/1h attempts per subject
//	-limit-ip-send         VCODE_LIMIT_IP_SEND         60/1h  codes per client IP
//	-limit-ip-verify       VCODE_LIMIT_IP_VERIFY       300/1h attempts per client IP
//	-limit-deliveries      VCODE_LIMIT_DELIVERIES      2/1m   provider calls per contact, refused ones too
//	-limit-subject-deliveries VCODE_LIMIT_SUBJECT_DELIVERIES 40/1h provider calls per subject
//	-limit-ip-deliveries   VCODE_LIMIT_IP_DELIVERIES   120/1h provider calls per client IP
//	-limit-region-daily    VCODE_LIMIT_REGION_DAILY    0      SMS per region in 24 hours (0: off)
//	-validity              VCODE_VALIDITY              1m     how long a code is valid (at most 10m)
//
// A deliveries flag not given follows its send flag: twice it when that is
// more than the default, and off with it.
//
// A server-to-server caller with one token for all its users, calling from
// one IP, raises both quotas: -limit-subject-send 5000/1h
// -limit-subject-verify 20000/1h -limit-ip-send 5000/1h
// -limit-ip-verify 20000/1h (or "off"); each contact keeps its cooldown and
// hourly cap, of which one subject takes half at most.
//
// Secrets come from the environment or from files; a secret given as a flag
// works but is warned about at start, since the command line is visible to
// every user of the machine (ps). The warning names the flag, never its
// value; it is given for -tokens, -webhook-secret, and a -redis, -smtp-url
// or -webhook-url whose URL holds a password. The tokens, the webhook
// secret and the HMAC secrets (below) each have a file form; the value form
// and the file form of one setting are exclusive (giving both, by flag or
// environment, is an error), and a file that cannot be read, or holds
// nothing, stops the start with an error naming the file, never its
// contents. A -webhook-secret-file holds the secret, trailing spaces and
// newlines trimmed. A -tokens-file or VCODE_SECRET_FILE holds a list: one
// item per line or comma-separated, blank lines and lines starting with #
// ignored. Errors and the usage (-h) never show a secret or a URL's user
// name or password, even one from the environment.
//
// Redis URLs: the options after ? are go-redis's (dial_timeout=3s,
// pool_size=20, ...). A cluster URL lists seed nodes, any of which will
// do: the client finds the others and follows the slots; it names no
// database, a cluster having only 0. A sentinel URL lists the sentinels
// and names the master as its path ("/mymaster", "/mymaster/2" for
// database 2); the user and password are the master's, and sentinels
// that require their own credentials take them as the options
// sentinel_username and sentinel_password. Errors about a URL never quote
// it.
//
// Besides the two API routes, the main listener answers GET /healthz (200
// while the process serves) and GET /readyz (200 when the store and limiter
// answer, 503 otherwise: with Redis, it pings Redis).
//
// Delivery: SMS goes to the -sms provider when one is named; email goes to
// SMTP when it is configured; every channel without another route goes to
// the webhook when it is configured. With none of them, codes are printed
// on standard output. A channel left without a route is refused (403
// USG.201060008), never printed: with -sms and neither -smtp-url nor
// -webhook-url, email contacts are refused.
//
// The HMAC secrets come from the environment only (a flag would show in
// the process list): VCODE_SECRET, comma-separated, or VCODE_SECRET_FILE,
// the path of a file listing them; the first issues and all verify, each
// at least 16 bytes. With -redis, vcoded refuses to start without them: a
// per-process secret would make each instance reject the others' codes.
//
// Logs go to standard error: by default one line per request ("vcode
// request", tokens and codes never included), beside vcoded's own lines
// (start, shutdown, warnings), in slog's text format, or, with
// -log-format json, one JSON object a line (the token generated for want
// of -tokens included, as a line of its own). -log-level sets the least level of the
// request lines: a request is logged at INFO, or at ERROR when it fails
// with a 5xx, so warn and error keep only the failures and off drops the
// request lines entirely; vcoded's own lines and warnings are written
// whatever the level. The request lines are written asynchronously: a
// request only queues its line, and a goroutine writes the queue in
// batches, buffered, at most about 100 ms later. ERROR lines (the 5xx)
// and vcoded's own lines are written at once instead, in order after the
// queued ones, while standard error keeps up: no request waits on it for
// more than a second, and once one has waited that long for nothing, the
// others do not wait until standard error takes a line again (a pipe
// nobody reads no longer holds the requests). If it falls so far behind
// that 4096 lines are waiting, further INFO lines are dropped rather than
// slow the requests down, and ERROR lines past 8192; one line says how
// many once it moves again, "vcode log: N lines dropped", and the metric
// vcode_log_lines_dropped_total counts them. go-redis's own lines go the
// same way. At shutdown, every line queued is written before vcoded exits
// (with standard error stuck for good, the shutdown waits for it); a
// process killed outright (SIGKILL) loses the request lines of its last
// 100 ms.
//
// SIGINT or SIGTERM shuts the server down gracefully.
//
// Server timeouts protect against slow clients: 5 s to send the headers,
// 10 s for the whole request, 20 s to write the response (longer than the
// verifier's 15 s delivery timeout, so that a slow gateway's outcome still
// reaches the client), 60 s idle.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
	"unicode"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/internal/asynclog"
	"github.com/vcodekit/vcode/limiter/redislimiter"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/observe"
	"github.com/vcodekit/vcode/prommetrics"
	"github.com/vcodekit/vcode/store/redisstore"
	"github.com/vcodekit/vcode/verifier"
)

// Server timeouts; see the package comment.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 20 * time.Second
	idleTimeout       = 60 * time.Second
	shutdownTimeout   = 10 * time.Second
	maxHeaderBytes    = 64 << 10
)

// version is vcoded's version when set at build time (go build -ldflags
// "-X main.version=v1.2.3"); otherwise buildVersion reads the module's
// version from the build information, which go install module@version
// records.
var version string

// buildVersion is the version -version prints: the linker's, else the
// module's ("v1.0.0" when installed with go install ...@v1.0.0), else
// "(devel)" for a build from a checkout.
func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, nil); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "vcoded:", err)
		}
		os.Exit(2)
	}
}

// run is the whole program: it serves until ctx is done. ready, when not
// nil, is told the listening address once the server accepts connections.
// It parses the command line and the environment, builds the server, then
// serves; each step is a function of its own.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, ready func(net.Addr)) error {
	cfg, err := parse(args, getenv, stderr)
	if err != nil {
		return err
	}
	if cfg.showVersion {
		fmt.Fprintf(stdout, "vcoded %s %s %s/%s\n", buildVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return nil
	}
	// One asynchronous handler for every line, so that they are written
	// in order through one buffer. vcoded's own lines are synchronous:
	// out at once, after the queued request lines. Closed last (deferred
	// first), after the server's shutdown, so that no line is lost.
	alog := asynclog.New(stderr, func(w io.Writer) slog.Handler {
		return cfg.newHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})
	}, nil)
	defer alog.Close()
	logger := slog.New(minLevel{alog.WithSyncLevel(slog.LevelDebug), slog.LevelInfo})
	// go-redis logs (a failed dial, on a request's path) to the process's
	// standard error, synchronously: through alog, a stuck standard error
	// holds no request for longer than alog's bounded wait.
	redis.SetLogger(redisLog{slog.New(alog)})
	for _, w := range cfg.secretWarnings {
		logger.Warn("secret on the command line is visible to other users in the process list; use "+w.alt, "flag", "-"+w.flag)
	}
	srv, err := build(ctx, cfg, getenv, stdout, stderr, alog, logger)
	defer srv.close()
	if err != nil {
		return err
	}
	return serve(ctx, cfg, srv, logger, ready)
}

// config is what the command line and the environment say, checked.
type config struct {
	addr, tokenList, tokensFile, redisURL, redisPrefix    string
	smtpURL, webhookURL, webhookSecret, webhookSecretFile string
	sms, trustedProxies, metricsAddr, logFormat           string
	showVersion                                           bool
	policy                                                *policyFlags
	// The request lines' least level, and whether they are logged.
	reqLevel slog.Level
	reqLog   bool
	// newHandler is slog's handler of -log-format.
	newHandler func(io.Writer, *slog.HandlerOptions) slog.Handler
	// secretWarnings are the secrets given as flags, to warn about once
	// the logger exists.
	secretWarnings []secretWarning
	// ui is -ui: the demo page at /ui/.
	ui bool
}

// secretWarning is a secret given on the command line, and where it had
// better come from.
type secretWarning struct{ flag, alt string }

// parse reads the flags, each defaulting to its environment variable, and
// checks what needs no more than itself. The usage goes to stderr.
func parse(args []string, getenv func(string) string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("vcoded", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { usage(fs) }
	cfg := &config{}
	fs.StringVar(&cfg.addr, "addr", envOr(getenv, "VCODE_ADDR", "127.0.0.1:8080"), "listen `address` (env VCODE_ADDR)")
	// Flags that may hold a secret take their environment variable only
	// after parsing, so that the usage (-h) never prints it as a default.
	var secretFlags []secretFlag
	secret := func(p *string, name, env, usage string) {
		fs.StringVar(p, name, "", usage)
		secretFlags = append(secretFlags, secretFlag{name, env, p})
	}
	secret(&cfg.tokenList, "tokens", "VCODE_TOKENS", "comma-separated access `tokens` (env VCODE_TOKENS; visible in the process list as a flag: prefer the env or -tokens-file); a random one is generated when empty")
	fs.StringVar(&cfg.tokensFile, "tokens-file", getenv("VCODE_TOKENS_FILE"), "`file` of access tokens, one per line or comma-separated, # comments (env VCODE_TOKENS_FILE)")
	secret(&cfg.redisURL, "redis", "VCODE_REDIS_URL", "Redis `URL` for shared codes and limits (env VCODE_REDIS_URL), in memory when empty: "+redisSingleForm+"; "+redisClusterForm+"; "+redisSentinelForm)
	fs.StringVar(&cfg.redisPrefix, "redis-prefix", envOr(getenv, "VCODE_REDIS_PREFIX", "vcode:"), "key `prefix` in Redis (env VCODE_REDIS_PREFIX)")
	secret(&cfg.smtpURL, "smtp-url", "VCODE_SMTP_URL", "smtp:// or smtps:// `URL` with ?from= for email delivery (env VCODE_SMTP_URL)")
	secret(&cfg.webhookURL, "webhook-url", "VCODE_WEBHOOK_URL", "`URL` receiving signed JSON for every channel without another route (env VCODE_WEBHOOK_URL)")
	secret(&cfg.webhookSecret, "webhook-secret", "VCODE_WEBHOOK_SECRET", "`secret` signing webhook requests (env VCODE_WEBHOOK_SECRET; visible in the process list as a flag: prefer the env or -webhook-secret-file)")
	fs.StringVar(&cfg.sms, "sms", getenv("VCODE_SMS"), "SMS `provider`: webhook, huaweicloud, twilio or sns, configured by its environment variables (below; env VCODE_SMS); the webhook when empty and -webhook-url is set")
	fs.StringVar(&cfg.webhookSecretFile, "webhook-secret-file", getenv("VCODE_WEBHOOK_SECRET_FILE"), "`file` holding the webhook secret (env VCODE_WEBHOOK_SECRET_FILE)")
	fs.StringVar(&cfg.trustedProxies, "trusted-proxies", getenv("VCODE_TRUSTED_PROXIES"), "comma-separated `CIDRs` of reverse proxies whose X-Forwarded-For is believed (env VCODE_TRUSTED_PROXIES); without it every client behind a proxy shares the proxy's per-IP quotas")
	fs.StringVar(&cfg.metricsAddr, "metrics-addr", getenv("VCODE_METRICS_ADDR"), "`address` of a separate listener for Prometheus /metrics (env VCODE_METRICS_ADDR)")
	logLevel := fs.String("log-level", envOr(getenv, "VCODE_LOG_LEVEL", "info"), "least `level` of the per-request log lines: debug, info, warn, error or off (env VCODE_LOG_LEVEL); vcoded's own lines are always written")
	fs.StringVar(&cfg.logFormat, "log-format", envOr(getenv, "VCODE_LOG_FORMAT", "text"), "log line `format`: text (key=value) or json (env VCODE_LOG_FORMAT)")
	fs.BoolVar(&cfg.showVersion, "version", false, "print vcoded's version and exit")
	fs.BoolVar(&cfg.ui, "ui", false, "serve a demo page with the <vcode-verify> widget at /ui/, its endpoints authenticated by a demo session cookie instead of a token: for development (env VCODE_UI=true)")
	cfg.policy = addPolicyFlags(fs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if cfg.showVersion {
		return cfg, nil
	}
	if err := applyPolicyEnv(fs, getenv); err != nil {
		return nil, err
	}
	if err := boolFromEnv(fs, "ui", "VCODE_UI", getenv); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		// Not quoted: a stray argument is often the rest of an unquoted
		// secret ("-webhook-secret two words").
		return nil, fmt.Errorf("%d unexpected arguments after the flags (not shown, as they may be secrets; quote a value with spaces)", fs.NArg())
	}
	var err error
	if cfg.reqLevel, cfg.reqLog, err = parseLogLevel(*logLevel); err != nil {
		return nil, err
	}
	if cfg.newHandler, err = parseLogFormat(cfg.logFormat); err != nil {
		return nil, err
	}
	cfg.secretWarnings = secretsFromEnv(fs, secretFlags, getenv)
	return cfg, nil
}

// secretsFromEnv gives each secret flag not on the command line its
// environment variable, and returns the warnings for the secrets that
// are.
func secretsFromEnv(fs *flag.FlagSet, flags []secretFlag, getenv func(string) string) []secretWarning {
	onCommandLine := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { onCommandLine[f.Name] = true })
	var warnings []secretWarning
	for _, f := range flags {
		if !onCommandLine[f.name] {
			*f.p = getenv(f.env)
			continue
		}
		if warnSecretFlag(f.name, *f.p) {
			alt := f.env
			if f.name == "tokens" || f.name == "webhook-secret" {
				alt += " or -" + f.name + "-file"
			}
			warnings = append(warnings, secretWarning{f.name, alt})
		}
	}
	return warnings
}

// usage prints the flags, then every environment variable vcoded reads
// that has no flag: the HMAC secrets and the SMS providers'.
func usage(fs *flag.FlagSet) {
	w := fs.Output()
	fmt.Fprintln(w, "Usage of vcoded:")
	fs.PrintDefaults()
	fmt.Fprintln(w, "\nEnvironment variables without a flag (each flag above also reads the variable it names):")
	fmt.Fprintln(w, "  VCODE_SECRET       comma-separated HMAC secrets, each at least 16 bytes: the first issues codes, all verify (required with -redis)")
	fmt.Fprintln(w, "  VCODE_SECRET_FILE  a file listing them instead, one per line or comma-separated, # comments")
	for _, p := range smsEnvHelp {
		fmt.Fprintf(w, "  -sms %s: %s\n", p.provider, p.vars)
	}
}

// app is what build makes: the handler and what the listeners need,
// and what to release once served.
type app struct {
	handler http.Handler
	// metrics serves /metrics, when -metrics-addr is set.
	metrics http.Handler
	// backend and delivery describe the server in its start line.
	backend, delivery string
	closers           []func()
}

// close releases what build made, in the reverse order.
func (s *app) close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
}

// build makes the server the configuration says: the verifier with its
// backends and notifiers, the metrics, the HTTP handler. What it made is
// in the app to close even when it fails.
func build(ctx context.Context, cfg *config, getenv func(string) string, stdout, stderr io.Writer, alog *asynclog.Handler, logger *slog.Logger) (*app, error) {
	srv := &app{}
	auth, err := buildAuth(cfg, stderr, logger)
	if err != nil {
		return srv, err
	}
	vopts, err := cfg.policy.options()
	if err != nil {
		return srv, err
	}
	backend, err := buildBackend(ctx, cfg, getenv, logger, srv)
	if err != nil {
		return srv, err
	}
	vopts = append(vopts, backend...)
	if cfg.webhookURL == "" && (cfg.webhookSecret != "" || cfg.webhookSecretFile != "") {
		return srv, errors.New("a webhook secret is given but no -webhook-url (VCODE_WEBHOOK_URL)")
	}
	hookSecret, err := readValue(cfg.webhookSecret, cfg.webhookSecretFile, "-webhook-secret (VCODE_WEBHOOK_SECRET)", "-webhook-secret-file (VCODE_WEBHOOK_SECRET_FILE)")
	if err != nil {
		return srv, err
	}
	notifier, route, closers, err := newNotifier(stdout, getenv, cfg.sms, cfg.smtpURL, cfg.webhookURL, hookSecret)
	if err != nil {
		return srv, err
	}
	srv.delivery = route
	srv.closers = append(srv.closers, func() {
		for _, c := range closers {
			c.Close()
		}
	})
	err = buildHandler(cfg, notifier, vopts, auth, alog, logger, srv)
	return srv, err
}

// buildAuth reads the access tokens, generating one when there are none.
func buildAuth(cfg *config, stderr io.Writer, logger *slog.Logger) (httpmw.Authenticator, error) {
	tokens, err := readList(cfg.tokenList, cfg.tokensFile, "-tokens (VCODE_TOKENS)", "-tokens-file (VCODE_TOKENS_FILE)")
	if err != nil {
		return nil, err
	}
	if len(tokens) == 0 {
		var b [16]byte
		rand.Read(b[:])
		tokens = []string{hex.EncodeToString(b[:])}
		if cfg.logFormat == "json" {
			logger.Warn("no -tokens given; generated access token", "token", tokens[0])
		} else {
			fmt.Fprintf(stderr, "vcoded: no -tokens given; generated access token: %s\n", tokens[0])
		}
	}
	subjects := make(map[string]string, len(tokens))
	for i, t := range tokens {
		subjects[t] = fmt.Sprintf("token-%d", i+1)
	}
	return httpmw.NewStaticTokens(subjects)
}

// buildBackend reads the HMAC secrets and connects to Redis when -redis
// says so; it returns the verifier's options for them, and names the
// backend in srv.
func buildBackend(ctx context.Context, cfg *config, getenv func(string) string, logger *slog.Logger, srv *app) ([]verifier.Option, error) {
	var vopts []verifier.Option
	secrets, err := readList(getenv("VCODE_SECRET"), getenv("VCODE_SECRET_FILE"), "VCODE_SECRET", "VCODE_SECRET_FILE")
	if err != nil {
		return nil, err
	}
	if len(secrets) > 0 {
		keys := make([][]byte, len(secrets))
		for i, s := range secrets {
			keys[i] = []byte(s)
		}
		vopts = append(vopts, verifier.WithSecrets(keys...))
	}
	srv.backend = "memory"
	if cfg.redisURL == "" {
		return vopts, nil
	}
	if len(secrets) == 0 {
		return nil, errors.New("-redis needs VCODE_SECRET or VCODE_SECRET_FILE: instances sharing Redis must share the HMAC secret")
	}
	client, kind, err := newRedisClient(cfg.redisURL)
	if err != nil {
		return nil, err
	}
	srv.closers = append(srv.closers, func() { client.Close() })
	st, errS := redisstore.New(client, cfg.redisPrefix+"code:")
	lim, errL := redislimiter.New(client, cfg.redisPrefix+"limit:")
	if err := errors.Join(errS, errL); err != nil {
		return nil, fmt.Errorf("-redis-prefix: %w", err)
	}
	vopts = append(vopts, verifier.WithStore(st), verifier.WithLimiter(lim))
	srv.backend = kind
	pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := client.Ping(pctx).Err(); err != nil {
		// Not fatal: requests fail closed until Redis answers.
		logger.Warn("redis does not answer yet", "error", err)
	} else if policy := evictionPolicy(pctx, client); policy != "" && policy != "noeviction" {
		logger.Warn("redis may evict vcode's keys under memory pressure, and with them pending codes and rate-limit windows (sends would get through again); set maxmemory-policy noeviction",
			"maxmemory-policy", policy)
	}
	return vopts, nil
}

// buildHandler makes the metrics, the verifier and the HTTP handler, into
// srv.
func buildHandler(cfg *config, notifier delivery.Notifier, vopts []verifier.Option, auth httpmw.Authenticator, alog *asynclog.Handler, logger *slog.Logger, srv *app) error {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "vcode_log_lines_dropped_total",
			Help: "Log lines dropped because standard error did not keep up (each reported in a summary line once it did).",
		}, func() float64 { return float64(alog.Dropped()) }))
	metrics, err := prommetrics.New(reg)
	if err != nil {
		return err
	}
	vopts = append(vopts, verifier.WithObserver(blockLogger{metrics, logger}))
	v, err := verifier.New(notifier, vopts...)
	if err != nil {
		return err
	}
	srv.closers = append(srv.closers, func() { v.Close() })
	if err := prommetrics.RegisterReadiness(reg, v.Ready); err != nil {
		return err
	}
	hopts := []httpmw.Option{httpmw.WithRequestObserver(metrics)}
	if cfg.reqLog {
		hopts = append(hopts, httpmw.WithLogger(slog.New(minLevel{alog, cfg.reqLevel})))
	}
	if proxies := splitList(cfg.trustedProxies); len(proxies) > 0 {
		hopts = append(hopts, httpmw.WithTrustedProxies(proxies...))
		for _, p := range proxies {
			if pfx, err := netip.ParsePrefix(p); err == nil && pfx.Bits() < 8 {
				logger.Warn("a trusted proxy range this wide lets clients set their own IP with X-Forwarded-For, and the per-IP quotas no longer hold", "trusted_proxies", p)
			}
		}
	}
	h, err := httpmw.New(v, auth, hopts...)
	if err != nil {
		return err
	}
	next := probes(v)
	if cfg.ui {
		if err := addUI(next, v, hopts); err != nil {
			return err
		}
		logger.Warn("-ui: the demo page's endpoints at /ui/api/ take a session cookie the page hands to any browser, no access token; for development only")
	}
	srv.handler = h.Middleware(next)
	srv.metrics = promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	return nil
}

// serve listens (and on -metrics-addr serves /metrics) until ctx is done,
// then shuts the server down gracefully.
func serve(ctx context.Context, cfg *config, srv *app, logger *slog.Logger, ready func(net.Addr)) error {
	if cfg.metricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.metricsAddr)
		if err != nil {
			return fmt.Errorf("-metrics-addr: %w", err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", srv.metrics)
		msrv := newHTTPServer(mux, logger)
		go msrv.Serve(mln)
		defer msrv.Close()
		logger.Info("vcoded metrics", "addr", mln.Addr().String())
	}

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	hs := newHTTPServer(srv.handler, logger)
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	logger.Info("vcoded listening", "addr", ln.Addr().String(), "backend", srv.backend, "delivery", srv.delivery, "guard", cfg.policy.guard, "version", buildVersion())
	if cfg.ui {
		logger.Info("vcoded demo page", "url", "http://"+ln.Addr().String()+"/ui/")
	}
	if ready != nil {
		ready(ln.Addr())
	}

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	logger.Info("vcoded shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// parseLogLevel reads -log-level: the least level of the request lines,
// and whether they are logged at all.
func parseLogLevel(s string) (slog.Level, bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "debug":
		return slog.LevelDebug, true, nil
	case "info", "":
		return slog.LevelInfo, true, nil
	case "warn", "warning":
		return slog.LevelWarn, true, nil
	case "error":
		return slog.LevelError, true, nil
	case "off", "none":
		return 0, false, nil
	}
	return 0, false, fmt.Errorf("-log-level (VCODE_LOG_LEVEL): %q is not debug, info, warn, error or off", s)
}

// parseLogFormat reads -log-format: slog's text format (written by
// asynclog's text handler, which formats the request lines by hand, byte
// for byte as slog's handler would) or slog's JSON handler.
func parseLogFormat(s string) (func(io.Writer, *slog.HandlerOptions) slog.Handler, error) {
	switch s {
	case "text":
		return asynclog.NewTextHandler, nil
	case "json":
		return func(w io.Writer, o *slog.HandlerOptions) slog.Handler { return slog.NewJSONHandler(w, o) }, nil
	}
	return nil, fmt.Errorf("-log-format (VCODE_LOG_FORMAT): %q is not text or json", s)
}

// minLevel is a handler enabled from a least level on.
type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h minLevel) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= h.min && h.Handler.Enabled(ctx, level)
}

func (h minLevel) WithAttrs(attrs []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(attrs), h.min}
}

func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h.Handler.WithGroup(name), h.min}
}

// newHTTPServer sets the timeouts that keep slow clients from holding
// connections open.
func newHTTPServer(h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// probes serves the health endpoints beside the API.
func probes(v *verifier.Verifier) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := v.Ready(ctx); err != nil {
			http.Error(w, "not ready: backend unreachable", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ready\n")
	})
	return mux
}

// newNotifier builds the delivery routes; see the package comment. The
// closers release what the notifiers hold (idle connections).
func newNotifier(stdout io.Writer, getenv func(string) string, sms, smtpURL, webhookURL, webhookSecret string) (delivery.Notifier, string, []io.Closer, error) {
	if sms == "webhook" && webhookURL == "" {
		return nil, "", nil, errors.New("-sms webhook needs -webhook-url (VCODE_WEBHOOK_URL)")
	}
	if sms == "webhook" {
		sms = ""
	}
	if sms == "" && smtpURL == "" && webhookURL == "" {
		return notify.NewWriter(stdout), "stdout", nil, nil
	}
	routes := map[delivery.Channel]delivery.Notifier{}
	var described []string
	var closers []io.Closer
	if sms != "" {
		provider, err := newSMSProvider(sms, getenv)
		if err != nil {
			return nil, "", nil, err
		}
		routes[delivery.SMS] = provider
		described = append(described, "sms="+fmt.Sprint(provider))
		if c, ok := provider.(io.Closer); ok {
			closers = append(closers, c)
		}
	}
	if webhookURL != "" {
		// NewWebhook quotes a URL it cannot use; this one may hold a
		// password, so the unusable cases are caught here first.
		if u, err := url.Parse(webhookURL); err != nil || u.Host == "" || u.Opaque != "" {
			return nil, "", nil, errors.New("-webhook-url: not an absolute URL (https://host/path; percent-encode special characters in a user name or password)")
		}
		hook, err := notify.NewWebhook(notify.WebhookConfig{URL: webhookURL, Secret: []byte(webhookSecret)})
		if err != nil {
			return nil, "", nil, fmt.Errorf("-webhook-url: %w", err)
		}
		closers = append(closers, hook)
		routes[delivery.Email] = hook
		if sms == "" {
			routes[delivery.SMS] = hook
			described = append(described, "sms=webhook")
		}
	}
	if smtpURL != "" {
		cfg, err := notify.ParseSMTPURL(smtpURL)
		if err != nil {
			return nil, "", nil, fmt.Errorf("-smtp-url: %w", err)
		}
		mailer, err := notify.NewSMTP(cfg)
		if err != nil {
			return nil, "", nil, fmt.Errorf("-smtp-url: %w", err)
		}
		routes[delivery.Email] = mailer
		described = append(described, "email=smtp")
	} else if webhookURL != "" {
		described = append(described, "email=webhook")
	} else {
		described = append(described, "email=none (refused)")
	}
	return notify.NewRouter(routes), strings.Join(described, ","), closers, nil
}

// blockLogger passes events to the metrics and logs, once per block, the
// prefix the pumping guard blocked, and every best-effort write that
// failed.
type blockLogger struct {
	observe.Observer
	log *slog.Logger
}

func (b blockLogger) Observe(ctx context.Context, e observe.Event) {
	b.Observer.Observe(ctx, e)
	for _, l := range e.Lapses {
		b.log.Warn("a best-effort write failed; the answer stood", "op", e.Op, "lapse", string(l))
	}
	if e.BlockedPrefix != "" {
		b.log.Warn("sms pumping guard blocked a destination prefix", "prefix", e.BlockedPrefix)
	}
	if e.BlockedRegion != "" {
		b.log.Warn("sms pumping guard blocked a destination region", "region", e.BlockedRegion)
	}
}

// redisLog passes go-redis's lines to vcoded's log, at WARN.
type redisLog struct{ log *slog.Logger }

func (l redisLog) Printf(ctx context.Context, format string, v ...any) {
	l.log.WarnContext(ctx, "redis client", "message", fmt.Sprintf(format, v...))
}

// secretFlag is a flag that may hold a secret; see run.
type secretFlag struct {
	name, env string
	p         *string
}

// warnSecretFlag reports whether a flag's value, given on the command line,
// is a secret: the value of a secret flag, or a URL holding a password.
func warnSecretFlag(name, value string) bool {
	switch {
	case value == "":
		return false
	case name == "tokens" || name == "webhook-secret":
		return true
	case name == "redis" && strings.Contains(value, "sentinel_password="):
		return true
	case name == "webhook-url":
		// Gateways often take their API key in the query.
		if u, err := url.Parse(value); err == nil && u.RawQuery != "" {
			return true
		}
	}
	return urlHasPassword(value)
}

// urlHasPassword reports whether raw holds a password, or may: a URL that
// does not parse cleanly and has an '@' is taken to hold one.
func urlHasPassword(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || strings.Contains(u.Path, "@") {
		return strings.Contains(raw, "@")
	}
	if u.User == nil {
		return false
	}
	_, ok := u.User.Password()
	return ok
}

// readValue returns value, or else the contents of the file named file,
// trailing spaces and newlines trimmed. Giving both is an error. Errors
// name the file, never what it holds.
func readValue(value, file, valueName, fileName string) (string, error) {
	if file == "" {
		return value, nil
	}
	if value != "" {
		return "", fmt.Errorf("%s and %s are both given; give one", valueName, fileName)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		// An *fs.PathError: the operation, the path and the reason.
		return "", fmt.Errorf("%s: %w", fileName, err)
	}
	s := strings.TrimRightFunc(string(b), unicode.IsSpace)
	if s == "" {
		return "", fmt.Errorf("%s: %s is empty", fileName, file)
	}
	return s, nil
}

// readList is readValue for a list: the value is comma-separated; the file
// has one item per line or comma-separated, and blank lines and lines
// starting with # are ignored.
func readList(value, file, valueName, fileName string) ([]string, error) {
	if file == "" {
		return splitList(value), nil
	}
	s, err := readValue(value, file, valueName, fileName)
	if err != nil {
		return nil, err
	}
	var out []string
	for line := range strings.Lines(s) {
		if line = strings.TrimSpace(line); !strings.HasPrefix(line, "#") {
			out = append(out, splitList(line)...)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: %s lists nothing (only blank lines and # comments)", fileName, file)
	}
	return out, nil
}

// boolFromEnv gives a boolean flag not on the command line the value of
// its environment variable ("true", "1", "false"...), when set.
func boolFromEnv(fs *flag.FlagSet, name, env string, getenv func(string) string) error {
	v := getenv(env)
	if v == "" {
		return nil
	}
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	if given {
		return nil
	}
	if err := fs.Set(name, v); err != nil {
		return fmt.Errorf("%s: %q is not a boolean (true or false)", env, v)
	}
	return nil
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
