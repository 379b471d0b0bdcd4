package sfu

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/coder/websocket"
	"github.com/hearth-recovery/hearth/sfu/control"
	"golang.org/x/time/rate"
)

// maxSecretBytes bounds a passcode, host key or admin token in a join.
const maxSecretBytes = 256

// joinAuth is the auth object of a join message. Never logged.
type joinAuth struct {
	Passcode   string `json:"passcode,omitempty"`
	HostKey    string `json:"hostKey,omitempty"`
	AdminToken string `json:"adminToken,omitempty"`
}

// admit is the admission step of join: it checks secrets through the
// limiter, then asks the state machine, and holds a waiting participant
// until a chair decides.
func (c *Controller) admit(ctx context.Context, room *Room, p *Peer, join JoinRequest) error {
	var auth joinAuth
	if len(join.Auth) > 0 {
		if err := json.Unmarshal(join.Auth, &auth); err != nil {
			return &Error{Code: string(control.CodeInvalid), Message: "malformed auth"}
		}
	}
	if len(auth.Passcode) > maxSecretBytes || len(auth.HostKey) > maxSecretBytes || len(auth.AdminToken) > maxSecretBytes {
		return &Error{Code: string(control.CodeInvalid), Message: "secret too long"}
	}
	cr, err := c.roomFor(ctx, room)
	if err != nil {
		return err
	}
	req := control.JoinRequest{ID: control.ParticipantID(p.ID()), Name: p.Name(),
		Identity: control.Identity{BrowserID: p.browserID, ResumeToken: p.resumeToken}}
	if req.Chair, err = c.grant(ctx, cr, p, auth); err != nil {
		return err
	}
	if req.Chair == control.GrantNone && cr.settings.PasscodeRequired && auth.Passcode != "" {
		if req.PasscodeOK, err = c.tryPasscode(ctx, cr, p, auth.Passcode); err != nil {
			return err
		}
	}
	return c.enter(ctx, cr, p, req)
}

// grant checks the admin token, then the host key.
func (c *Controller) grant(ctx context.Context, cr *controlRoom, p *Peer, auth joinAuth) (control.ChairGrant, error) {
	if auth.AdminToken != "" && c.cfg.Chairs.IsAdminToken(ctx, auth.AdminToken) {
		return control.GrantAdminToken, nil
	}
	if auth.HostKey == "" {
		return control.GrantNone, nil
	}
	ok, err := c.tryHostKey(ctx, cr, p, auth.HostKey, "")
	switch {
	case err != nil:
		return control.GrantNone, controlError(err)
	case !ok:
		return control.GrantNone, &Error{Code: string(control.CodeBadHostKey), Message: "wrong host key"}
	}
	return control.GrantHostKey, nil
}

func (c *Controller) tryPasscode(ctx context.Context, cr *controlRoom, p *Peer, passcode string) (bool, error) {
	cr.mu.Lock()
	tk, err := cr.st.BeginSecret(control.SecretPasscode, p.browserID, "")
	cr.mu.Unlock()
	if err != nil {
		return false, controlError(err)
	}
	ok, verr := c.cfg.Chairs.VerifyPasscode(ctx, cr.roomID, passcode)
	ok = ok && verr == nil
	cr.mu.Lock()
	_, err = cr.st.FinishSecret(tk, ok)
	cr.mu.Unlock()
	if !ok {
		c.log.Info("wrong passcode", "room", cr.roomID, "peer", p.ID()[:8], "err", verr)
	}
	return ok, controlError(err)
}

// enter joins the state machine and waits if told to.
func (c *Controller) enter(ctx context.Context, cr *controlRoom, p *Peer, req control.JoinRequest) error {
	cr.mu.Lock()
	a, evs := cr.st.Join(req)
	var decided chan struct{}
	switch a.Status {
	case control.StatusAdmitted:
		p.SetMediaGate(a.Perms.Audio, a.Perms.Video)
	case control.StatusWaiting:
		cr.peers[req.ID] = p
		p.SetMediaGate(false, false)
		decided = make(chan struct{})
		cr.waiters[req.ID] = decided
	}
	out := cr.applyLocked(evs)
	if a.Status == control.StatusAdmitted {
		// Added after the events are addressed: nothing may reach the
		// newcomer before its joined reply; it asks for control-state.
		cr.peers[req.ID] = p
	}
	cr.mu.Unlock()
	send(out)
	if a.Status == control.StatusRefused {
		cr.c.forget(cr)
		return &Error{Code: string(a.Reason), Message: "join refused: " + string(a.Reason)}
	}
	go func() { <-p.ctx.Done(); cr.leave(p) }()
	if a.Status == control.StatusWaiting {
		return c.wait(ctx, cr, p, decided)
	}
	return nil
}

// wait holds a participant in the waiting room. It reads the socket itself
// (the session loop has not started): that answers keepalive pings, lets
// the participant leave or claim the chair with the host key, and wakes up
// on the client's ready message, its reply to the admitted event.
func (c *Controller) wait(ctx context.Context, cr *controlRoom, p *Peer, decided chan struct{}) error {
	_ = p.Send(controlEventMsg{Type: MsgControl, Event: "waiting"})
	cfg := p.srv.cfg
	lim := rate.NewLimiter(rate.Limit(cfg.MessagesPerSecond), cfg.MessageBurst)
	for {
		select {
		case <-decided:
			cr.mu.Lock()
			admitted := cr.peers[control.ParticipantID(p.ID())] == p
			cr.mu.Unlock()
			if admitted {
				return nil
			}
			return &Error{Code: string(control.CodeDenied), Message: "not admitted"}
		default:
		}
		raw, err := readWaiting(p, lim)
		if err != nil {
			return err
		}
		var m controlMsg
		if json.Unmarshal(raw, &m) != nil {
			continue
		}
		switch m.Type {
		case MsgLeave:
			return errors.New("sfu: left the waiting room")
		case MsgClaimChair:
			if m.HostKey != "" && len(m.HostKey) <= maxSecretBytes {
				_, _ = c.tryHostKey(ctx, cr, p, m.HostKey, control.ParticipantID(p.ID()))
			}
		}
	}
}

// readWaiting reads one message of a waiting participant. Unlike the
// session loop it does not stop when the peer's context ends: a denied or
// removed participant must still receive its disconnect event and close
// code, and the read ends when the server's close handshake completes.
func readWaiting(p *Peer, lim *rate.Limiter) ([]byte, error) {
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
