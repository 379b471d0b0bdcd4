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
// packet into a pooled one and hands Pion's chain a header it reuses:
// write gives the subscriber's interceptor chain the header the caller
// owns. The NACK responder then keeps that header and the shared payload
// (nack.DisableCopy in media.go) instead of copying every packet into
// its send buffer: see downTrack.send for who owns what.
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
// when the track is not bound or the write failed. h must not be changed
// afterwards if the stream answers NACKs (the responder keeps it).
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
