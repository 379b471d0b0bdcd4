package sfu

import (
	"github.com/pion/rtp"
)

// Header extensions towards a subscriber. Ids are negotiated per
// PeerConnection, so the publisher's are dropped and the ones a
// subscriber should see are set again under its own ids: the audio level
// here (a client can show who speaks from the stream), the transport-wide
// sequence number by the TWCC interceptor (bwe.go).

// lookupExtensions reads the ids the subscriber negotiated for this
// track, once its answer bound it. Actor loop only.
func (dt *downTrack) lookupExtensions() {
	for _, h := range dt.sender.GetParameters().HeaderExtensions {
		if h.URI == audioLevelURI && !dt.up.video {
			dt.levelID.Store(uint32(h.ID))
		}
	}
}

// setExtensions puts the subscriber's extensions on an outgoing header,
// reusing the downTrack's buffer so the packet path does not allocate.
// The subscriber's writer goroutine only.
func (dt *downTrack) setExtensions(in *rtp.Packet, out *rtp.Header) {
	// Set even when there is no level to carry: the TWCC interceptor
	// appends its extension here, and without room it allocated a new
	// slice for every packet.
	out.Extensions = dt.exts[:0]
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
