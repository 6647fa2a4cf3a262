// Package smtptest is a scriptable SMTP server on loopback, for tests that
// need a mail server to fail at a chosen step: refuse a recipient, refuse
// the message at the end of DATA, take the message and drop the
// connection before answering, or drop it at QUIT after a 250.
package smtptest

import (
	"bufio"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// End is what the server does once a message's DATA has ended.
type End int

// The endings.
const (
	// Accept answers 250: the message is taken.
	Accept End = iota
	// Refuse answers 554: the message is not taken.
	Refuse
	// TakeAndDrop keeps the message (it counts as taken) and closes the
	// connection without answering: the client cannot know.
	TakeAndDrop
)

// Message is one message the server took.
type Message struct {
	// From and To are the MAIL FROM and RCPT TO arguments as sent,
	// without the angle brackets.
	From, To string
	// Data is the message, dot-unstuffed, without the final ".".
	Data string
}

// Server is a running fake. Set its fields before traffic starts.
type Server struct {
	// Addr is the host:port it listens on.
	Addr string
	// RefuseRcpt answers 550 to every RCPT TO.
	RefuseRcpt bool
	// Delay is how long the server waits before acting on the end of
	// DATA: a slow mail server.
	Delay time.Duration
	// OnEnd chooses the ending for the n-th message (from 0); nil accepts
	// all.
	OnEnd func(n int) End
	// DropAtQuit closes the connection on QUIT without the 221.
	DropAtQuit bool

	ln    net.Listener
	mu    sync.Mutex
	ended int
	taken []Message
	rcpts []string
	wg    sync.WaitGroup
}

// Start serves on a loopback port until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), ln: ln}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.close)
	return s
}

// Taken returns the messages the server took (answered 250 or kept
// before dropping the connection).
func (s *Server) Taken() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.taken...)
}

// Rcpts returns every RCPT argument received, taken or not, whole as
// sent ("TO:<a@example.com>", with any parameters).
func (s *Server) Rcpts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.rcpts...)
}

func (s *Server) close() {
	s.ln.Close()
	s.wg.Wait()
}

func (s *Server) accept() {
	defer s.wg.Done()
	var conns sync.WaitGroup
	defer conns.Wait()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		conns.Add(1)
		go func() {
			defer conns.Done()
			defer c.Close()
			c.SetDeadline(time.Now().Add(30 * time.Second))
			s.session(c)
		}()
	}
}

func (s *Server) session(c net.Conn) {
	r := bufio.NewReader(c)
	say := func(line string) bool {
		_, err := c.Write([]byte(line + "\r\n"))
		return err == nil
	}
	if !say("220 localhost smtptest") {
		return
	}
	var from, to string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			say("250-localhost\r\n250 8BITMIME")
		case "MAIL":
			from = addr(arg)
			say("250 ok")
		case "RCPT":
			to = addr(arg)
			s.mu.Lock()
			s.rcpts = append(s.rcpts, arg)
			s.mu.Unlock()
			if s.RefuseRcpt {
				say("550 no such user")
				continue
			}
			say("250 ok")
		case "DATA":
			say("354 go ahead")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			time.Sleep(s.Delay)
			s.mu.Lock()
			n := s.ended
			s.ended++
			end := Accept
			if s.OnEnd != nil {
				end = s.OnEnd(n)
			}
			if end != Refuse {
				s.taken = append(s.taken, Message{From: from, To: to, Data: data.String()})
			}
			s.mu.Unlock()
			switch end {
			case Accept:
				say("250 queued")
			case Refuse:
				say("554 rejected")
			case TakeAndDrop:
				return
			}
		case "RSET", "NOOP":
			say("250 ok")
		case "QUIT":
			if !s.DropAtQuit {
				say("221 bye")
			}
			return
		default:
			say("500 unknown command")
		}
	}
}

// addr takes the address out of "FROM:<a@b> PARAMS".
func addr(arg string) string {
	_, rest, _ := strings.Cut(arg, ":")
	rest = strings.TrimSpace(rest)
	if i := strings.IndexByte(rest, '>'); strings.HasPrefix(rest, "<") && i > 0 {
		return rest[1:i]
	}
	return rest
}
