package sfu

import (
	"context"
	"errors"

	"github.com/hearth-recovery/hearth/sfu/control"
)

// join admits the client named in its first message and starts its media.
// It reports whether the session goes on.
func (s *Server) join(p *Peer, raw []byte) bool {
	var req JoinRequest
	if err := decode(raw, &req); err != nil || req.Type != MsgJoin {
		s.refuseJoin(p, &Error{Code: CodeOutOfOrder, Message: "the first message must be join"})
		return false
	}
	if !validVideoCodec(req.VideoCodec) {
		s.refuseJoin(p, &Error{Code: CodeBadMessage, Message: "unknown video codec"})
		return false
	}
	p.videoCodec = req.VideoCodec
	p.audioOnly = req.AudioOnly
	mode, ok := parseReceive(req.Receive)
	if !ok {
		s.refuseJoin(p, &Error{Code: CodeBadMessage, Message: "receive must be all, speaker or none"})
		return false
	}
	p.receive = mode
	name, err := cleanName(req.Name)
	if err != nil || req.Room == "" || len(req.Room) > 128 {
		s.refuseJoin(p, &Error{Code: CodeBadName, Message: "invalid name or room"})
		return false
	}
	if node, err := s.place(p.ctx, req.Room); err != nil || node != "" {
		if err != nil {
			s.refuseJoin(p, joinError(err))
		} else {
			s.redirect(p, node)
		}
		return false
	}
	adm, err := s.ctrl.authorize(p.ctx, p, req.Room, req.Auth)
	if err != nil {
		s.refuseJoin(p, joinError(err))
		return false
	}
	room, err := s.enter(p, req.Room, name, adm.chair != control.GrantNone)
	if err != nil {
		s.ctrl.forget(adm.cr)
		s.refuseJoin(p, joinError(err))
		return false
	}
	p.room = room
	p.gate.publishing(true, true)
	s.met.participants.Inc()
	if err := s.ctrl.admit(p.ctx, adm, p); err != nil {
		s.refuseJoin(p, joinError(err))
		p.leave()
		return false
	}
	return s.startSession(p)
}

// enter finds or creates the media room and adds p, retrying once if the
// room emptied and was dropped in between.
func (s *Server) enter(p *Peer, roomID, name string, chair bool) (*Room, error) {
	for range 2 {
		room, err := s.roomFor(roomID)
		if err != nil {
			return nil, err
		}
		if err = room.add(p, name, chair); !errors.Is(err, ErrNoRoom) {
			return room, err
		}
	}
	return nil, ErrNoRoom
}

func (s *Server) startSession(p *Peer) bool {
	ice, err := s.iceServersFor(p)
	if err != nil {
		p.log.Error("ice servers", "err", err)
	}
	p.room.announce(p, func(others []ParticipantInfo) any {
		return joinedMsg{Type: MsgJoined, ID: p.id, Name: p.name, Resume: p.resumeToken,
			ICEServers: ice, Participants: others}
	})
	p.actorWG.Add(1)
	go p.run()
	if err := p.inActor(p.startMedia); err != nil {
		p.log.Error("start media", "err", err)
		p.Disconnect(CloseMediaFailed, "media setup failed")
		p.leave()
		return false
	}
	return true
}

func (s *Server) iceServersFor(p *Peer) ([]ICEServer, error) {
	out := append([]ICEServer{}, s.cfg.ICEServers...)
	if s.turn == nil {
		return out, nil
	}
	c, err := s.turn.credentials(p.id)
	if err != nil {
		return out, err
	}
	return append(out, c), nil
}

func joinError(err error) *Error {
	var e *Error
	switch {
	case errors.As(err, &e):
		return e
	case errors.Is(err, ErrNoRoom):
		return &Error{Code: CodeNoRoom, Message: "no such room"}
	case errors.Is(err, ErrRoomFull):
		return &Error{Code: CodeRoomFull, Message: "the room is full"}
	case errors.Is(err, context.Canceled):
		return &Error{Code: CodeRefused, Message: "gone"}
	default:
		return &Error{Code: CodeRefused, Message: "join refused", Err: err}
	}
}

func (s *Server) refuseJoin(p *Peer, e *Error) {
	_ = p.refuse(e)
	p.ws.close(CloseRefused, e.Code)
}

// leave removes p from its room and waits for all its goroutines. It is
// safe to call more than once.
func (p *Peer) leave() {
	p.leaveOnce.Do(func() {
		p.cancel()
		p.goMu.Lock()
		p.stopping = true
		p.goMu.Unlock()
		gone := p.room.remove(p)
		p.srv.met.participants.Dec()
		p.room.Broadcast(participantMsg{Type: MsgParticipant, Event: "left", Who: ParticipantInfo{ID: p.id}}, p.id)
		// The actor loop has stopped (or never started) once wg's actor
		// share is done; close the PeerConnection after it so that only one
		// goroutine at a time ever touches it.
		p.actorWG.Wait()
		for _, dt := range p.downs {
			dt.up.removeSub(dt)
		}
		if p.pc != nil {
			_ = p.pc.Close()
		}
		p.wg.Wait()
		for _, up := range gone {
			<-up.done
		}
		p.srv.dropRoomIfEmpty(p.room)
		p.ws.close(CloseNormal, "")
	})
}
