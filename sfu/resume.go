package sfu

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"time"

	"github.com/coder/websocket"
	"github.com/pion/webrtc/v4"
)

// handoverTimeout bounds how long a resuming connection waits for its old
// session goroutine to take it.
const handoverTimeout = 5 * time.Second

// resumeRequested reports whether a first message is a join with a resume
// token.
func (s *Server) resumeRequested(raw json.RawMessage) bool {
	var req JoinRequest
	return json.Unmarshal(raw, &req) == nil && req.Type == MsgJoin && req.Resume != ""
}

// resume hands a new connection to the session its token names. The
// participant keeps its id, name, tracks and PeerConnection (an ICE
// restart follows), so the others see nothing.
func (s *Server) resume(p *Peer, raw json.RawMessage) {
	var req JoinRequest
	_ = json.Unmarshal(raw, &req)
	var old *Peer
	if room := s.Room(req.Room); room != nil {
		old = room.byResume(req.Resume)
	}
	if old == nil {
		s.refuseJoin(p, &Error{Code: CodeBadResume, Message: "unknown or expired resume token"})
		<-p.ws.writerDone
		return
	}
	p.ws.stopWriter()
	old.ws.kill() // if the old connection still looks alive, drop it now
	t := time.NewTimer(handoverTimeout)
	defer t.Stop()
	select {
	case old.reattach <- p.ws.c:
	case <-t.C:
		_ = p.ws.c.Close(CloseRefused, CodeBadResume)
	case <-old.ctx.Done():
		_ = p.ws.c.Close(CloseRefused, CodeBadResume)
	}
}

// byResume finds the participant a resume token belongs to.
func (r *Room) byResume(token string) *Peer {
	for _, p := range r.Peers() {
		if subtle.ConstantTimeCompare([]byte(p.resumeToken), []byte(token)) == 1 {
			return p
		}
	}
	return nil
}

// resumable reports whether a read error looks like a lost network rather
// than a close someone chose.
func (p *Peer) resumable(err error) bool {
	return p.ctx.Err() == nil && !p.ws.closed() && websocket.CloseStatus(err) == -1 &&
		!errors.Is(err, websocket.ErrMessageTooBig) && p.srv.cfg.ResumeWindow > 0
}

// awaitResume keeps the session (membership, tracks, PeerConnection) for
// ResumeWindow while the client reconnects. Session goroutine only.
func (p *Peer) awaitResume() bool {
	p.ws.stopWriter()
	p.ws.kill()
	t := time.NewTimer(p.srv.cfg.ResumeWindow)
	defer t.Stop()
	select {
	case c := <-p.reattach:
		p.ws.swap(c)
		p.ws.startWriter(p.srv.cfg.PingInterval)
		p.sendJoined()
		p.do(p.restartICE)
		return true
	case <-t.C:
	case <-p.ctx.Done():
	case <-p.ws.done:
	}
	return false
}

// sendJoined repeats the joined reply on a resumed connection.
func (p *Peer) sendJoined() {
	ice, err := p.srv.iceServersFor(p)
	if err != nil {
		p.log.Error("ice servers", "err", err)
	}
	_ = p.Send(joinedMsg{Type: MsgJoined, ID: p.id, Name: p.name, Resume: p.resumeToken,
		ICEServers: ice, Participants: p.room.infos(p)})
}

// restartICE offers again with new ICE credentials: the client's network
// changed. Any offer lost with the old connection is superseded. Actor loop
// only.
func (p *Peer) restartICE() {
	if p.pc == nil {
		return
	}
	offer, err := p.pc.CreateOffer(&webrtc.OfferOptions{ICERestart: true})
	if err == nil {
		err = p.pc.SetLocalDescription(offer)
	}
	if err != nil {
		p.log.Error("ice restart", "err", err)
		p.Disconnect(CloseMediaFailed, "ice restart failed")
		return
	}
	p.awaiting, p.again = true, false
	_ = p.Send(sdpMsg{Type: MsgOffer, SDP: offer.SDP})
}
