package sfu

import (
	"fmt"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
)

// maxPendingICE bounds candidates a client may send while an offer is
// outstanding.
const maxPendingICE = 64

// startMedia creates the PeerConnection with one receive slot per kind
// (the client attaches its microphone and camera to them, or nothing) and
// sends the first offer. Actor loop only.
func (p *Peer) startMedia() error {
	p.bwe = newEstimator()
	api, err := p.srv.media.newAPI()
	if err != nil {
		return err
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return fmt.Errorf("sfu: new peer connection: %w", err)
	}
	p.pc = pc
	p.startGoroutine(func() { p.out.run(p.ctx) }) // the subscriber's writer
	kinds := []webrtc.RTPCodecType{webrtc.RTPCodecTypeAudio, webrtc.RTPCodecTypeVideo}
	if p.audioOnly {
		kinds = kinds[:1]
	}
	for _, kind := range kinds {
		tr, err := pc.AddTransceiverFromKind(kind, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly})
		if err != nil {
			return fmt.Errorf("sfu: add %s slot: %w", kind, err)
		}
		if kind == webrtc.RTPCodecTypeVideo && p.videoCodec != "" {
			if err := tr.SetCodecPreferences(videoCodecsFirst(p.videoCodec)); err != nil {
				return fmt.Errorf("sfu: video codec %s: %w", p.videoCodec, err)
			}
		}
	}
	pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c == nil {
			return
		}
		// Through the actor loop: gathering starts inside negotiate, and a
		// candidate must not overtake the offer that carries its ufrag.
		msg := candidateMsg{Type: MsgCandidate, Candidate: c.ToJSON()}
		p.do(func() { _ = p.Send(msg) })
	})
	pc.OnTrack(p.onTrack)
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateFailed {
			p.Disconnect(CloseMediaFailed, "media connection failed")
		}
	})
	for _, up := range p.room.tracksFor(p) {
		p.addDown(up)
	}
	p.negotiate()
	// Layers are chosen again as the estimate and the layers' rates
	// move; sender reports go out.
	p.startGoroutine(func() { p.every(allocEvery, p.allocateLayers) })
	p.startGoroutine(func() { p.every(reportEvery, p.sendReports) })
	return nil
}

// negotiate sends a new offer, or remembers to once the outstanding one is
// answered: offers never overlap.
func (p *Peer) negotiate() {
	if p.awaiting {
		p.again = true
		return
	}
	offer, err := p.pc.CreateOffer(nil)
	if err == nil {
		err = p.pc.SetLocalDescription(offer)
	}
	if err != nil {
		if p.pc.ConnectionState() != webrtc.PeerConnectionStateClosed {
			p.log.Error("create offer", "err", err)
		}
		p.Disconnect(CloseMediaFailed, "negotiation failed")
		return
	}
	p.awaiting = true
	// Pion refuses a local description that differs from its offer: only
	// the client's copy carries the simulcast receive attributes; Pion
	// reads the layers from the answer.
	_ = p.Send(sdpMsg{Type: MsgOffer, SDP: addSimulcastRecv(offer.SDP)})
}

// onAnswer applies the client's answer. Actor loop only.
func (p *Peer) onAnswer(sdp string) error {
	if !p.awaiting {
		return &Error{Code: CodeOutOfOrder, Message: "no offer outstanding"}
	}
	err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sdp})
	if err != nil {
		return &Error{Code: CodeBadSDP, Message: "answer rejected", Err: err}
	}
	p.awaiting = false
	for _, c := range p.pendingICE {
		_ = p.pc.AddICECandidate(c)
	}
	p.pendingICE = nil
	// Tracks are bound now: forwarding may start, and publishers are asked
	// for a keyframe only now because one sent earlier would be lost.
	for _, dt := range p.unbound {
		dt.lookupExtensions()
		dt.ready.Store(true)
		if dt.up.video {
			dt.up.requestKeyframe(int(dt.target.Load()), true)
		}
	}
	p.unbound = nil
	if p.again {
		p.again = false
		p.negotiate()
	}
	return nil
}

// onCandidate adds a client's ICE candidate. Actor loop only.
func (p *Peer) onCandidate(c webrtc.ICECandidateInit) error {
	// While an offer is out, a candidate may belong to the answer not yet
	// here (an ICE restart's new ufrag): it waits for that answer.
	if p.pc.RemoteDescription() == nil || p.awaiting {
		if len(p.pendingICE) >= maxPendingICE {
			return &Error{Code: CodeBadMessage, Message: "too many early candidates"}
		}
		if _, err := ice.UnmarshalCandidate(c.Candidate); err != nil {
			return &Error{Code: CodeBadMessage, Message: "candidate rejected", Err: err}
		}
		p.pendingICE = append(p.pendingICE, c)
		return nil
	}
	if err := p.pc.AddICECandidate(c); err != nil {
		return &Error{Code: CodeBadMessage, Message: "candidate rejected", Err: err}
	}
	return nil
}

// addDown subscribes p to a published track. Actor loop only.
func (p *Peer) addDown(up *upTrack) {
	if p.pc == nil {
		return // still in the waiting room: startMedia subscribes to every track
	}
	if _, ok := p.downs[up]; ok || (up.video && p.audioOnly) {
		return
	}
	local, err := newFwdTrack(up.codec.RTPCodecCapability, up.id, up.pub.id)
	if err != nil {
		p.log.Error("new local track", "err", err)
		return
	}
	// A transceiver of its own: AddTrack would reuse the client's receive
	// slots (mid 0 and 1), mixing what it sends with what it receives.
	tr, err := p.pc.AddTransceiverFromTrack(local, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
	if err != nil {
		p.log.Error("add track", "err", err)
		return
	}
	sender := tr.Sender()
	dt := newDownTrack(up, p, local, sender)
	p.downs[up] = dt
	p.unbound = append(p.unbound, dt)
	if !p.startGoroutine(dt.readRTCP) {
		return
	}
	up.addSub(dt)
	if up.video {
		p.selectVideo()
		p.allocateLayers()
	}
	p.negotiate()
}

// removeDown ends p's subscription to a track. Actor loop only.
func (p *Peer) removeDown(up *upTrack) {
	dt, ok := p.downs[up]
	if !ok {
		return
	}
	delete(p.downs, up)
	up.removeSub(dt)
	if up.video {
		p.selectVideo()
	}
	if err := p.pc.RemoveTrack(dt.sender); err != nil {
		p.log.Debug("remove track", "err", err)
	}
	p.negotiate()
}
