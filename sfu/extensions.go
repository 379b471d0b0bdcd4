package sfu

import (
	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
)

// Header extensions towards a subscriber. Ids are negotiated per
// PeerConnection, so the publisher's are dropped and the ones a
// subscriber should see are set again under its own ids: the audio level
// (a client can show who speaks from the stream), and the transport-wide
// sequence number the subscriber's feedback refers to (bwe.go).

// lookupExtensions reads the ids the subscriber negotiated for this
// track, once its answer bound it. Actor loop only.
func (dt *downTrack) lookupExtensions() {
	for _, h := range dt.sender.GetParameters().HeaderExtensions {
		switch {
		case h.URI == audioLevelURI && !dt.up.video:
			dt.levelID.Store(uint32(h.ID))
		case h.URI == sdp.TransportCCURI:
			dt.twccID.Store(uint32(h.ID))
		}
	}
}

// setExtensions puts the subscriber's extensions on an outgoing header,
// appending to out.Extensions, which the caller gives room for two (the
// transport-wide sequence number follows) so the packet path does not
// allocate. The subscriber's writer goroutine only.
func (dt *downTrack) setExtensions(in *rtp.Packet, out *rtp.Header) {
	id := dt.levelID.Load()
	if id == 0 {
		return
	}
	src := dt.up.levelExt.Load()
	if src == 0 || src > 255 { // none negotiated
		return
	}
	level := in.GetExtension(uint8(src))
	if len(level) == 0 {
		return
	}
	_ = out.SetExtension(uint8(id), level)
}

// setTransportSeq puts the transport-wide sequence number seq on h when
// the subscriber negotiated it, and reports whether it did. The
// subscriber's writer goroutine only.
func (dt *downTrack) setTransportSeq(h *sentHeader, seq uint16) bool {
	id := dt.twccID.Load()
	if id == 0 || id > 14 { // one-byte extension ids only (RFC 8285)
		return false
	}
	h.twcc = [2]byte{byte(seq >> 8), byte(seq)}
	return h.SetExtension(uint8(id), h.twcc[:]) == nil
}
