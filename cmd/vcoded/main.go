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
//	-addr    VCODE_ADDR    listen address (127.0.0.1:8080)
//	-tokens  VCODE_TOKENS  comma-separated access tokens; with none, a
//	                       random one is generated and printed at start
//
// Logs (one line per request, tokens and codes never included) go to
// standard error. SIGINT or SIGTERM shuts the server down gracefully.
//
// Server timeouts protect against slow clients: 5 s to send the headers,
// 10 s for the whole request, 15 s to write the response, 60 s idle.
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
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/verifier"
)

// Server timeouts; see the package comment.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 15 * time.Second
	idleTimeout       = 60 * time.Second
	shutdownTimeout   = 10 * time.Second
	maxHeaderBytes    = 64 << 10
)

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
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, ready func(net.Addr)) error {
	fs := flag.NewFlagSet("vcoded", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", envOr(getenv, "VCODE_ADDR", "127.0.0.1:8080"), "listen `address` (env VCODE_ADDR)")
	tokenList := fs.String("tokens", getenv("VCODE_TOKENS"), "comma-separated access `tokens` (env VCODE_TOKENS); a random one is generated when empty")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}

	tokens := splitList(*tokenList)
	if len(tokens) == 0 {
		var b [16]byte
		rand.Read(b[:])
		tokens = []string{hex.EncodeToString(b[:])}
		fmt.Fprintf(stderr, "vcoded: no -tokens given; generated access token: %s\n", tokens[0])
	}
	subjects := make(map[string]string, len(tokens))
	for i, t := range tokens {
		subjects[t] = fmt.Sprintf("token-%d", i+1)
	}
	auth, err := httpmw.NewStaticTokens(subjects)
	if err != nil {
		return err
	}

	logger := slog.New(slog.NewTextHandler(stderr, nil))
	v, err := verifier.New(notify.NewWriter(stdout))
	if err != nil {
		return err
	}
	h, err := httpmw.New(v, auth, httpmw.WithLogger(logger))
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := newHTTPServer(h, logger)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	logger.Info("vcoded listening", "addr", ln.Addr().String(), "store", "memory", "delivery", "stdout")
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
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
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
