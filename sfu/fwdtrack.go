package sfu

import (
	"sync"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// fwdTrack is the track a subscriber receives a published track on. It is
// a TrackLocalStaticRTP for everything Pion asks of a track (ids, kind,
// choosing the payload type when the subscriber's answer binds it), but
// the packets do not go through that track's WriteRTP, which copies each
// packet into a pooled one: write hands the caller's header and the
// shared payload to the binding's stream, which no interceptor wraps
// (media.go), so they go straight to SRTP (downTrack.send).
type fwdTrack struct {
	*webrtc.TrackLocalStaticRTP

	mu sync.RWMutex // guards bound
	// bound is where the subscriber's answer bound the track: at most
	// one binding, a transceiver of its own (negotiate.go).
	bound *fwdBinding
}

type fwdBinding struct {
	id    string
	ssrc  uint32
	pt    uint8
	write webrtc.TrackLocalWriter
}

func newFwdTrack(c webrtc.RTPCodecCapability, id, streamID string) (*fwdTrack, error) {
	t, err := webrtc.NewTrackLocalStaticRTP(c, id, streamID)
	if err != nil {
		return nil, err
	}
	return &fwdTrack{TrackLocalStaticRTP: t}, nil
}

// Bind lets Pion's track choose the codec, and keeps the binding.
func (t *fwdTrack) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	codec, err := t.TrackLocalStaticRTP.Bind(ctx)
	if err != nil {
		return codec, err
	}
	t.mu.Lock()
	t.bound = &fwdBinding{id: ctx.ID(), ssrc: uint32(ctx.SSRC()), pt: uint8(codec.PayloadType), write: ctx.WriteStream()}
	t.mu.Unlock()
	return codec, nil
}

// Unbind forgets the binding.
func (t *fwdTrack) Unbind(ctx webrtc.TrackLocalContext) error {
	t.mu.Lock()
	if t.bound != nil && t.bound.id == ctx.ID() {
		t.bound = nil
	}
	t.mu.Unlock()
	return t.TrackLocalStaticRTP.Unbind(ctx)
}

// write sends one packet with the binding's SSRC and payload type; false
// when the track is not bound or the write failed.
func (t *fwdTrack) write(h *rtp.Header, payload []byte) bool {
	t.mu.RLock()
	b := t.bound
	t.mu.RUnlock()
	if b == nil {
		return false
	}
	h.SSRC, h.PayloadType = b.ssrc, b.pt
	_, err := b.write.WriteRTP(h, payload)
	return err == nil
}

// ssrc is the SSRC the subscriber receives the track on; 0 while unbound.
func (t *fwdTrack) ssrc() uint32 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.bound == nil {
		return 0
	}
	return t.bound.ssrc
}
