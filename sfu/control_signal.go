package sfu

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/hearth-recovery/hearth/sfu/control"
)

// Control message types (see "Chair controls" in PROTOCOL.md). Every
// control.Command name is also a client message type.
const (
	MsgClaimChair   = "claim-chair"   // client: become chair with the host key or admin token
	MsgControlState = "control-state" // client: ask for the room's control state
	MsgControl      = "control"       // server: one control event
)

// controlMsg is every control request, decoded loosely; each type reads
// the fields it needs.
type controlMsg struct {
	Type           string `json:"type"`
	Target         string `json:"target,omitempty"`
	On             bool   `json:"on,omitempty"`
	Text           string `json:"text,omitempty"`
	Name           string `json:"name,omitempty"`
	ID             uint64 `json:"id,omitempty"`
	Seconds        int    `json:"seconds,omitempty"`
	DeleteMessages bool   `json:"deleteMessages,omitempty"`
	HostKey        string `json:"hostKey,omitempty"`
	Mode           string `json:"mode,omitempty"`
	ToChairs       bool   `json:"toChairs,omitempty"`
	Reaction       string `json:"reaction,omitempty"`
	WarnSeconds    int    `json:"warnSeconds,omitempty"`
	Reading        string `json:"reading,omitempty"`
	Paragraph      int    `json:"paragraph,omitempty"`
}

// chatMode reads set-chat: mode names the chat mode; the older on/off form
// still means everyone/off.
func chatMode(m controlMsg) control.ChatMode {
	switch {
	case m.Mode != "":
		return control.ChatMode(m.Mode)
	case m.On:
		return control.ChatEveryone
	}
	return control.ChatOff
}

func target(m controlMsg) control.ParticipantID { return control.ParticipantID(m.Target) }

// controlCommands maps a client message type to the command it asks for.
func controlCommands() map[string]func(controlMsg) control.Command {
	return map[string]func(controlMsg) control.Command{
		"set-locked":       func(m controlMsg) control.Command { return control.SetLocked{On: m.On} },
		"set-waiting-room": func(m controlMsg) control.Command { return control.SetWaitingRoom{On: m.On} },
		"admit":            func(m controlMsg) control.Command { return control.Admit{Target: target(m)} },
		"admit-all":        func(controlMsg) control.Command { return control.AdmitAll{} },
		"deny":             func(m controlMsg) control.Command { return control.Deny{Target: target(m)} },
		"deny-all":         func(controlMsg) control.Command { return control.DenyAll{} },
		"mute-member":      func(m controlMsg) control.Command { return control.Mute{Target: target(m)} },
		"mute-all":         func(controlMsg) control.Command { return control.MuteAll{} },
		"set-self-unmute":  func(m controlMsg) control.Command { return control.SetSelfUnmute{On: m.On} },
		"ask-unmute":       func(m controlMsg) control.Command { return control.AskUnmute{Target: target(m)} },
		"stop-video":       func(m controlMsg) control.Command { return control.StopVideo{Target: target(m)} },
		"stop-all-video":   func(controlMsg) control.Command { return control.StopAllVideo{} },
		"set-start-video":  func(m controlMsg) control.Command { return control.SetStartVideo{On: m.On} },
		"ask-video":        func(m controlMsg) control.Command { return control.AskVideo{Target: target(m)} },
		"remove": func(m controlMsg) control.Command {
			return control.Remove{Target: target(m), DeleteMessages: m.DeleteMessages}
		},
		"send-to-waiting":  func(m controlMsg) control.Command { return control.SendToWaiting{Target: target(m)} },
		"set-chat":         func(m controlMsg) control.Command { return control.SetChat{Mode: chatMode(m)} },
		"delete-chat":      func(m controlMsg) control.Command { return control.DeleteChat{ID: m.ID} },
		"set-rename-lock":  func(m controlMsg) control.Command { return control.SetRenameLock{On: m.On} },
		"secure":           func(controlMsg) control.Command { return control.Secure{} },
		"undo-secure":      func(controlMsg) control.Command { return control.UndoSecure{} },
		"set-reactions":    func(m controlMsg) control.Command { return control.SetReactions{On: m.On} },
		"react":            func(m controlMsg) control.Command { return control.React{Reaction: control.Reaction(m.Reaction)} },
		"self-mute":        func(controlMsg) control.Command { return control.SelfMute{} },
		"self-unmute":      func(controlMsg) control.Command { return control.SelfUnmute{} },
		"self-stop-video":  func(controlMsg) control.Command { return control.SelfStopVideo{} },
		"self-start-video": func(controlMsg) control.Command { return control.SelfStartVideo{} },
		"chat": func(m controlMsg) control.Command {
			return control.SendChat{Text: m.Text, ToChairs: m.ToChairs, To: target(m)}
		},
		"rename": func(m controlMsg) control.Command { return control.Rename{NewName: m.Name} },
		"rename-member": func(m controlMsg) control.Command {
			return control.RenameMember{Target: target(m), NewName: m.Name}
		},
		"raise-hand": func(controlMsg) control.Command { return control.RaiseHand{} },
		"lower-hand": func(m controlMsg) control.Command { return control.LowerHand{Target: target(m)} },
		"start-timer": func(m controlMsg) control.Command {
			return control.StartTimer{Target: target(m), Duration: time.Duration(m.Seconds) * time.Second,
				WarnBefore: time.Duration(m.WarnSeconds) * time.Second}
		},
		"stop-timer": func(controlMsg) control.Command { return control.StopTimer{} },
		"show-tradition": func(m controlMsg) control.Command {
			return control.ShowTradition{Duration: time.Duration(m.Seconds) * time.Second}
		},
		"hide-tradition":  func(controlMsg) control.Command { return control.HideTradition{} },
		"set-reader":      func(m controlMsg) control.Command { return control.SetReader{Target: target(m)} },
		"show-reading":    func(m controlMsg) control.Command { return control.ShowReading{ID: m.Reading} },
		"move-reading":    func(m controlMsg) control.Command { return control.MoveReading{Paragraph: m.Paragraph} },
		"close-reading":   func(controlMsg) control.Command { return control.CloseReading{} },
		"make-co-chair":   func(m controlMsg) control.Command { return control.MakeCoChair{Target: target(m)} },
		"revoke-co-chair": func(m controlMsg) control.Command { return control.RevokeCoChair{Target: target(m)} },
		"hand-over":       func(m controlMsg) control.Command { return control.HandOver{Target: target(m)} },
		"end-meeting":     func(controlMsg) control.Command { return control.EndMeeting{} },
	}
}

// handleCommand runs one control request from p.
func (c *Controller) handleCommand(_ context.Context, p *Peer, raw json.RawMessage) error {
	var m controlMsg
	if err := decode(raw, &m); err != nil {
		return err
	}
	build := c.commands[m.Type]
	cr := c.lookup(p.room.ID())
	if build == nil || cr == nil {
		return &Error{Code: CodeUnknownType, Message: "unknown message type"}
	}
	err := cr.do(func(st *control.Room) ([]control.Event, error) {
		return st.Handle(control.ParticipantID(p.ID()), build(m))
	})
	return controlError(err)
}

// controlError turns a refusal into an error message with its stable code.
func controlError(err error) error {
	if err == nil {
		return nil
	}
	var code control.Code
	if errors.As(err, &code) {
		return &Error{Code: string(code), Message: err.Error()}
	}
	return &Error{Code: CodeInternal, Message: "control failed", Err: err}
}

// handleState sends p the room's control state: its role and permissions,
// the switches, the share timer, the raised hands and the chat so far;
// chairs also get the waiting room.
func (c *Controller) handleState(_ context.Context, p *Peer, _ json.RawMessage) error {
	cr := c.lookup(p.room.ID())
	if cr == nil {
		return &Error{Code: string(control.CodeUnknownParticipant), Message: "not in a controlled room"}
	}
	id := control.ParticipantID(p.ID())
	cr.mu.Lock()
	role, ok := cr.st.Role(id)
	if ok && cr.peers[id] == p {
		cr.live[id] = true
	}
	perms, _ := cr.st.Perms(id)
	msg := stateMsg{Type: MsgControl, Event: "state", Role: role.String(), Perms: permsOut(perms),
		Switches: switchesOut(cr.st.Switches()), Timer: timerOut(cr.st.Timer()),
		Tradition: untilOut(cr.st.Tradition()), Chat: chatOut(cr.st.ChatHistoryFor(id)),
		Reading: openReadingOut(cr.st), Reader: string(cr.st.Reader()), Readings: readingTitlesOut(cr.st.Readings()),
		Chairs: idsOut(cr.st.Recipients(control.Audience{Kind: control.AudienceChairs})), Roles: rolesOut(cr.st.Chairs()),
		Hands: idsOut(cr.st.Hands())}
	if role >= control.RoleCoChair {
		msg.Waiting, msg.Guesses = waitingOut(cr.st.Waiting()), cr.st.Guesses()
	}
	cr.mu.Unlock()
	if !ok {
		return &Error{Code: string(control.CodeUnknownParticipant), Message: "not in the room"}
	}
	return p.Send(msg)
}

// handleClaimChair checks a host key offered from inside the room.
func (c *Controller) handleClaimChair(ctx context.Context, p *Peer, raw json.RawMessage) error {
	var m controlMsg
	if err := decode(raw, &m); err != nil {
		return err
	}
	cr := c.lookup(p.room.ID())
	if cr == nil || m.HostKey == "" || len(m.HostKey) > 256 {
		return &Error{Code: string(control.CodeInvalid), Message: "a host key is required"}
	}
	_, ok, err := c.tryHostKey(ctx, cr, p, m.HostKey, control.ParticipantID(p.ID()))
	if err != nil {
		return controlError(err)
	}
	if !ok {
		return &Error{Code: string(control.CodeBadHostKey), Message: "wrong host key"}
	}
	return nil
}

// tryHostKey runs one limited host-key attempt (trySecret). The admin
// token also grants chair, so it is accepted in the host key's place,
// inside the same limiter: a wrong value counts as one wrong try whichever
// it was meant to be. For a participant already known to the room, success
// makes it chair, under the service role of the key.
func (c *Controller) tryHostKey(ctx context.Context, cr *controlRoom, p *Peer, key string, id control.ParticipantID) (ChairKey, bool, error) {
	return c.trySecret(ctx, cr, p, control.SecretHostKey, key, id, func(ctx context.Context) (ChairKey, bool, error) {
		ck, ok, err := c.rooms.VerifyHostKey(ctx, cr.roomID, key)
		if ok && err == nil {
			return ck, true, nil
		}
		if c.rooms.IsAdminToken(ctx, key) {
			return ChairKey{}, true, nil
		}
		return ChairKey{}, false, err
	})
}
