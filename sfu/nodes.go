package sfu

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// MsgRedirect tells a client that its room runs on another node: it
// connects to url and sends its join (or resume) there. The server then
// closes the socket with CloseMoved.
const MsgRedirect = "redirect"

type redirectMsg struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

// Lease is one node's right to run one room until it expires; Epoch rises
// each time the room changes node.
type Lease struct {
	Room  string
	Node  string // the owner's public base URL
	Epoch int64
}

// NodeLoad is what a node reports about itself when it renews its leases.
type NodeLoad struct {
	PacketsPerSecond int64 // media forwarded
	Draining         bool  // stopping: place no new room here
}

// Leases is where the nodes that share one schedule record which of them
// runs each live room, so that everyone in a meeting lands on the same
// node. cmd implements it with the PostgreSQL store; one node alone needs
// none.
type Leases interface {
	// Claim returns the room's lease: the live one, or a new one for the
	// node placement picks (maybe this one).
	Claim(ctx context.Context, room string) (Lease, error)
	// Renew reports this node alive and extends the leases it holds; it
	// returns the rooms of held that are no longer this node's.
	Renew(ctx context.Context, held []Lease, load NodeLoad) (lost []string, err error)
	// Release gives up a lease this node holds.
	Release(ctx context.Context, l Lease) error
	// SaveState records what the room's next node takes over (opaque
	// here), unless l is no longer the room's lease or a newer version is
	// stored.
	SaveState(ctx context.Context, l Lease, version int64, state []byte) error
	// State returns the room's last saved state and its version; nil and
	// 0 when none.
	State(ctx context.Context, room string) (int64, []byte, error)
}

// NodeConfig makes the server one node of several: rooms are leased, and a
// member who reaches a node that does not run their room is redirected.
type NodeConfig struct {
	// URL is this node's public base URL (https://node2.example.org); the
	// signaling WebSocket of a redirect is at its scheme, host and path.
	URL    string
	Leases Leases
	// Attempts keeps the secret limiter's counts for the room's next node;
	// nil: they restart when a room changes node.
	Attempts Attempts
	// RenewEvery is how often leases are renewed (default 5 s); a lease
	// lasts three times as long in cmd's store.
	RenewEvery time.Duration
}

const defaultRenewEvery = 5 * time.Second

func (n NodeConfig) validate() error {
	if n.Leases == nil {
		return nil
	}
	u, err := url.Parse(n.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("sfu: a node with leases needs its http(s) URL")
	}
	return nil
}

// heldLease is a lease this node holds, and since when.
type heldLease struct {
	Lease
	since time.Time
}

// nodeMetrics are the lease and placement series of a node.
type nodeMetrics struct {
	owned     prometheus.Gauge
	claims    *prometheus.CounterVec // by outcome: here, elsewhere, error
	renewals  *prometheus.CounterVec // by outcome: ok, error
	lost      prometheus.Counter
	redirects prometheus.Counter
}

func newNodeMetrics() nodeMetrics {
	return nodeMetrics{
		owned: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hearth_node_rooms_owned", Help: "Room leases this node holds.",
		}),
		claims: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hearth_node_lease_claims_total",
			Help: "Room lease claims by outcome: here (this node runs the room), elsewhere (another node does) or error.",
		}, []string{"outcome"}),
		renewals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hearth_node_lease_renewals_total", Help: "Lease renewal rounds by outcome: ok or error.",
		}, []string{"outcome"}),
		lost: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hearth_node_leases_lost_total", Help: "Leases another node took while this one ran the room.",
		}),
		redirects: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hearth_node_redirects_total", Help: "Joins and resumes sent to the node that runs their room.",
		}),
	}
}

func (m nodeMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.owned, m.claims, m.renewals, m.lost, m.redirects}
}

// place decides where a join or resume for room is served: "" here, else
// the URL of the node to redirect the client to. Unknown rooms are refused
// before anything is written.
func (s *Server) place(ctx context.Context, room string) (string, error) {
	leases := s.cfg.Node.Leases
	if leases == nil {
		return "", nil
	}
	s.mu.Lock()
	h, ok := s.held[room]
	if ok {
		// Kept two more rounds, so that it is not released as idle
		// before this join makes the room live.
		h.since = time.Now()
		s.held[room] = h
	}
	released := s.releasing[room]
	s.mu.Unlock()
	if ok {
		return "", nil
	}
	if released != nil {
		// Claiming while this node gives the lease up would take the
		// lease the release then deletes: the room would be lost at
		// the next renewal and its members sent away.
		select {
		case <-released:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	if _, err := s.rooms.Room(ctx, room); err != nil {
		return "", err
	}
	l, err := leases.Claim(ctx, room)
	if err != nil {
		s.met.node.claims.WithLabelValues("error").Inc()
		return "", err
	}
	if l.Node != s.cfg.Node.URL {
		s.met.node.claims.WithLabelValues("elsewhere").Inc()
		return l.Node, nil
	}
	s.met.node.claims.WithLabelValues("here").Inc()
	s.mu.Lock()
	if _, ok := s.held[room]; !ok {
		s.held[room] = heldLease{Lease: l, since: time.Now()}
		s.met.node.owned.Set(float64(len(s.held)))
	}
	s.mu.Unlock()
	return "", nil
}

// redirect sends the client to the node that runs its room.
func (s *Server) redirect(p *Peer, node string) {
	s.met.node.redirects.Inc()
	_ = p.Send(redirectMsg{Type: MsgRedirect, URL: signalURL(node, p.signalPath)})
	p.ws.close(CloseMoved, "moved")
}

// signalURL is the signaling WebSocket of the node at base: its scheme made
// ws(s), its path followed by the signaling path.
func signalURL(base, path string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	if u.Scheme == "https" {
		u.Scheme = "wss"
	} else {
		u.Scheme = "ws"
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	return u.String()
}

// keepLeases renews this node's leases until the server closes. The first
// round runs at once, so placement counts the node from its start.
func (s *Server) keepLeases() {
	defer s.wg.Done()
	every := s.cfg.Node.RenewEvery
	t := time.NewTicker(every)
	defer t.Stop()
	var lastCount float64
	lastAt := time.Now()
	for {
		count := forwardedTotal(s.met.forwarded)
		rate := int64((count - lastCount) / max(time.Since(lastAt).Seconds(), 0.001))
		lastCount, lastAt = count, time.Now()
		s.renewLeases(rate)
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
	}
}

// renewLeases releases the leases of rooms that ended here, renews the
// others, and closes the rooms whose lease another node took: their
// members reconnect and are sent there. A lease claimed but not yet in use
// (its first member is being redirected or verified) is kept for two
// rounds.
func (s *Server) renewLeases(rate int64) {
	every := s.cfg.Node.RenewEvery
	ctx, cancel := context.WithTimeout(s.ctx, every)
	defer cancel()
	s.mu.Lock()
	var keep, idle []Lease
	for room, h := range s.held {
		if s.live[room] != nil || time.Since(h.since) < 2*every {
			keep = append(keep, h.Lease)
			continue
		}
		idle = append(idle, h.Lease)
		delete(s.held, room)
		s.releasing[room] = make(chan struct{})
	}
	s.met.node.owned.Set(float64(len(s.held)))
	load := NodeLoad{PacketsPerSecond: rate, Draining: s.draining}
	s.mu.Unlock()
	for _, l := range idle {
		if err := s.cfg.Node.Leases.Release(ctx, l); err != nil {
			s.log.Warn("release room lease", "room", l.Room, "err", err)
		}
		s.mu.Lock()
		close(s.releasing[l.Room])
		delete(s.releasing, l.Room)
		s.mu.Unlock()
	}
	lost, err := s.cfg.Node.Leases.Renew(ctx, keep, load)
	if err != nil {
		// The meetings go on; if the database stays away the leases
		// expire, and the rooms move once it is back.
		s.met.node.renewals.WithLabelValues("error").Inc()
		s.log.Warn("renew room leases", "err", err)
		return
	}
	s.met.node.renewals.WithLabelValues("ok").Inc()
	for _, room := range lost {
		s.loseRoom(room)
	}
}

// loseRoom forgets a lease another node took and closes the room here.
func (s *Server) loseRoom(id string) {
	s.mu.Lock()
	delete(s.held, id)
	s.met.node.owned.Set(float64(len(s.held)))
	r := s.live[id]
	s.mu.Unlock()
	s.met.node.lost.Inc()
	s.log.Warn("room lease lost; its members reconnect to the new owner", "room", id)
	if r == nil {
		return
	}
	for _, p := range r.Peers() {
		p.Disconnect(CloseMoved, "moved")
	}
}

// forwardedTotal sums a counter vector's series.
func forwardedTotal(c prometheus.Collector) float64 {
	ch := make(chan prometheus.Metric, 8)
	go func() { c.Collect(ch); close(ch) }()
	var sum float64
	for m := range ch {
		var d dto.Metric
		if m.Write(&d) == nil && d.Counter != nil {
			sum += d.Counter.GetValue()
		}
	}
	return sum
}

// redirectResume sends a resuming client whose room is not live here to the
// node that runs it, and reports whether it did. A room that runs nowhere
// is claimed: the resume is then refused (the session ended with its old
// node) and the client joins afresh, here.
func (s *Server) redirectResume(p *Peer, raw []byte) bool {
	var req JoinRequest
	if json.Unmarshal(raw, &req) != nil || req.Room == "" || len(req.Room) > 128 || s.Room(req.Room) != nil {
		return false
	}
	node, err := s.place(p.ctx, req.Room)
	if err != nil || node == "" {
		return false
	}
	s.redirect(p, node)
	return true
}

// Drain prepares a node's graceful stop: it takes no new room (placement
// skips it from now on) and waits for its rooms to empty. Rooms still live
// when ctx ends are handed over: their leases are released and their
// members sent away (close 4005), to rejoin on another node with what the
// chairs set. A server without leases returns at once.
func (s *Server) Drain(ctx context.Context) {
	if s.cfg.Node.Leases == nil {
		return
	}
	s.mu.Lock()
	s.draining = true
	s.mu.Unlock()
	s.renewLeases(0) // placement sees the node draining now, not in 5 s
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		s.mu.Lock()
		live := len(s.live)
		s.mu.Unlock()
		if live == 0 {
			return
		}
		select {
		case <-ctx.Done():
			s.handOver()
			return
		case <-t.C:
		}
	}
}

// handOver releases every lease of a draining node and sends the members
// of its rooms away.
func (s *Server) handOver() {
	s.mu.Lock()
	held := s.held
	s.held = map[string]heldLease{}
	s.met.node.owned.Set(0)
	var rooms []*Room
	for _, r := range s.live {
		rooms = append(rooms, r)
	}
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, h := range held {
		if err := s.cfg.Node.Leases.Release(ctx, h.Lease); err != nil {
			s.log.Warn("release room lease", "room", h.Room, "err", err)
		}
	}
	s.log.Info("rooms handed over", "rooms", len(rooms))
	for _, r := range rooms {
		for _, p := range r.Peers() {
			p.Disconnect(CloseMoved, "moved")
		}
	}
}
