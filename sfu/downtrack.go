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
	local  *webrtc.TrackLocalStaticRTP
	sender *webrtc.RTPSender
	fwd    *forwarder // the upTrack's reader goroutine only

	ready  atomic.Bool // the subscriber's answer bound the track
	paused atomic.Bool // the subscriber does not get this stream (max-N)
}

func newDownTrack(up *upTrack, sub *Peer, local *webrtc.TrackLocalStaticRTP, sender *webrtc.RTPSender) *downTrack {
	return &downTrack{up: up, sub: sub, local: local, sender: sender,
		fwd: newForwarder(up.video, up.codec.ClockRate)}
}

// write forwards one packet with this subscriber's sequence numbers and
// timestamps. The publisher's header extensions are not forwarded: their
// ids were negotiated with the publisher, not with this subscriber.
// Called by the upTrack's reader goroutine only.
func (dt *downTrack) write(pkt *rtp.Packet, keyframe, gated bool, now time.Time) bool {
	if !dt.ready.Load() {
		return false
	}
	dt.fwd.setPaused(gated || dt.paused.Load())
	v := dt.fwd.forward(0, pkt.SequenceNumber, pkt.Timestamp, keyframe, now)
	if v.pli {
		dt.up.requestKeyframe(false)
	}
	if !v.ok {
		return false
	}
	out := rtp.Packet{
		Header: rtp.Header{
			Version: 2, Marker: pkt.Marker, PayloadType: pkt.PayloadType,
			SequenceNumber: v.seq, Timestamp: v.ts, SSRC: pkt.SSRC, CSRC: pkt.CSRC,
		},
		Payload: pkt.Payload,
	}
	return dt.local.WriteRTP(&out) == nil
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
				dt.up.requestKeyframe(false)
			}
		}
	}
}
