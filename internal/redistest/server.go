package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Server is a Redis that a test owns and may kill and restart: a
// redis-server process of its own when tests run against real Redis
// (VCODE_TEST_REDIS set; the binary must then be installed), else a
// miniredis. Data survives a restart: the process writes an append-only
// file, synced on every write, as a production Redis with persistence does.
type Server struct {
	t    testing.TB
	addr string
	dir  string
	cmd  *exec.Cmd
	mini *miniredis.Miniredis
}

// StartServer starts a Server for t, stopped when the test ends.
func StartServer(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t}
	if !Real() {
		s.mini = miniredis.RunT(t)
		s.addr = s.mini.Addr()
		return s
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatalf("%s is set, so this test kills and restarts a real redis-server, but none is installed: %v", EnvRedis, err)
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	s.addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	s.dir = t.TempDir()
	t.Cleanup(s.Kill)
	s.start()
	return s
}

// Addr returns the server's host:port, the same across restarts.
func (s *Server) Addr() string { return s.addr }

// Kill stops the server at once: SIGKILL for a process, so it gets no
// chance to close connections politely or save anything more.
func (s *Server) Kill() {
	if s.mini != nil {
		s.mini.Close()
		return
	}
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill() // SIGKILL ends a frozen process too
	s.cmd.Wait()
	s.cmd = nil
}

// Freeze stops the server process with SIGSTOP: connections stay open and
// commands go unanswered, as with a Redis stuck in a long command or a
// swapping host. Only a real server can freeze; with a miniredis the test is
// skipped (a proxy that stops forwarding, Proxy.Hang, covers that case).
func (s *Server) Freeze() {
	s.t.Helper()
	if s.cmd == nil {
		s.t.Skip("no redis-server process to freeze (VCODE_TEST_REDIS not set); Proxy.Hang tests a hung Redis instead")
	}
	if err := s.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		s.t.Fatalf("freezing redis-server: %v", err)
	}
}

// Thaw lets a frozen server run again (SIGCONT).
func (s *Server) Thaw() {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		s.t.Fatalf("thawing redis-server: %v", err)
	}
}

// Restart starts the server again on the same address, with its data, and
// returns once it answers.
func (s *Server) Restart() {
	s.t.Helper()
	if s.mini != nil {
		if err := s.mini.Restart(); err != nil {
			s.t.Fatalf("restarting miniredis: %v", err)
		}
		return
	}
	s.start()
}

func (s *Server) start() {
	s.t.Helper()
	_, port, _ := net.SplitHostPort(s.addr)
	logFile := filepath.Join(s.dir, "redis.log")
	cmd := exec.Command("redis-server",
		"--port", port, "--bind", "127.0.0.1", "--dir", s.dir, "--logfile", logFile,
		"--save", "", "--appendonly", "yes", "--appendfsync", "always")
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("starting redis-server: %v", err)
	}
	s.cmd = cmd
	c := redis.NewClient(&redis.Options{Addr: s.addr, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logFile)
			s.t.Fatalf("redis-server on %s did not answer: %v\n%s", s.addr, err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
