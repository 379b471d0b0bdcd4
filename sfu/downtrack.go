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
	// levelID and twccID are the audio-level and transport-wide sequence
	// number extension ids the subscriber negotiated (0: none); set by the
	// actor loop when the answer binds the track.
	levelID atomic.Uint32
	twccID  atomic.Uint32

	hdr    sentHeader // the subscriber's writer only
	report sendReport // what the sender reports say (report.go)
	// sent answers the subscriber's NACKs (resend.go); video only, nil for
	// audio, which negotiates no NACKs.
	sent *sentRing
}

func newDownTrack(up *upTrack, sub *Peer, local *fwdTrack, sender *webrtc.RTPSender) *downTrack {
	dt := &downTrack{up: up, sub: sub, local: local, sender: sender,
		fwd: newForwarder(up.video, up.codec.ClockRate)}
	if up.video {
		dt.sent = &sentRing{}
	}
	return dt
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
// audio level, the transport-wide sequence number), so neither allocates.
type sentHeader struct {
	rtp.Header
	exts [2]rtp.Extension
	twcc [2]byte
}

// send writes a queued packet straight to the subscriber's SRTP stream:
// header extensions are set again under the subscriber's own ids
// (extensions.go), the packet gets the next transport-wide sequence
// number (*tseq) and the estimator hears when it left, the sender report
// counts it, and a video packet is kept for NACKs. Pion's per-subscriber
// interceptors did each of these with a map or a lock of their own, at
// a third of the cost of a forwarded packet. The subscriber's writer
// goroutine only.
func (dt *downTrack) send(op outPacket, tseq *uint16) bool {
	pkt := &op.in.pkt
	h := &dt.hdr
	h.Header = rtp.Header{
		Version: 2, Marker: pkt.Marker, PayloadType: pkt.PayloadType,
		SequenceNumber: op.seq, Timestamp: op.ts, SSRC: pkt.SSRC, CSRC: pkt.CSRC,
		Extensions: h.exts[:0],
	}
	dt.setExtensions(pkt, &h.Header)
	numbered := dt.setTransportSeq(h, *tseq)
	if !dt.local.write(&h.Header, pkt.Payload) {
		return false
	}
	now := time.Now()
	if numbered {
		dt.sub.bwe.Sent(*tseq, h.MarshalSize()+len(pkt.Payload), now)
		*tseq++
	}
	dt.report.count(op.ts, len(pkt.Payload), now)
	if dt.sent != nil && !op.resend {
		dt.sent.keep(op)
	}
	return true
}

// readRTCP answers the subscriber's NACKs from what was sent, gives its
// TWCC feedback to the estimator and relays its keyframe requests to the
// publisher (rate-limited there): NACKs never reach the publisher.
func (dt *downTrack) readRTCP() {
	buf := make([]byte, 1500)
	for {
		n, attr, err := dt.sender.Read(buf)
		if err != nil {
			return
		}
		var pkts []rtcp.Packet
		if attr != nil {
			// Pion's receiver-report interceptor parsed it already.
			pkts, err = attr.GetRTCPPackets(buf[:n])
		} else {
			pkts, err = rtcp.Unmarshal(buf[:n])
		}
		if err != nil {
			continue
		}
		dt.onRTCP(pkts, time.Now())
	}
}

// onRTCP handles one compound RTCP packet. Pion hands a compound packet
// to every sender one of its parts names, so each part is handled by the
// stream it is about only.
func (dt *downTrack) onRTCP(pkts []rtcp.Packet, now time.Time) {
	ssrc := dt.local.ssrc()
	for _, pkt := range pkts {
		switch p := pkt.(type) {
		case *rtcp.PictureLossIndication:
			if p.MediaSSRC == ssrc {
				dt.up.requestKeyframe(int(dt.target.Load()), false)
			}
		case *rtcp.FullIntraRequest:
			if p.MediaSSRC == ssrc || firNames(p, ssrc) {
				dt.up.requestKeyframe(int(dt.target.Load()), false)
			}
		case *rtcp.TransportLayerNack:
			if p.MediaSSRC == ssrc && dt.sent != nil {
				dt.sent.answer(dt, p, now)
			}
		case *rtcp.TransportLayerCC:
			if p.MediaSSRC == ssrc && dt.sub.feedbackBudget.AllowN(now, 1) {
				dt.sub.bwe.Feedback(p, now)
			}
		}
	}
}

// firNames reports whether a FIR asks ssrc for a keyframe.
func firNames(p *rtcp.FullIntraRequest, ssrc uint32) bool {
	for _, e := range p.FIR {
		if e.SSRC == ssrc {
			return true
		}
	}
	return false
}
