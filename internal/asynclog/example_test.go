package asynclog_test

import (
	"io"
	"log/slog"
	"os"

	"github.com/vcodekit/vcode/internal/asynclog"
)

// Request lines are queued and written off the caller's goroutine; Close
// writes whatever is still queued.
func Example() {
	h := asynclog.New(os.Stdout, func(w io.Writer) slog.Handler {
		return slog.NewTextHandler(w, &slog.HandlerOptions{
			ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
				if a.Key == slog.TimeKey {
					return slog.Attr{} // stable output for the example
				}
				return a
			},
		})
	}, nil)
	log := slog.New(h)
	log.Info("vcode request", "route", "verify", "status", 429)
	h.Close()
	// Output: level=INFO msg="vcode request" route=verify status=429
}
