package sfu

import (
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// pliInterval rate-limits keyframe requests relayed to one publisher track.
const pliInterval = 500 * time.Millisecond

// subChange adds or removes one subscriber; it travels through the track's
// queue so that the packet path takes no lock.
type subChange struct {
	dt  *downTrack
	add bool
}

// upTrack is one track a participant publishes. Its reader goroutine owns
// the subscriber list and the subscribers' forwarders.
type upTrack struct {
	id     string
	pub    *Peer
	remote *webrtc.TrackRemote
	codec  webrtc.RTPCodecParameters
	video  bool
	// keyframe recognises the start of a keyframe in this codec's payload.
	keyframe func([]byte) bool

	changes chan subChange
	done    chan struct{} // closed when the reader has stopped
	lastPLI atomic.Int64  // unix nanos of the last relayed keyframe request

	created  time.Time     // orders video when nobody has spoken yet
	levelExt atomic.Uint32 // negotiated audio-level extension id (see speaker.go)
	spokeAt  atomic.Int64  // unix nanos when the publisher last started speaking

	subs []*downTrack // reader goroutine only
	spk  speakerState // reader goroutine only
}

func newUpTrack(pub *Peer, remote *webrtc.TrackRemote) *upTrack {
	codec := remote.Codec()
	return &upTrack{
		id: newID(), pub: pub, remote: remote, codec: codec,
		video:    remote.Kind() == webrtc.RTPCodecTypeVideo,
		keyframe: keyframeDetector(codec.MimeType),
		created:  time.Now(),
		changes:  make(chan subChange, opQueueLen),
		done:     make(chan struct{}),
	}
}

// keyframeDetector picks the keyframe test for a codec; audio has none.
func keyframeDetector(mime string) func([]byte) bool {
	switch {
	case strings.EqualFold(mime, webrtc.MimeTypeVP8):
		return isVP8Keyframe
	case strings.EqualFold(mime, webrtc.MimeTypeVP9):
		return isVP9Keyframe
	case strings.EqualFold(mime, webrtc.MimeTypeH264):
		return isH264Keyframe
	}
	return func([]byte) bool { return false }
}

func (t *upTrack) addSub(dt *downTrack)    { t.change(subChange{dt: dt, add: true}) }
func (t *upTrack) removeSub(dt *downTrack) { t.change(subChange{dt: dt}) }

func (t *upTrack) change(c subChange) {
	select {
	case t.changes <- c:
	case <-t.done:
		if c.add { // the track ended first: the subscriber drops its copy
			sub := c.dt.sub
			sub.do(func() { sub.removeDown(t) })
		}
	}
}

// requestKeyframe relays a keyframe request to the publisher, at most one
// per pliInterval unless forced (a subscriber just arrived).
func (t *upTrack) requestKeyframe(force bool) {
	now := time.Now().UnixNano()
	last := t.lastPLI.Load()
	if !force && now-last < int64(pliInterval) {
		return
	}
	if !t.lastPLI.CompareAndSwap(last, now) {
		return
	}
	t.pub.sendPLI(uint32(t.remote.SSRC()))
}

// read forwards packets until the publisher's track ends, then tells every
// subscriber to drop it.
func (t *upTrack) read() {
	defer t.finish()
	buf := make([]byte, 1500)
	var pkt rtp.Packet
	kind := "audio"
	if t.video {
		kind = "video"
	}
	forwarded := t.pub.srv.met.forwarded.WithLabelValues(kind)
	t.pub.log.Debug("track published", "kind", kind, "codec", t.codec.MimeType, "ssrc", t.remote.SSRC())
	for {
		n, _, err := t.remote.Read(buf)
		if err != nil {
			if !errors.Is(err, io.EOF) {
				t.pub.log.Debug("track read", "err", err)
			}
			return
		}
		t.applyChanges()
		if err := pkt.Unmarshal(buf[:n]); err != nil {
			continue
		}
		sent := t.forward(&pkt, time.Now())
		forwarded.Add(float64(sent))
	}
}

// forward hands one packet to every subscriber and returns how many got it.
func (t *upTrack) forward(pkt *rtp.Packet, now time.Time) int {
	t.pub.gateMu.RLock() // SetMediaGate waits for this packet's writes
	defer t.pub.gateMu.RUnlock()
	gated := !t.pub.allowed(t.video)
	if !t.video && t.observeAudio(pkt, now) {
		gated = true // silent: not forwarded, and resumes seamlessly
	}
	keyframe := t.keyframe(pkt.Payload)
	sent := 0
	for _, dt := range t.subs {
		if dt.write(pkt, keyframe, gated, now) {
			sent++
		}
	}
	t.pub.forwarded.Add(uint64(sent))
	return sent
}

func (t *upTrack) applyChanges() {
	for {
		select {
		case c := <-t.changes:
			t.apply(c)
		default:
			return
		}
	}
}

func (t *upTrack) apply(c subChange) {
	if c.add {
		t.subs = append(t.subs, c.dt)
		return
	}
	for i, dt := range t.subs {
		if dt == c.dt {
			t.subs = append(t.subs[:i], t.subs[i+1:]...)
			return
		}
	}
}

// finish runs when the track ended: it unpublishes it and has each
// subscriber (including ones still queued) remove its copy.
func (t *upTrack) finish() {
	close(t.done)
	t.applyChanges()
	t.pub.room.unpublish(t)
	for _, dt := range t.subs {
		sub := dt.sub
		sub.do(func() { sub.removeDown(t) })
	}
	t.subs = nil
}
