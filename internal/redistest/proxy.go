package redistest

import (
	"io"
	"net"
	"sync"
	"testing"
)

// Proxy is a TCP proxy in front of a Redis server that a test can cut (the
// server seems down) or hang (the server accepts but never answers), and
// restore, without touching the server itself.
type Proxy struct {
	target string
	ln     net.Listener

	mu    sync.Mutex
	mode  proxyMode
	conns map[net.Conn]struct{}
}

type proxyMode int

const (
	forward proxyMode = iota
	cut
	hang
)

// NewProxy starts a proxy to target on a free loopback port, closed with the
// test.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{target: target, ln: ln, conns: map[net.Conn]struct{}{}}
	go p.accept()
	t.Cleanup(func() {
		ln.Close()
		p.closeAll()
	})
	return p
}

// Addr is the address clients should dial.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Cut closes every connection and refuses new ones, as a stopped server
// would.
func (p *Proxy) Cut() { p.set(cut) }

// Hang closes every connection and then accepts new ones without ever
// answering, as a wedged server would.
func (p *Proxy) Hang() { p.set(hang) }

// Restore forwards again.
func (p *Proxy) Restore() { p.set(forward) }

func (p *Proxy) set(m proxyMode) {
	p.mu.Lock()
	p.mode = m
	p.mu.Unlock()
	if m != forward {
		p.closeAll()
	}
}

func (p *Proxy) closeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

func (p *Proxy) track(c net.Conn) {
	p.mu.Lock()
	p.conns[c] = struct{}{}
	p.mu.Unlock()
}

func (p *Proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		mode := p.mode
		p.mu.Unlock()
		switch mode {
		case cut:
			c.Close()
		case hang:
			p.track(c) // held open, never read, closed on Restore's next cut or cleanup
		default:
			go p.pipe(c)
		}
	}
}

func (p *Proxy) pipe(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.track(c)
	p.track(up)
	go func() { io.Copy(up, c); up.Close() }()
	io.Copy(c, up)
	c.Close()
}
