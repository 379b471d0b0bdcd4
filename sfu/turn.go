package sfu

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/pion/turn/v4"
)

// tlsHandshakeTimeout bounds a TURN-over-TLS client's handshake, so that a
// connection that never speaks does not hold a goroutine forever.
const tlsHandshakeTimeout = 10 * time.Second

// turnServer is the embedded TURN relay for clients whose network blocks
// direct UDP to the media port: TURN over UDP and TCP on one port, and
// over TLS on another (443 passes networks that allow only HTTPS).
type turnServer struct {
	srv       *turn.Server
	listeners []*turnListener
	cfg       TURNConfig
	urls      []string // turn: and turns: URLs handed to browsers
}

// turnSockets are the TURN server's open sockets before it starts.
type turnSockets struct {
	udp       net.PacketConn
	tcp, tls  *turnListener // tls is nil when TURN over TLS is off
	udpPort   int
	tlsPort   int
	bind, via string // listen address; relay address announced
}

func (s *turnSockets) close() {
	if s.udp != nil {
		_ = s.udp.Close()
	}
	if s.tcp != nil {
		_ = s.tcp.Close()
	}
	if s.tls != nil {
		_ = s.tls.Close()
	}
}

// openTURNSockets opens the UDP port, TCP on the same port number, and the
// TLS port when a certificate is configured.
func openTURNSockets(cfg Config) (*turnSockets, error) {
	s := &turnSockets{bind: "0.0.0.0", via: "127.0.0.1"}
	if cfg.LoopbackOnly {
		s.bind = "127.0.0.1"
	}
	if len(cfg.PublicIPs) > 0 {
		s.via = cfg.PublicIPs[0]
	}
	if err := s.listenUDPAndTCP(cfg.TURN.Port); err != nil {
		return nil, err
	}
	var err error
	if cfg.TURN.TLS != nil {
		if s.tls, err = listenTURN(s.bind, cfg.TURN.TLSPort, cfg.TURN.TLS); err != nil {
			s.close()
			return nil, fmt.Errorf("sfu: turn listen tls (a port below 1024 needs root or CAP_NET_BIND_SERVICE): %w", err)
		}
		s.tlsPort = s.tls.Addr().(*net.TCPAddr).Port
	}
	return s, nil
}

// listenUDPAndTCP opens UDP and TCP on the same port. Port 0 picks a free
// UDP port, and another if its number is taken for TCP.
func (s *turnSockets) listenUDPAndTCP(port int) error {
	for attempt := 0; ; attempt++ {
		udp, err := net.ListenPacket("udp4", net.JoinHostPort(s.bind, strconv.Itoa(port)))
		if err != nil {
			return fmt.Errorf("sfu: turn listen udp: %w", err)
		}
		s.udpPort = udp.LocalAddr().(*net.UDPAddr).Port
		tcp, err := listenTURN(s.bind, s.udpPort, nil)
		if err == nil {
			s.udp, s.tcp = udp, tcp
			return nil
		}
		_ = udp.Close()
		if port != 0 || attempt == 10 {
			return fmt.Errorf("sfu: turn listen tcp: %w", err)
		}
	}
}

func startTURN(cfg Config, log *slog.Logger) (*turnServer, error) {
	logs := newPionLogs(log)
	s, err := openTURNSockets(cfg)
	if err != nil {
		return nil, err
	}
	relay := func() turn.RelayAddressGenerator {
		return &turn.RelayAddressGeneratorStatic{RelayAddress: net.ParseIP(s.via), Address: s.bind}
	}
	sc := turn.ServerConfig{
		Realm:             cfg.TURN.Realm,
		AuthHandler:       turn.LongTermTURNRESTAuthHandler(cfg.TURN.Secret, logs.NewLogger("turn-auth")),
		LoggerFactory:     logs,
		PacketConnConfigs: []turn.PacketConnConfig{{PacketConn: s.udp, RelayAddressGenerator: relay()}},
		ListenerConfigs:   []turn.ListenerConfig{{Listener: s.tcp, RelayAddressGenerator: relay()}},
	}
	t := &turnServer{cfg: cfg.TURN, listeners: []*turnListener{s.tcp}}
	host := cfg.TURN.Host
	if host == "" {
		host = s.via
	}
	udpHost := net.JoinHostPort(host, strconv.Itoa(s.udpPort))
	t.urls = []string{"turn:" + udpHost + "?transport=udp", "turn:" + udpHost + "?transport=tcp"}
	if s.tls != nil {
		sc.ListenerConfigs = append(sc.ListenerConfigs, turn.ListenerConfig{Listener: s.tls, RelayAddressGenerator: relay()})
		t.listeners = append(t.listeners, s.tls)
		t.urls = append(t.urls, "turns:"+net.JoinHostPort(host, strconv.Itoa(s.tlsPort))+"?transport=tcp")
	}
	if t.srv, err = turn.NewServer(sc); err != nil {
		s.close()
		return nil, fmt.Errorf("sfu: turn server: %w", err)
	}
	return t, nil
}

// credentials mints a short-lived TURN credential for one participant,
// valid on every transport.
func (t *turnServer) credentials(participantID string) (ICEServer, error) {
	user, pass, err := turn.GenerateLongTermTURNRESTCredentials(t.cfg.Secret, participantID, t.cfg.TTL)
	if err != nil {
		return ICEServer{}, fmt.Errorf("sfu: turn credentials: %w", err)
	}
	return ICEServer{URLs: append([]string(nil), t.urls...), Username: user, Credential: pass}, nil
}

// Close stops the server and drops the TCP and TLS clients, which the TURN
// library leaves open.
func (t *turnServer) Close() error {
	err := t.srv.Close()
	for _, l := range t.listeners {
		l.dropAll()
	}
	return err
}

// turnListener accepts TURN-over-TCP (or TLS) clients and keeps track of
// them so that Close can drop them. mu guards conns and closed.
type turnListener struct {
	net.Listener
	tls    *tls.Config
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
}

func listenTURN(bind string, port int, cfg *tls.Config) (*turnListener, error) {
	ln, err := net.Listen("tcp4", net.JoinHostPort(bind, strconv.Itoa(port)))
	if err != nil {
		return nil, err
	}
	return &turnListener{Listener: ln, tls: cfg, conns: map[net.Conn]struct{}{}}, nil
}

// Accept returns the next client. A TLS client's handshake runs on the
// first read, in the TURN library's goroutine for that client, within
// tlsHandshakeTimeout: the accept loop never waits on a slow client.
func (l *turnListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	var conn net.Conn = c
	if l.tls != nil {
		conn = &handshakeConn{Conn: tls.Server(c, l.tls)}
	}
	tracked := &trackedConn{Conn: conn, l: l}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		_ = c.Close()
		return nil, net.ErrClosed
	}
	l.conns[tracked] = struct{}{}
	return tracked, nil
}

// dropAll closes every client and refuses new ones.
func (l *turnListener) dropAll() {
	l.mu.Lock()
	l.closed = true
	conns := l.conns
	l.conns = map[net.Conn]struct{}{}
	l.mu.Unlock()
	for c := range conns {
		_ = c.(*trackedConn).Conn.Close()
	}
}

type trackedConn struct {
	net.Conn
	l *turnListener
}

func (c *trackedConn) Close() error {
	c.l.mu.Lock()
	delete(c.l.conns, c)
	c.l.mu.Unlock()
	return c.Conn.Close()
}

// handshakeConn completes the TLS handshake within tlsHandshakeTimeout
// before the first read. Only the connection's reading goroutine calls
// Read, so once needs no other guard.
type handshakeConn struct {
	*tls.Conn
	once sync.Once
	err  error
}

func (c *handshakeConn) Read(b []byte) (int, error) {
	c.once.Do(func() {
		_ = c.SetDeadline(time.Now().Add(tlsHandshakeTimeout))
		if c.err = c.Handshake(); c.err == nil {
			c.err = c.SetDeadline(time.Time{})
		}
	})
	if c.err != nil {
		return 0, errors.Join(errors.New("sfu: turn tls handshake"), c.err)
	}
	return c.Conn.Read(b)
}
