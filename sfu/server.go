package sfu

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	"github.com/coder/websocket"
)

// Server is the media server: it owns the rooms, the shared ICE sockets and
// the signaling endpoint.
type Server struct {
	cfg    Config
	policy Policy
	log    *slog.Logger
	media  *mediaSetup
	tr     *transport
	turn   *turnServer
	met    *metrics
	// handlers maps a signaling message type to its handler. It is filled
	// by New and Handle before serving and only read afterwards.
	handlers map[string]Handler

	ctx    context.Context // ends when the server closes
	cancel context.CancelFunc
	wg     sync.WaitGroup // one per connected client

	// mu guards rooms and closed.
	mu     sync.Mutex
	rooms  map[string]*Room
	closed bool
}

// New builds a Server and opens its UDP (and optional TCP and TURN) ports.
func New(cfg Config, policy Policy, log *slog.Logger) (*Server, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if policy == nil {
		return nil, errors.New("sfu: nil policy")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// No client address or ICE credential in the log at any level.
	log = slog.New(RedactAddresses(log.Handler()))
	media, tr, err := newMedia(cfg, log)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, policy: policy, log: log, media: media, tr: tr, rooms: map[string]*Room{}}
	if s.met, err = newMetrics(cfg.Registerer); err != nil {
		_ = tr.Close()
		return nil, err
	}
	if cfg.TURN.Enabled {
		if s.turn, err = startTURN(cfg, log); err != nil {
			_ = tr.Close()
			return nil, err
		}
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.handlers = coreHandlers()
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
	bid := browserID(w, r) // before Accept: the cookie rides on the 101 response
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
	s.serveClient(c, bid)
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
	for _, room := range s.rooms {
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
	return s.rooms[id]
}

// roomFor returns the room, creating it from the policy's settings.
func (s *Server) roomFor(ctx context.Context, id string) (*Room, error) {
	info, err := s.policy.Room(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("sfu: room lookup: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrServerClosed
	}
	r := s.rooms[id]
	if r == nil {
		r = newRoom(id, s)
		s.rooms[id] = r
		s.met.rooms.Inc()
	}
	r.setInfo(info)
	return r, nil
}

// dropRoomIfEmpty forgets a room once its last participant has gone.
func (s *Server) dropRoomIfEmpty(r *Room) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rooms[r.id] == r && r.isEmpty() {
		delete(s.rooms, r.id)
		s.met.rooms.Dec()
	}
}
