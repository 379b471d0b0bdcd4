package sfu

import (
	"context"
	"errors"
	"sync"
)

// errVerifyBusy refuses an attempt whose turn queue is full; the client
// may try again at once.
var errVerifyBusy = errors.New("sfu: secret verification busy")

// Queue bounds: per source and class, and in total. They bound memory
// only; fairness comes from the turns.
const (
	gateQueuePerClass = 8
	gateQueueTotal    = 4096
)

// verifyGate bounds how many secret verifications run at once (each is an
// argon2id hash in the Rooms implementation) and decides whose attempt runs
// next when they queue. Sources (client addresses) take turns, one attempt
// each, so a flood from some addresses delays an attempt from another by
// at most one verification per flooding address. Within one source, an
// attempt from a browser that presented its cookie and has not failed goes
// before cookieless and failing ones, so that even a flood from the
// chair's own address (a shared NAT, a script on the same machine) that
// drops its cookies cannot starve the chair. Nothing is refused for being
// slow: only a full queue answers busy.
type verifyGate struct {
	// mu guards every field below.
	mu      sync.Mutex
	free    int                    // slots not in use
	queued  int                    // attempts waiting, all sources
	sources map[string]*gateSource // sources with attempts waiting
	ring    []string               // those sources, in turn order
}

// gateSource is one address's waiting attempts, in arrival order.
type gateSource struct {
	clean, other []chan struct{}
}

func newVerifyGate(slots int) *verifyGate {
	return &verifyGate{free: slots, sources: map[string]*gateSource{}}
}

// acquire waits for a verification slot. The caller must call release
// once its verification is done.
func (g *verifyGate) acquire(ctx context.Context, source string, clean bool) error {
	g.mu.Lock()
	if g.free > 0 && g.queued == 0 {
		g.free--
		g.mu.Unlock()
		return nil
	}
	ch, err := g.enqueueLocked(source, clean)
	g.mu.Unlock()
	if err != nil {
		return err
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		g.mu.Lock()
		waiting := g.dequeueLocked(source, ch)
		g.mu.Unlock()
		if !waiting { // the slot was handed over as the context ended
			g.release()
		}
		return ctx.Err()
	}
}

func (g *verifyGate) enqueueLocked(source string, clean bool) (chan struct{}, error) {
	s := g.sources[source]
	if s == nil {
		s = &gateSource{}
	}
	q := &s.other
	if clean {
		q = &s.clean
	}
	if len(*q) >= gateQueuePerClass || g.queued >= gateQueueTotal {
		return nil, errVerifyBusy
	}
	if g.sources[source] == nil {
		g.sources[source] = s
		g.ring = append(g.ring, source)
	}
	ch := make(chan struct{}, 1)
	*q = append(*q, ch)
	g.queued++
	return ch, nil
}

// dequeueLocked removes a waiter that gave up, and reports whether it was
// still waiting.
func (g *verifyGate) dequeueLocked(source string, ch chan struct{}) bool {
	s := g.sources[source]
	if s == nil {
		return false
	}
	found := false
	for _, q := range []*[]chan struct{}{&s.clean, &s.other} {
		for i, c := range *q {
			if c == ch {
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

// release hands the slot to the next source in turn, or frees it.
func (g *verifyGate) release() {
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
	ch := (*q)[0]
	*q = (*q)[1:]
	g.queued--
	g.dropIfIdleLocked(source, s)
	ch <- struct{}{}
}
