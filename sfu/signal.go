package sfu

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"
)

// Handler handles one client message of a registered type. raw is the
// whole message. It runs on the client's read goroutine; an *Error return
// is sent to the client and the session goes on, any other error closes it.
type Handler func(ctx context.Context, p *Peer, raw json.RawMessage) error

// coreHandlers is the dispatch table of the media protocol; other message
// types are added with Server.Handle.
func coreHandlers() map[string]Handler {
	return map[string]Handler{
		MsgAnswer:    handleAnswer,
		MsgCandidate: handleCandidate,
		MsgMute:      handleMute,
		MsgLeave:     handleLeave,
		MsgSelect:    handleSelect,
		MsgReceive:   handleReceive,
		MsgVideoSize: handleVideoSize,
		MsgJoin: func(context.Context, *Peer, json.RawMessage) error {
			return &Error{Code: CodeOutOfOrder, Message: "already joined"}
		},
	}
}

// serveClient runs one client's session: join, then messages until it
// leaves or is disconnected.
func (s *Server) serveClient(c *websocket.Conn, id clientID, path string) {
	ws := newWSConn(c, s.met.slowClients.Inc)
	ws.startWriter(s.cfg.PingInterval)
	p := newPeer(s, ws)
	p.clientID = id
	p.signalPath = path
	defer p.cancel()
	lim := rate.NewLimiter(rate.Limit(s.cfg.MessagesPerSecond), s.cfg.MessageBurst)
	raw, err := p.readMessage(lim)
	if err != nil {
		p.ws.close(CloseNormal, "")
		<-ws.writerDone
		return
	}
	if s.resumeRequested(raw) {
		if !s.redirectResume(p, raw) {
			s.resume(p, raw) // hands the connection over, or refuses
			return
		}
		<-p.ws.writerDone
		return
	}
	if !s.join(p, raw) {
		<-p.ws.writerDone
		return
	}
	defer func() { <-p.ws.writerDone }() // runs after leave has closed the socket
	defer p.leave()
	for {
		raw, err := p.readMessage(lim)
		if err != nil {
			if !p.resumable(err) || !p.awaitResume() {
				p.ws.close(CloseNormal, "")
				return
			}
			continue
		}
		if err := s.dispatch(p, raw); err != nil {
			return
		}
	}
}

// readWaiting reads one message of a participant in the waiting room
// (room control reads its messages then, before the session loop starts).
// Unlike readMessage it does not stop when the peer's context ends: a
// denied or removed participant must still receive its disconnect event
// and close code, and the read ends when the server's close handshake
// completes. A rate or type violation closes the socket.
func (p *Peer) readWaiting(lim *rate.Limiter) ([]byte, error) {
	typ, b, err := p.ws.c.Read(context.WithoutCancel(p.ctx))
	if err != nil {
		p.ws.close(CloseNormal, "")
		return nil, err
	}
	if !lim.Allow() || typ != websocket.MessageText {
		p.ws.close(CloseViolation, "message rate exceeded or binary message")
		return nil, errors.New("sfu: waiting client misbehaved")
	}
	return b, nil
}

// readMessage reads one message within the rate limit. A rate or type
// violation closes the socket; a read error is returned for the caller to
// judge (a lost network may be resumed).
func (p *Peer) readMessage(lim *rate.Limiter) (json.RawMessage, error) {
	typ, b, err := p.ws.c.Read(p.ctx)
	if err != nil {
		return nil, err
	}
	if !lim.Allow() {
		p.srv.met.closedByRate.Inc()
		p.ws.close(CloseViolation, "message rate exceeded")
		return nil, errors.New("sfu: rate limit")
	}
	if typ != websocket.MessageText {
		p.ws.close(CloseViolation, "binary message")
		return nil, errors.New("sfu: binary message")
	}
	return b, nil
}

// dispatch routes one message. It returns an error only to end the session.
func (s *Server) dispatch(p *Peer, raw json.RawMessage) error {
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return p.refuse(&Error{Code: CodeBadMessage, Message: "not a JSON object with a type"})
	}
	h, ok := s.handlers[head.Type]
	if !ok {
		return p.refuse(&Error{Code: CodeUnknownType, Message: "unknown message type"})
	}
	err := h(p.ctx, p, raw)
	var e *Error
	if errors.As(err, &e) {
		return p.refuse(e)
	}
	return err
}

// refuse sends an error message; the session carries on.
func (p *Peer) refuse(e *Error) error {
	if e.Err != nil {
		p.log.Debug("message refused", "code", e.Code, "err", e.Err)
	}
	_ = p.Send(ErrorMsg{Type: MsgError, Code: e.Code, Message: e.Message})
	return nil
}

// inActor runs f on the peer's actor loop and waits for its result.
func (p *Peer) inActor(f func() error) error {
	res := make(chan error, 1)
	if !p.do(func() { res <- f() }) {
		return ErrPeerClosed
	}
	select {
	case err := <-res:
		return err
	case <-p.ctx.Done():
		return ErrPeerClosed
	}
}

func decode(raw json.RawMessage, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return &Error{Code: CodeBadMessage, Message: "malformed message", Err: err}
	}
	return nil
}

func handleAnswer(_ context.Context, p *Peer, raw json.RawMessage) error {
	var m sdpMsg
	if err := decode(raw, &m); err != nil {
		return err
	}
	return p.inActor(func() error { return p.onAnswer(m.SDP) })
}

func handleCandidate(_ context.Context, p *Peer, raw json.RawMessage) error {
	var m candidateMsg
	if err := decode(raw, &m); err != nil {
		return err
	}
	if m.Candidate.Candidate == "" {
		return nil // end of candidates
	}
	return p.inActor(func() error { return p.onCandidate(m.Candidate) })
}

func handleMute(_ context.Context, p *Peer, raw json.RawMessage) error {
	var m muteMsg
	if err := decode(raw, &m); err != nil {
		return err
	}
	p.gate.publishing(m.Audio, m.Video)
	p.room.Broadcast(participantMsg{Type: MsgParticipant, Event: "updated", Who: p.room.info(p)}, p.id)
	return nil
}

func handleLeave(_ context.Context, p *Peer, _ json.RawMessage) error {
	p.ws.close(CloseNormal, "left")
	return errors.New("sfu: left")
}

// startGoroutine runs f as one of the peer's goroutines unless the peer is
// shutting down; leave waits for all of them.
func (p *Peer) startGoroutine(f func()) bool {
	p.goMu.Lock()
	defer p.goMu.Unlock()
	if p.stopping {
		return false
	}
	p.wg.Add(1)
	go func() { defer p.wg.Done(); f() }()
	return true
}
