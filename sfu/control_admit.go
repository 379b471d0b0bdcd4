package sfu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

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
	// PhonePIN is what the telephone gateway sends for a caller: the
	// meeting's phone PIN, which admits in the passcode's place.
	PhonePIN string `json:"phonePin,omitempty"`
}

// admission is what the secrets of a join earned, decided before the
// participant takes a place in the room.
type admission struct {
	cr         *controlRoom
	chair      control.ChairGrant
	label      string // the service role of the chair's host key
	passcodeOK bool
}

// authorize checks the secrets a join presents: the chair's (host key or
// admin token), then the passcode when the room needs one. It runs before
// the participant counts in the room, so that a chair is never refused for
// a crowd and a guess holds no place while it waits for its turn.
func (c *Controller) authorize(ctx context.Context, p *Peer, roomID string, raw json.RawMessage) (admission, error) {
	var auth joinAuth
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &auth); err != nil {
			return admission{}, &Error{Code: string(control.CodeInvalid), Message: "malformed auth"}
		}
	}
	if len(auth.Passcode) > maxSecretBytes || len(auth.HostKey) > maxSecretBytes || len(auth.AdminToken) > maxSecretBytes ||
		len(auth.PhonePIN) > maxSecretBytes {
		return admission{}, &Error{Code: string(control.CodeInvalid), Message: "secret too long"}
	}
	cr, err := c.roomFor(ctx, roomID)
	if err != nil {
		return admission{}, err
	}
	a := admission{cr: cr}
	if key, grant := chairSecret(auth); key != "" {
		ck, ok, err := c.tryHostKey(ctx, cr, p, key, "")
		switch {
		case err != nil:
			c.forget(cr)
			return a, controlError(err)
		case !ok:
			c.forget(cr)
			return a, &Error{Code: string(control.CodeBadHostKey), Message: "wrong host key"}
		}
		a.chair, a.label = grant, ck.Role
		return a, nil
	}
	kind, secret, verify := entrySecret(c.rooms, auth)
	if cr.settings.PasscodeRequired && secret != "" {
		_, ok, err := c.trySecret(ctx, cr, p, kind, secret, "", func(ctx context.Context) (ChairKey, bool, error) {
			ok, err := verify(ctx, cr.roomID, secret)
			return ChairKey{}, ok, err
		})
		if err != nil && !errors.Is(err, control.CodeBadPasscode) {
			c.forget(cr)
			return a, controlError(err)
		}
		a.passcodeOK = ok
	}
	return a, nil
}

// entrySecret is the member's secret a join offers: the passcode, or a
// telephone caller's phone PIN, tried within its own limits.
func entrySecret(rooms Rooms, auth joinAuth) (control.SecretKind, string, func(context.Context, string, string) (bool, error)) {
	if auth.Passcode == "" && auth.PhonePIN != "" {
		return control.SecretPhonePIN, auth.PhonePIN, rooms.VerifyPhonePIN
	}
	return control.SecretPasscode, auth.Passcode, rooms.VerifyPasscode
}

// chairSecret is the chair's secret a join offers: the host key, or the
// admin token, which is tried in its place and within the same limits.
func chairSecret(auth joinAuth) (string, control.ChairGrant) {
	if auth.HostKey != "" {
		return auth.HostKey, control.GrantHostKey
	}
	return auth.AdminToken, control.GrantAdminToken
}

// admit is the admission step of join, once the participant is in the
// media room: it asks the state machine, and holds a waiting participant
// until a chair decides.
func (c *Controller) admit(ctx context.Context, a admission, p *Peer) error {
	req := control.JoinRequest{ID: control.ParticipantID(p.ID()), Name: p.Name(), Chair: a.chair, Label: a.label,
		PasscodeOK: a.passcodeOK,
		Identity:   control.Identity{BrowserID: p.browser.id, ResumeToken: p.resumeToken}}
	return c.enter(ctx, a.cr, p, req)
}

// trySecret runs one attempt at a secret: the client's limiter, then a
// secret remembered as right (no wait), else a turn at the verify gate and
// verify. The limiter runs even for remembered secrets, so that it paces
// guessing however cheap a check is. A right host key also says which
// service role it is.
func (c *Controller) trySecret(ctx context.Context, cr *controlRoom, p *Peer, kind control.SecretKind, secret string,
	participant control.ParticipantID, verify verifyFunc) (ChairKey, bool, error) {
	var tk control.SecretTicket
	err := cr.do(func(st *control.Room) (evs []control.Event, err error) {
		tk, evs, err = st.BeginSecret(kind, p.limiterKey(), participant)
		return evs, err
	})
	if err != nil {
		c.met.secrets.WithLabelValues("limited").Inc()
		c.log.Info("secret attempt refused", "room", cr.roomID, "peer", p.ID()[:8], "code", err)
		return ChairKey{}, false, err
	}
	ck, ok, err := c.check(ctx, cr, p, tk, kind, secret, verify)
	if err != nil {
		if errors.Is(err, control.CodeRateLimited) {
			c.met.secrets.WithLabelValues("busy").Inc()
		}
		return ChairKey{}, false, err // the attempt stays counted as a failure
	}
	if !ok {
		c.met.secrets.WithLabelValues("wrong").Inc()
		c.log.Warn("wrong secret", "room", cr.roomID, "peer", p.ID()[:8], "kind", kind)
	} else {
		c.met.secrets.WithLabelValues("right").Inc()
	}
	err = cr.do(func(st *control.Room) ([]control.Event, error) { return st.FinishSecret(tk, ok, ck.Role) })
	return ck, ok, err
}

// verifyFunc asks Rooms about one secret; a right host key also says
// which service role it is.
type verifyFunc func(context.Context) (ChairKey, bool, error)

// check answers from the remembered secrets, or waits its turn and asks
// Rooms.
func (c *Controller) check(ctx context.Context, cr *controlRoom, p *Peer, tk control.SecretTicket, kind control.SecretKind,
	secret string, verify verifyFunc) (ChairKey, bool, error) {
	set, err := c.rooms.Room(ctx, cr.roomID)
	if err != nil {
		return ChairKey{}, false, err
	}
	if ck, ok := c.known.right(cr.roomID, kind, set.SecretsVersion, secret, c.now()); ok {
		return ck, true, nil
	}
	gt := gateTicket{source: p.source, clean: tk.Clean()}
	if p.browser.signed {
		gt.cookie, gt.issued = p.browser.id, p.browser.issued.Unix()
	}
	clean, err := c.gate.acquire(ctx, gt)
	if err != nil {
		if errors.Is(err, errVerifyBusy) {
			return ChairKey{}, false, fmt.Errorf("too many attempts at once, try again: %w", control.CodeRateLimited)
		}
		return ChairKey{}, false, err
	}
	ck, ok, err := verify(ctx)
	c.gate.release(gt, clean, verdictOf(ok, err))
	if err != nil {
		return ChairKey{}, false, err
	}
	if ok {
		c.known.remember(cr.roomID, kind, set.SecretsVersion, secret, ck)
	}
	return ck, ok, nil
}

func verdictOf(ok bool, err error) gateVerdict {
	switch {
	case err != nil:
		return verdictError
	case ok:
		return verdictRight
	}
	return verdictWrong
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
	version, carried := cr.carryLocked()
	cr.mu.Unlock()
	send(out)
	if version > 0 {
		c.carry.save(cr.roomID, version, carried)
	}
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
		raw, err := p.readWaiting(lim)
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
				_, _, _ = c.tryHostKey(ctx, cr, p, m.HostKey, control.ParticipantID(p.ID()))
			}
		}
	}
}
