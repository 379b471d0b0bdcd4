package sfu

import (
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/webrtc/v4"
)

// pliInterval rate-limits keyframe requests relayed to one publisher layer.
const pliInterval = 500 * time.Millisecond

// rateWindow is how often a layer reader publishes its measured bitrate.
const rateWindow = time.Second

// subChange adds or removes one subscriber; it travels through the track's
// queue so that the packet path takes no lock but the track's own.
type subChange struct {
	dt  *downTrack
	add bool
}

// trackDeps is what an upTrack needs from its publisher, its room and the
// server, handed to it at construction so that the packet path reaches
// nothing else of theirs.
type trackDeps struct {
	gate      *mediaGate        // the publisher's; checked for every packet
	sent      *atomic.Uint64    // the publisher's count of forwarded copies (subscribers' writers add)
	pli       func(ssrc uint32) // asks the publisher for a keyframe
	speaking  func(bool)        // the publisher started or stopped speaking
	unpublish func(*upTrack)    // the last layer ended
	log       *slog.Logger
}

// upTrack is one track a participant publishes: one RTP stream, or up to
// maxLayers simulcast streams of the same source (each with its own reader
// goroutine). The readers take turns under mu to forward their packets.
type upTrack struct {
	id     string
	pub    *Peer // who publishes it: an identity for the room, never reached into
	deps   trackDeps
	remote *webrtc.TrackRemote // the first layer to arrive
	codec  webrtc.RTPCodecParameters
	video  bool
	// simulcast: the publisher sends RID layers (q, h, f).
	simulcast bool
	// keyframe recognises the start of a keyframe in this codec's payload.
	keyframe func([]byte) bool

	changes chan subChange
	done    chan struct{} // closed when the last reader has stopped
	bufs    sync.Pool     // of *inPacket: a received packet lives until every queue has written it

	ssrc    [maxLayers]atomic.Uint32 // 0: the layer is not published
	rate    [maxLayers]atomic.Int64  // measured bits/s per layer
	since   [maxLayers]atomic.Int64  // unix nanos of the layer's last rate (or its start)
	lastPLI [maxLayers]atomic.Int64  // unix nanos of the last keyframe request
	readers atomic.Int32             // layer readers still running

	created  time.Time     // orders video when nobody has spoken yet
	levelExt atomic.Uint32 // negotiated audio-level extension id (see speaker.go)
	spokeAt  atomic.Int64  // unix nanos when the publisher last started speaking

	// mu serialises the layer readers: it guards subs, spk and every
	// subscriber's forwarder.
	mu   sync.Mutex
	subs []*downTrack
	spk  speakerState
}

func newUpTrack(pub *Peer, deps trackDeps, remote *webrtc.TrackRemote, recv *webrtc.RTPReceiver) *upTrack {
	codec := remote.Codec()
	t := &upTrack{
		id: newID(), pub: pub, deps: deps, remote: remote, codec: codec,
		video:     remote.Kind() == webrtc.RTPCodecTypeVideo,
		simulcast: remote.RID() != "",
		keyframe:  keyframeDetector(codec.MimeType),
		created:   time.Now(),
		changes:   make(chan subChange, opQueueLen),
		done:      make(chan struct{}),
	}
	t.levelExt.Store(audioLevelID(recv))
	t.bufs.New = func() any { return &inPacket{pool: &t.bufs} }
	if t.video {
		// Not recycled: subscribers' rings of sent packets keep
		// referring to them for NACKs (resend.go).
		t.bufs.New = func() any { return new(inPacket) }
	}
	return t
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

// requestKeyframe relays a keyframe request for one layer to the
// publisher, at most one per pliInterval unless forced (a subscriber just
// arrived or switches to that layer).
func (t *upTrack) requestKeyframe(layer int, force bool) {
	if layer < 0 || layer >= maxLayers {
		return
	}
	ssrc := t.ssrc[layer].Load()
	if ssrc == 0 {
		return
	}
	now := time.Now().UnixNano()
	last := t.lastPLI[layer].Load()
	if !force && now-last < int64(pliInterval) {
		return
	}
	if !t.lastPLI[layer].CompareAndSwap(last, now) {
		return
	}
	t.deps.pli(ssrc)
}

// layerRate reports a layer's bitrate and whether the publisher sends it.
// A layer that just started counts as sending at its nominal rate until
// it has been measured; one with no rate for two windows (the publisher
// stopped it) does not count.
func (t *upTrack) layerRate(layer int, now time.Time) (int64, bool) {
	if t.ssrc[layer].Load() == 0 {
		return 0, false
	}
	if now.Sub(time.Unix(0, t.since[layer].Load())) > 2*rateWindow {
		return 0, false
	}
	if r := t.rate[layer].Load(); r > 0 {
		return r, true
	}
	return nominalRate[layer], true
}

// startLayer registers a layer's stream; the caller then runs read.
func (t *upTrack) startLayer(layer int, remote *webrtc.TrackRemote) {
	t.since[layer].Store(time.Now().UnixNano())
	t.ssrc[layer].Store(uint32(remote.SSRC()))
	t.readers.Add(1)
}

// read forwards one layer's packets until its stream ends; the last layer
// to end tells every subscriber to drop the track.
func (t *upTrack) read(layer int, remote *webrtc.TrackRemote) {
	defer func() {
		t.ssrc[layer].Store(0)
		t.rate[layer].Store(0)
		if t.readers.Add(-1) == 0 {
			t.finish()
		}
	}()
	kind := "audio"
	if t.video {
		kind = "video"
	}
	t.deps.log.Debug("track published", "kind", kind, "codec", t.codec.MimeType, "ssrc", remote.SSRC(), "rid", remote.RID())
	var bytes int64
	window := time.Now()
	for {
		in := t.bufs.Get().(*inPacket)
		in.refs.Store(1) // the reader's own, released once every subscriber had its turn
		n, _, err := remote.Read(in.buf[:])
		if err != nil {
			in.release()
			if !errors.Is(err, io.EOF) {
				t.deps.log.Debug("track read", "err", err)
			}
			return
		}
		if err := in.pkt.Unmarshal(in.buf[:n]); err != nil {
			in.release()
			continue
		}
		now := time.Now()
		bytes += int64(n)
		if d := now.Sub(window); d >= rateWindow {
			t.rate[layer].Store(bytes * 8 * int64(time.Second) / int64(d))
			t.since[layer].Store(now.UnixNano())
			bytes, window = 0, now
		}
		t.mu.Lock()
		t.applyChanges()
		t.forward(layer, in, now)
		t.mu.Unlock()
		in.release()
	}
}

// forward queues one packet for every subscriber that should get it;
// each subscriber's writer sends it (mediaqueue.go), so no subscriber can
// hold up the others. Caller holds mu.
func (t *upTrack) forward(layer int, in *inPacket, now time.Time) {
	gated := !t.deps.gate.allows(t.video) // checked again at write time
	if !t.video && t.observeAudio(&in.pkt, now) {
		gated = true // silent: not forwarded, and resumes seamlessly
	}
	keyframe := t.keyframe(in.pkt.Payload)
	for _, dt := range t.subs {
		dt.queue(layer, in, keyframe, gated, now)
	}
}

// applyChanges applies queued subscriber changes. Caller holds mu.
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

// finish runs when the last layer ended: it unpublishes the track and has
// each subscriber (including ones still queued) remove its copy.
func (t *upTrack) finish() {
	t.mu.Lock()
	defer t.mu.Unlock()
	close(t.done)
	t.applyChanges()
	t.deps.unpublish(t)
	for _, dt := range t.subs {
		sub := dt.sub
		sub.do(func() { sub.removeDown(t) })
	}
	t.subs = nil
}
