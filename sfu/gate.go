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
	// barrier makes closing a gate take full effect: the packet path holds
	// it (read) from a packet's check to its last write; await takes it
	// (write) to wait for those writes.
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

// await returns once every packet checked before the call has been
// written. It waits for at most one packet per track.
func (g *mediaGate) await() {
	g.barrier.Lock()
	g.barrier.Unlock() //nolint:staticcheck // an empty section is the barrier
}

// check reports whether a packet of the kind may be forwarded now. The
// caller writes the packet and then calls done, which lets await pass.
func (g *mediaGate) check(video bool) (open bool, done func()) {
	g.barrier.RLock()
	if video {
		return g.mayVideo.Load() && g.camOn.Load(), g.barrier.RUnlock
	}
	return g.mayAudio.Load() && g.micOn.Load(), g.barrier.RUnlock
}
