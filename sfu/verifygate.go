package sfu

import (
	"context"
	"errors"
	"sync"
)

// errVerifyBusy refuses an attempt whose turn queue is full; the client
// may try again at once.
var errVerifyBusy = errors.New("sfu: secret verification busy")

// Queue bounds, per source and lane and in total. They bound memory only;
// fairness comes from the turns. The clean lane holds more than a source
// can be issued cookies in one burst (cookieIssueBurst), so that an
// attacker's whole allowance queued at once still leaves room; beyond
// that, an older cookie's attempt pushes out the youngest.
const (
	gateQueueClean = 32
	gateQueueOther = 8
	gateQueueTotal = 4096
	// gateFailedMax bounds the memory of cookies that failed: past it the
	// oldest entry is forgotten (its cookie is clean again, worth one more
	// attempt in the clean lane, after that many newer failed cookies).
	gateFailedMax = 1 << 16
)

// gateTicket is what the gate knows of an attempt.
type gateTicket struct {
	source string // Server.sourceKey of the client's address
	cookie string // signed browser id, "" without one
	issued int64  // the cookie's issue time (Unix seconds)
	clean  bool   // the room's limiter saw no wrong attempt from this client
}

// verifyGate bounds how many secret verifications run at once (each is an
// argon2id hash in the Rooms implementation) and decides whose attempt runs
// next when they queue. Sources (client addresses) take turns, one attempt
// each, so a flood from some addresses delays an attempt from another by
// at most one verification per flooding address.
//
// Within one source, the clean lane goes first: attempts from a browser
// with a signed cookie (which cannot be made up, and of which an address
// is issued only a few) that has never failed anywhere on this server and
// has no other attempt waiting or running. The clean lane takes the oldest
// cookie first, so a browser that held its cookie before an attack began
// goes ahead of every cookie the attacker collected since. An attempt
// outside the clean lane (cookieless, made-up or tampered cookie, a cookie
// that failed or already has an attempt in) waits in the other lane. A
// flood from the chair's own address (a shared NAT) therefore cannot
// starve the chair's browser. Nothing is refused for being slow: only a
// full queue answers busy.
type verifyGate struct {
	// mu guards every field below.
	mu      sync.Mutex
	free    int                    // slots not in use
	queued  int                    // attempts waiting, all sources
	sources map[string]*gateSource // sources with attempts waiting
	ring    []string               // those sources, in turn order
	active  map[string]bool        // cookies with a clean attempt waiting or running
	failed  map[string]bool        // cookies that failed a verification
	fails   []string               // failed, oldest first (to forget the oldest)
}

// gateSource is one address's waiting attempts: the clean lane oldest
// cookie first, the other lane in arrival order.
type gateSource struct {
	clean, other []*gateWaiter
}

type gateWaiter struct {
	issued int64
	turn   chan bool // true: your turn; false: pushed out (busy)
}

func newVerifyGate(slots int) *verifyGate {
	return &verifyGate{free: slots, sources: map[string]*gateSource{}, active: map[string]bool{}, failed: map[string]bool{}}
}

// acquire waits for a verification slot and reports whether the attempt
// took the clean lane. The caller must call release(t, clean) once its
// verification is done.
func (g *verifyGate) acquire(ctx context.Context, t gateTicket) (clean bool, err error) {
	g.mu.Lock()
	clean = t.clean && t.cookie != "" && !g.failed[t.cookie] && !g.active[t.cookie]
	if clean {
		g.active[t.cookie] = true
	}
	if g.free > 0 && g.queued == 0 {
		g.free--
		g.mu.Unlock()
		return clean, nil
	}
	w, err := g.enqueueLocked(t, clean)
	if err != nil {
		g.unmarkLocked(t, clean)
		g.mu.Unlock()
		return false, err
	}
	g.mu.Unlock()
	select {
	case ok := <-w.turn:
		if !ok {
			g.mu.Lock()
			g.unmarkLocked(t, clean)
			g.mu.Unlock()
			return false, errVerifyBusy
		}
		return clean, nil
	case <-ctx.Done():
		g.mu.Lock()
		waiting := g.dequeueLocked(t.source, w)
		g.unmarkLocked(t, clean)
		g.mu.Unlock()
		if !waiting {
			// The turn was handed over (or refused) as the context ended.
			if ok := <-w.turn; ok {
				g.pass()
			}
		}
		return false, ctx.Err()
	}
}

func (g *verifyGate) unmarkLocked(t gateTicket, clean bool) {
	if clean {
		delete(g.active, t.cookie)
	}
}

func (g *verifyGate) enqueueLocked(t gateTicket, clean bool) (*gateWaiter, error) {
	if g.queued >= gateQueueTotal {
		return nil, errVerifyBusy
	}
	s := g.sources[t.source]
	if s == nil {
		s = &gateSource{}
	}
	w := &gateWaiter{issued: t.issued, turn: make(chan bool, 1)}
	if clean {
		ok, pushed := s.insertClean(w)
		if !ok {
			return nil, errVerifyBusy
		}
		if pushed {
			g.queued-- // counted again below
		}
	} else {
		if len(s.other) >= gateQueueOther {
			return nil, errVerifyBusy
		}
		s.other = append(s.other, w)
	}
	if g.sources[t.source] == nil {
		g.sources[t.source] = s
		g.ring = append(g.ring, t.source)
	}
	g.queued++
	return w, nil
}

// insertClean puts w in the clean lane by its cookie's age, pushing out
// the youngest attempt when the lane is full and w is older (pushed); not
// ok when w would be the youngest of a full lane.
func (s *gateSource) insertClean(w *gateWaiter) (ok, pushed bool) {
	i := len(s.clean)
	for i > 0 && s.clean[i-1].issued > w.issued {
		i--
	}
	if len(s.clean) >= gateQueueClean {
		if i == len(s.clean) {
			return false, false
		}
		last := s.clean[len(s.clean)-1]
		s.clean = s.clean[:len(s.clean)-1]
		last.turn <- false
		pushed = true
	}
	s.clean = append(s.clean, nil)
	copy(s.clean[i+1:], s.clean[i:])
	s.clean[i] = w
	return true, pushed
}

// dequeueLocked removes a waiter that gave up, and reports whether it was
// still waiting.
func (g *verifyGate) dequeueLocked(source string, w *gateWaiter) bool {
	s := g.sources[source]
	if s == nil {
		return false
	}
	found := false
	for _, q := range []*[]*gateWaiter{&s.clean, &s.other} {
		for i, c := range *q {
			if c == w {
				*q = append((*q)[:i:i], (*q)[i+1:]...)
				found = true
				break
			}
		}
	}
	if found {
		g.queued--
		g.dropIfIdleLocked(source, s)
	}
	return found
}

func (g *verifyGate) dropIfIdleLocked(source string, s *gateSource) {
	if len(s.clean)+len(s.other) > 0 {
		return
	}
	delete(g.sources, source)
	for i, src := range g.ring {
		if src == source {
			g.ring = append(g.ring[:i:i], g.ring[i+1:]...)
			break
		}
	}
}

// gateVerdict is how a verification ended.
type gateVerdict int

const (
	verdictRight gateVerdict = iota
	verdictWrong
	verdictError // no answer (the store failed): says nothing of the client
)

// release ends a verification: a cookie that was wrong is no longer clean,
// anywhere on this server, until it brings a right secret; the slot goes
// to the next source in turn.
func (g *verifyGate) release(t gateTicket, clean bool, v gateVerdict) {
	g.mu.Lock()
	g.unmarkLocked(t, clean)
	if v == verdictRight && g.failed[t.cookie] {
		delete(g.failed, t.cookie) // its entry in fails goes when its turn to be forgotten comes
	}
	if v == verdictWrong && t.cookie != "" && !g.failed[t.cookie] {
		if len(g.fails) >= gateFailedMax {
			delete(g.failed, g.fails[0])
			g.fails = g.fails[1:]
		}
		g.failed[t.cookie] = true
		g.fails = append(g.fails, t.cookie)
	}
	g.mu.Unlock()
	g.pass()
}

// pass hands the slot to the next source in turn, or frees it.
func (g *verifyGate) pass() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.ring) == 0 {
		g.free++
		return
	}
	source := g.ring[0]
	copy(g.ring, g.ring[1:]) // to the back of the line
	g.ring[len(g.ring)-1] = source
	s := g.sources[source]
	q := &s.other
	if len(s.clean) > 0 {
		q = &s.clean
	}
	w := (*q)[0]
	*q = (*q)[1:]
	g.queued--
	g.dropIfIdleLocked(source, s)
	w.turn <- true
}
