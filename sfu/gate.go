package sfu

import (
	"sync"
	"sync/atomic"
)

// mediaGate decides whether a publisher's packets of a kind are forwarded:
// only while room control allows it (a chair's mute, stop-video, secure)
// and the client says it publishes it. Every track of the publisher checks
// the same gate for every packet.
type mediaGate struct {
	// Room control's decision: when false, nothing of that kind is
	// forwarded, whatever the client sends.
	mayAudio, mayVideo atomic.Bool
	// What the client says it publishes (mute message).
	micOn, camOn atomic.Bool
	// barrier makes closing a gate take full effect: a subscriber's writer
	// holds it (read) from a packet's last check to its write; await takes
	// it (write) to wait for those writes.
	barrier sync.RWMutex
}

func newMediaGate() *mediaGate {
	g := &mediaGate{}
	g.mayAudio.Store(true)
	g.mayVideo.Store(true)
	return g
}

// set records room control's decision.
func (g *mediaGate) set(audio, video bool) {
	g.mayAudio.Store(audio)
	g.mayVideo.Store(video)
}

// publishing records what the client says it sends.
func (g *mediaGate) publishing(audio, video bool) {
	g.micOn.Store(audio)
	g.camOn.Store(video)
}

// await returns once every packet that passed the gate before the call
// has been written: a packet still queued for a subscriber is checked
// again when its writer takes it (enter), so it is dropped if the gate
// has closed since. It waits for at most one write per subscriber.
func (g *mediaGate) await() {
	g.barrier.Lock()
	g.barrier.Unlock() //nolint:staticcheck // an empty section is the barrier
}

// allows reports whether a packet of the kind may be forwarded now. The
// publisher's reader asks it to decide what to queue; the decision that
// counts is enter's, at write time.
func (g *mediaGate) allows(video bool) bool {
	if video {
		return g.mayVideo.Load() && g.camOn.Load()
	}
	return g.mayAudio.Load() && g.micOn.Load()
}

// enter reports whether a queued packet of the kind may be written now.
// The caller writes it (if allowed) and then calls leave, which lets
// await pass.
func (g *mediaGate) enter(video bool) bool {
	g.barrier.RLock()
	return g.allows(video)
}

// leave ends the section enter began.
func (g *mediaGate) leave() { g.barrier.RUnlock() }
