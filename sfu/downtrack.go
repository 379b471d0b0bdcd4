package sfu

import (
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// downTrack is one subscriber's copy of a published track.
type downTrack struct {
	up     *upTrack
	sub    *Peer
	local  *fwdTrack
	sender *webrtc.RTPSender
	fwd    *forwarder // the upTrack's reader goroutine only

	ready  atomic.Bool  // the subscriber's answer bound the track
	paused atomic.Bool  // the subscriber does not get this stream (max-N)
	target atomic.Int32 // simulcast layer the subscriber's allocation chose
	// levelID is the audio-level extension id the subscriber negotiated
	// (0: none); set by the actor loop when the answer binds the track.
	levelID atomic.Uint32
	hdr     sentHeader // reused for streams that keep no copy (audio); the subscriber's writer only
}

func newDownTrack(up *upTrack, sub *Peer, local *fwdTrack, sender *webrtc.RTPSender) *downTrack {
	return &downTrack{up: up, sub: sub, local: local, sender: sender,
		fwd: newForwarder(up.video, up.codec.ClockRate)}
}

// queue rewrites one packet of a layer with this subscriber's sequence
// numbers and timestamps, switching to the target layer on its keyframe,
// and queues it for the subscriber's writer. It reports whether the
// packet was queued.
// Called by an upTrack layer reader holding the track's mu.
func (dt *downTrack) queue(layer int, in *inPacket, keyframe, gated bool, now time.Time) bool {
	if !dt.ready.Load() {
		return false
	}
	dt.fwd.setPaused(gated || dt.paused.Load())
	if want := int(dt.target.Load()); want != dt.fwd.target {
		dt.fwd.setTarget(want)
		if want != dt.fwd.layer || !dt.fwd.started {
			dt.up.requestKeyframe(want, true)
		}
	}
	pkt := &in.pkt
	v := dt.fwd.forward(layer, pkt.SequenceNumber, pkt.Timestamp, keyframe, now)
	switch {
	case v.pli:
		dt.up.requestKeyframe(layer, false)
	case !v.ok && layer == dt.fwd.target && layer != dt.fwd.layer && !keyframe:
		dt.up.requestKeyframe(layer, false) // a switch waits for this keyframe
	}
	if !v.ok {
		return false
	}
	return dt.sub.out.push(outPacket{dt: dt, in: in, seq: v.seq, ts: v.ts})
}

// sentHeader is an outgoing header with room for its two extensions (the
// audio level, TWCC's sequence number), so neither allocates.
type sentHeader struct {
	rtp.Header
	exts [2]rtp.Extension
}

// send writes a queued packet; header extensions are set again under the
// subscriber's own ids (extensions.go). The subscriber's writer goroutine
// only.
//
// A video stream answers NACKs: Pion's responder keeps the header and
// payload it is given for 256 packets (nack.DisableCopy), so a video copy
// gets a header of its own (one small allocation instead of the
// responder's three and its copy of the payload), and video packets are
// never recycled (uptrack.go): the responder's references keep them.
// Audio streams keep nothing and reuse one header.
func (dt *downTrack) send(op outPacket) bool {
	pkt := &op.in.pkt
	h := &dt.hdr
	if dt.up.video {
		h = new(sentHeader)
	}
	h.Header = rtp.Header{
		Version: 2, Marker: pkt.Marker, PayloadType: pkt.PayloadType,
		SequenceNumber: op.seq, Timestamp: op.ts, SSRC: pkt.SSRC, CSRC: pkt.CSRC,
		Extensions: h.exts[:0],
	}
	dt.setExtensions(pkt, &h.Header)
	return dt.local.write(&h.Header, pkt.Payload)
}

// readRTCP relays the subscriber's keyframe requests to the publisher
// (rate-limited there). NACKs are answered by the NACK responder
// interceptor from its send buffer, so they never reach the publisher.
func (dt *downTrack) readRTCP() {
	for {
		pkts, _, err := dt.sender.ReadRTCP()
		if err != nil {
			return
		}
		for _, pkt := range pkts {
			switch pkt.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				dt.up.requestKeyframe(int(dt.target.Load()), false)
			}
		}
	}
}
