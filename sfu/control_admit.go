package sfu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

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
	service    control.ServiceRole // the service role of the chair's host key
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
		a.chair, a.service = grant, ck.service()
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
	req := control.JoinRequest{ID: control.ParticipantID(p.ID()), Name: p.Name(), Chair: a.chair, Service: a.service,
		PasscodeOK: a.passcodeOK,
		Identity:   control.Identity{BrowserID: p.browser.id, ResumeToken: p.resumeToken}}
	return c.enter(ctx, a.cr, p, req)
}

// trySecret runs one attempt at a secret. It is screened first (known
// right, known wrong, or the room's fingerprint, see SecretScreener): a
// guess certainly wrong is counted against the client's limit and refused
// at once, never reaching the verify gate; one that may be right (the
// right secret always may) is verified whatever the client's limit says,
// so that no limiter keeps the rightful holder out. A secret that cannot be
// screened (stored before fingerprints) meets the client's limiter first,
// then waits its turn at the verify gate. A right host key also says which
// service role it is.
func (c *Controller) trySecret(ctx context.Context, cr *controlRoom, p *Peer, kind control.SecretKind, secret string,
	participant control.ParticipantID, verify verifyFunc) (ChairKey, bool, error) {
	set, err := c.rooms.Room(ctx, cr.roomID)
	if err != nil {
		return ChairKey{}, false, err
	}
	screen := c.screen(ctx, cr.roomID, set.SecretsVersion, kind, secret)
	if screen == ScreenWrong {
		return ChairKey{}, false, c.refuseScreened(ctx, cr, p, kind, participant)
	}
	var tk control.SecretTicket
	err = cr.do(func(st *control.Room) (evs []control.Event, err error) {
		if screen == ScreenMaybe {
			tk, err = st.BeginLikelySecret(kind, p.limiterKey(), participant)
			return nil, err
		}
		tk, evs, err = st.BeginSecret(kind, p.limiterKey(), participant)
		return evs, err
	})
	if err != nil {
		c.met.secrets.WithLabelValues("limited").Inc()
		c.log.Info("secret attempt refused", "room", cr.roomID, "peer", p.ID()[:8], "code", err)
		return ChairKey{}, false, err
	}
	ck, ok, err := c.check(ctx, cr, p, set, tk, kind, secret, verify)
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
	err = cr.do(func(st *control.Room) ([]control.Event, error) { return st.FinishSecret(tk, ok, ck.service()) })
	return ck, ok, err
}

// verifyFunc asks Rooms about one secret; a right host key also says
// which service role it is.
type verifyFunc func(context.Context) (ChairKey, bool, error)

// screen says what is known of a secret without verifying it.
func (c *Controller) screen(ctx context.Context, roomID, version string, kind control.SecretKind, secret string) SecretScreen {
	switch _, right, wrong := c.known.lookup(roomID, kind, version, secret, c.now()); {
	case right:
		return ScreenMaybe
	case wrong:
		return ScreenWrong
	}
	sc, ok := c.rooms.(SecretScreener)
	if !ok {
		return ScreenUnknown
	}
	s, err := sc.ScreenSecret(ctx, roomID, kind, secret)
	if err != nil {
		return ScreenUnknown // the slow way meets the error again and reports it
	}
	return s
}

// refuseScreened refuses a secret known to be wrong: it counts against the
// client's limit and may alert the chairs, like any wrong secret. A client
// past its limit is answered only after about as long as a verification
// takes, as its guesses that pass the fingerprint are (they are verified
// whatever the limit): so the timing does not tell it which of its guesses
// pass, which would let it search the fingerprint's 16 bits at the rate it
// can send joins.
func (c *Controller) refuseScreened(ctx context.Context, cr *controlRoom, p *Peer, kind control.SecretKind,
	participant control.ParticipantID) error {
	var tk control.SecretTicket
	err := cr.do(func(st *control.Room) (evs []control.Event, err error) {
		tk, evs, err = st.BeginSecret(kind, p.limiterKey(), participant)
		return evs, err
	})
	if err != nil {
		c.met.secrets.WithLabelValues("limited").Inc()
		c.pace.disguise(ctx)
		return err
	}
	c.met.secrets.WithLabelValues("wrong").Inc()
	return cr.do(func(st *control.Room) ([]control.Event, error) {
		return st.FinishSecret(tk, false, control.ServiceRole{})
	})
}

// check answers from the remembered secrets, or waits its turn and asks
// Rooms. Attempts at the same secret at the same time share one
// verification: a wrong guess that passes the fingerprint, sent on many
// sockets at once before it is remembered, reaches the gate once.
func (c *Controller) check(ctx context.Context, cr *controlRoom, p *Peer, set RoomSettings, tk control.SecretTicket,
	kind control.SecretKind, secret string, verify verifyFunc) (ChairKey, bool, error) {
	if ck, ok := c.known.right(cr.roomID, kind, set.SecretsVersion, secret, c.now()); ok {
		return ck, true, nil
	}
	flight := c.known.flight(cr.roomID, kind, set.SecretsVersion, secret)
	for {
		v, err, shared := c.flights.Do(flight, func() (any, error) {
			return c.verifyInTurn(ctx, cr, p, set, tk, kind, secret, verify)
		})
		if shared && err != nil && ctx.Err() == nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
			continue // the attempt we waited on gave up; ours has not
		}
		if err != nil {
			return ChairKey{}, false, err
		}
		r := v.(verdict)
		return r.chair, r.ok, nil
	}
}

// verdict is a verification's answer, shared by the attempts that waited
// on it.
type verdict struct {
	chair ChairKey
	ok    bool
}

// verifyInTurn waits for a turn at the verify gate and verifies.
func (c *Controller) verifyInTurn(ctx context.Context, cr *controlRoom, p *Peer, set RoomSettings, tk control.SecretTicket,
	kind control.SecretKind, secret string, verify verifyFunc) (verdict, error) {
	// A verification of this secret may have ended since it was screened.
	switch ck, right, wrong := c.known.lookup(cr.roomID, kind, set.SecretsVersion, secret, c.now()); {
	case right:
		return verdict{ck, true}, nil
	case wrong:
		return verdict{}, nil
	}
	gt := gateTicket{source: p.source, clean: tk.Clean()}
	if p.browser.signed {
		gt.cookie, gt.issued = p.browser.id, p.browser.issued.Unix()
	}
	start := time.Now()
	clean, err := c.gate.acquire(ctx, gt)
	if err != nil {
		if errors.Is(err, errVerifyBusy) {
			return verdict{}, fmt.Errorf("too many attempts at once, try again: %w", control.CodeRateLimited)
		}
		return verdict{}, err
	}
	ck, ok, err := verify(ctx)
	c.gate.release(gt, clean, verdictOf(ok, err))
	if err != nil {
		return verdict{}, err
	}
	c.pace.observe(time.Since(start))
	if ok {
		c.known.remember(cr.roomID, kind, set.SecretsVersion, secret, ck)
	} else {
		c.known.rememberWrong(cr.roomID, kind, set.SecretsVersion, secret)
	}
	return verdict{ck, ok}, nil
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
