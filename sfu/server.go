package sfu

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"sync"

	"github.com/coder/websocket"
)

// Server is the media server: it owns the rooms, the shared ICE sockets and
// the signaling endpoint.
type Server struct {
	cfg   Config
	rooms Rooms
	ctrl  *Controller
	log   *slog.Logger
	// addrKey keys the hash that stands for a client's address (sourceKey);
	// read-only after New.
	addrKey [32]byte
	cookies *browserCookies
	media   *mediaSetup
	tr      *transport
	turn    *turnServer
	met     *metrics
	// handlers maps a signaling message type to its handler. It is filled
	// by New and Handle before serving and only read afterwards.
	handlers map[string]Handler

	ctx    context.Context // ends when the server closes
	cancel context.CancelFunc
	wg     sync.WaitGroup // one per connected client

	// mu guards live, held, releasing, draining and closed.
	mu     sync.Mutex
	live   map[string]*Room
	closed bool
	// held are the room leases this node holds (nodes.go); draining: the
	// node is stopping and takes no new room.
	held map[string]heldLease
	// releasing are the rooms whose idle lease is being given up: a
	// claim for one waits until that is done (renewLeases).
	releasing map[string]chan struct{}
	draining  bool
}

// New builds a Server, with the chair controls of every room, and opens its
// UDP (and optional TCP and TURN) ports.
func New(cfg Config, rooms Rooms, log *slog.Logger) (*Server, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if rooms == nil {
		return nil, errors.New("sfu: nil Rooms")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// No client address or ICE credential in the log at any level.
	log = slog.New(RedactAddresses(log.Handler()))
	met, err := newMetrics(cfg.Registerer)
	if err != nil {
		return nil, err
	}
	media, tr, err := newMedia(cfg, log, met)
	if err != nil {
		met.unregister(cfg.Registerer)
		return nil, err
	}
	s := &Server{cfg: cfg, rooms: rooms, log: log, media: media, tr: tr, met: met, live: map[string]*Room{},
		held: map[string]heldLease{}, releasing: map[string]chan struct{}{}}
	s.addrKey = addressKey(cfg)
	s.cookies = newBrowserCookies(cfg.CookieKey, cfg.Control.Clock.Now)
	s.cookies.domain = cfg.CookieDomain
	if cfg.TURN.Enabled {
		if s.turn, err = startTURN(cfg, log); err != nil {
			_ = tr.Close()
			met.unregister(cfg.Registerer)
			return nil, err
		}
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.handlers = coreHandlers()
	s.ctrl = newController(cfg, rooms, s.met, log)
	s.ctrl.register(s)
	if cfg.Node.Leases != nil {
		s.ctrl.carry = &carrier{leases: cfg.Node.Leases, attempts: cfg.Node.Attempts, held: s.heldLease, log: s.log}
		s.wg.Add(1)
		go s.keepLeases()
		if cfg.Node.Attempts != nil {
			s.wg.Add(1)
			go s.keepAttempts()
		}
	}
	return s, nil
}

// Handle registers the handler for a client message type. Call it before
// serving; it lets other packages (room control) add message types in their
// own files without touching the core protocol.
func (s *Server) Handle(msgType string, h Handler) {
	s.handlers[msgType] = h
}

// UDPAddrs are the addresses the media UDP port listens on (one per IPv4
// address of the machine, or 127.0.0.1 when loopback-only).
func (s *Server) UDPAddrs() []string {
	out := make([]string, len(s.tr.udpAddrs))
	for i, a := range s.tr.udpAddrs {
		out[i] = a.String()
	}
	return out
}

// ServeHTTP upgrades the signaling WebSocket and serves one client until it
// leaves. The room is named in the client's first message.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	client := s.cfg.ClientOf(r)
	id := clientID{source: s.sourceKey(client)}
	id.browser = s.cookies.identify(r)
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: s.cfg.AllowedOrigins})
	if err != nil {
		return // Accept has written the HTTP error
	}
	c.SetReadLimit(s.cfg.MaxMessageBytes)
	if !s.track() {
		_ = c.Close(CloseNormal, "server closing")
		return
	}
	defer s.wg.Done()
	s.serveClient(c, id, r.URL.Path)
}

// track counts a client unless the server is closing.
func (s *Server) track() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	return true
}

// Close disconnects everyone, waits for their goroutines and closes the
// sockets.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	var peers []*Peer
	for _, room := range s.live {
		peers = append(peers, room.Peers()...)
	}
	s.mu.Unlock()
	s.cancel()
	for _, p := range peers {
		p.Disconnect(CloseNormal, "server closing")
	}
	s.wg.Wait()
	errs := []error{s.tr.Close()}
	if s.turn != nil {
		errs = append(errs, s.turn.Close())
	}
	return errors.Join(errs...)
}

// Room returns a live room, or nil.
func (s *Server) Room(id string) *Room {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.live[id]
}

// roomFor returns the live room, creating it. The room's existence and
// settings were checked by the controller (authorize) just before.
func (s *Server) roomFor(id string) (*Room, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrServerClosed
	}
	r := s.live[id]
	if r == nil {
		r = newRoom(id, s)
		s.live[id] = r
		s.met.rooms.Inc()
	}
	return r, nil
}

// sourceKey stands for a client address: a keyed hash, so that the address
// itself is kept nowhere. IPv6 clients are keyed by their /64, which one
// subscriber usually holds whole. A client's Source replaces its address.
func (s *Server) sourceKey(c Client) string {
	a := c.Addr
	if a.Is6() && !a.Is4In6() {
		a = netip.PrefixFrom(a, 64).Masked().Addr()
	}
	h := hmac.New(sha256.New, s.addrKey[:])
	if c.Source != "" {
		h.Write([]byte("source\x00" + c.Source))
	} else {
		b, _ := a.MarshalBinary()
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// addressKey is the key of sourceKey's hashes: random for this process,
// except on nodes that share rooms and a cookie key, where it derives from
// that key so that an address counts as the same client on every node
// (the secret limiter's counts follow a room to its next node).
func addressKey(cfg Config) [32]byte {
	var k [32]byte
	if cfg.Node.Leases == nil || len(cfg.CookieKey) == 0 {
		_, _ = rand.Read(k[:])
		return k
	}
	m := hmac.New(sha256.New, cfg.CookieKey)
	m.Write([]byte("hearth address key v1"))
	copy(k[:], m.Sum(nil))
	return k
}

// dropRoomIfEmpty forgets a room once its last participant has gone.
func (s *Server) dropRoomIfEmpty(r *Room) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.live[r.id] == r && r.isEmpty() {
		delete(s.live, r.id)
		s.met.rooms.Dec()
	}
}
