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
// appending to out.Extensions, which the caller gives room for two (the
// TWCC interceptor appends its own after this one) so the packet path
// does not allocate. The subscriber's writer goroutine only.
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
