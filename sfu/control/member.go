package control

import (
	"fmt"
	"slices"
	"time"
)

// SelfMute closes the sender's own audio gate.
type SelfMute struct{}

// SelfUnmute reopens the sender's audio gate, if self-unmute is on or a chair
// asked.
type SelfUnmute struct{}

// SelfStopVideo closes the sender's own video gate.
type SelfStopVideo struct{}

// SelfStartVideo reopens the sender's video gate, if start-video is on or a
// chair asked.
type SelfStartVideo struct{}

// SendChat posts a message. A member's message goes to everyone, or to the
// chairs only when ToChairs is set or the chat mode is ChatChairs. Only a
// chair or co-chair may address one participant (To): a private answer,
// which the chairs and co-chairs see too.
type SendChat struct {
	Text     string
	ToChairs bool
	To       ParticipantID
}

// Rename changes the sender's display name.
type Rename struct{ NewName string }

// RaiseHand puts the sender at the end of the raised-hand queue.
type RaiseHand struct{}

// LowerHand takes a hand out of the queue: the sender's own when Target is
// empty or the sender, anyone's for a chair.
type LowerHand struct{ Target ParticipantID }

func (SelfMute) Name() string       { return "self-mute" }
func (SelfUnmute) Name() string     { return "self-unmute" }
func (SelfStopVideo) Name() string  { return "self-stop-video" }
func (SelfStartVideo) Name() string { return "self-start-video" }
func (SendChat) Name() string       { return "chat" }
func (Rename) Name() string         { return "rename" }
func (RaiseHand) Name() string      { return "raise-hand" }
func (LowerHand) Name() string      { return "lower-hand" }

func (SelfMute) minRole() Role       { return RoleMember }
func (SelfUnmute) minRole() Role     { return RoleMember }
func (SelfStopVideo) minRole() Role  { return RoleMember }
func (SelfStartVideo) minRole() Role { return RoleMember }
func (SendChat) minRole() Role       { return RoleMember }
func (Rename) minRole() Role         { return RoleMember }
func (RaiseHand) minRole() Role      { return RoleMember }
func (LowerHand) minRole() Role      { return RoleMember }

func (SelfMute) apply(r *Room, p *participant) ([]Event, error) {
	p.audioMuted = true
	return []Event{r.permsEvent(p)}, nil
}

func (SelfUnmute) apply(r *Room, p *participant) ([]Event, error) {
	if !r.perms(p).SelfUnmute {
		return nil, fmt.Errorf("unmute: %w", CodeSelfUnmuteOff)
	}
	p.audioMuted, p.unmuteAllowed = false, false
	return []Event{r.permsEvent(p)}, nil
}

func (SelfStopVideo) apply(r *Room, p *participant) ([]Event, error) {
	p.videoStopped = true
	return []Event{r.permsEvent(p)}, nil
}

func (SelfStartVideo) apply(r *Room, p *participant) ([]Event, error) {
	if !r.perms(p).StartVideo {
		return nil, fmt.Errorf("start video: %w", CodeStartVideoOff)
	}
	p.videoStopped, p.videoAllowed = false, false
	return []Event{r.permsEvent(p)}, nil
}

func (c SendChat) apply(r *Room, p *participant) ([]Event, error) {
	if !r.perms(p).Chat {
		return nil, fmt.Errorf("chat: %w", CodeChatOff)
	}
	if err := validChat(c.Text, r.limits.ChatMaxBytes); err != nil {
		return nil, err
	}
	toChairs, err := r.chatAudience(c, p)
	if err != nil {
		return nil, err
	}
	now := r.clock.Now()
	l := r.limits
	p.chat.refill(now, l.ChatBurst, l.ChatRefill)
	r.roomChat.refill(now, l.RoomChatBurst, l.RoomChatRefill)
	member := p.role == RoleMember // chairs are not held back by a crowd
	switch {
	case p.chat.tokens == 0:
		return nil, fmt.Errorf("chat: %w", CodeRateLimited)
	case member && r.roomChat.tokens == 0:
		return nil, fmt.Errorf("chat: room-wide limit: %w", CodeRateLimited)
	}
	p.chat.spend(now, l.ChatBurst)
	if member {
		r.roomChat.spend(now, l.RoomChatBurst)
	}
	m := r.chat.add(ChatMessage{From: p.id, Name: p.name, Text: c.Text, At: now, ToChairs: toChairs, To: c.To})
	return r.chatEvents(m), nil
}

// chatAudience decides whether a message is for the chairs only: the
// server, not the sender's page, applies the chat mode.
func (r *Room) chatAudience(c SendChat, p *participant) (toChairs bool, err error) {
	if c.To == "" {
		return c.ToChairs || (p.role == RoleMember && r.chatMode == ChatChairs), nil
	}
	t := r.people[c.To]
	switch {
	case p.role == RoleMember:
		return false, fmt.Errorf("chat to %s: %w", c.To, CodePrivateChat)
	case t == nil || t.waiting != waitNone:
		return false, fmt.Errorf("chat to %s: %w", c.To, CodeUnknownParticipant)
	case t == p:
		return false, fmt.Errorf("chat to oneself: %w", CodeInvalid)
	}
	return true, nil
}

func (c Rename) apply(r *Room, p *participant) ([]Event, error) {
	if !r.perms(p).Rename {
		return nil, fmt.Errorf("rename: %w", CodeRenameLocked)
	}
	if err := validName(c.NewName, r.limits.NameMaxRunes); err != nil {
		return nil, err
	}
	now := r.clock.Now()
	if !p.lastRename.IsZero() && now.Before(p.lastRename.Add(r.limits.RenameInterval)) {
		return nil, fmt.Errorf("rename: %w", CodeRateLimited)
	}
	p.name, p.lastRename = c.NewName, now
	return []Event{{To: toEveryone(), Kind: KindRenamed, Subject: p.id, Name: p.name}}, nil
}

func (RaiseHand) apply(r *Room, p *participant) ([]Event, error) {
	if slices.Contains(r.hands, p.id) {
		return nil, nil
	}
	r.hands = append(r.hands, p.id)
	return []Event{{To: toOne(p.id), Kind: KindHand, Subject: p.id, Value: true}, r.handsEvent()}, nil
}

func (c LowerHand) apply(r *Room, p *participant) ([]Event, error) {
	target := c.Target
	if target == "" {
		target = p.id
	}
	if target != p.id && p.role < RoleCoChair {
		return nil, fmt.Errorf("lower hand of %s: %w", target, CodeNotChair)
	}
	i := slices.Index(r.hands, target)
	if i < 0 {
		return nil, fmt.Errorf("lower hand of %s: %w", target, CodeHandNotRaised)
	}
	r.hands = slices.Delete(r.hands, i, i+1)
	return []Event{{To: toOne(target), Kind: KindHand, Subject: target, By: p.id}, r.handsEvent()}, nil
}

// StartTimer starts a countdown for the current speaker, visible to all.
// WarnBefore (0: one minute) is how long before the end the speaker and
// the chairs are warned; a timer no longer than it gets no warning.
type StartTimer struct {
	Target     ParticipantID
	Duration   time.Duration
	WarnBefore time.Duration
}

// StopTimer stops the share timer.
type StopTimer struct{}

func (StartTimer) Name() string  { return "start-timer" }
func (StopTimer) Name() string   { return "stop-timer" }
func (StartTimer) minRole() Role { return RoleCoChair }
func (StopTimer) minRole() Role  { return RoleCoChair }

func (c StartTimer) apply(r *Room, _ *participant) ([]Event, error) {
	if t := r.people[c.Target]; t == nil || t.waiting != waitNone {
		return nil, fmt.Errorf("timer for %s: %w", c.Target, CodeUnknownParticipant)
	}
	if c.Duration < time.Second || c.Duration > r.limits.ShareTimerMax {
		return nil, fmt.Errorf("timer of %v outside 1s..%v: %w", c.Duration, r.limits.ShareTimerMax, CodeInvalid)
	}
	warn := c.WarnBefore
	if warn == 0 {
		warn = time.Minute
	}
	if warn < 0 || warn > r.limits.ShareTimerMax {
		return nil, fmt.Errorf("warning %v before the end outside 0..%v: %w", warn, r.limits.ShareTimerMax, CodeInvalid)
	}
	r.timer = TimerState{Subject: c.Target, Ends: r.clock.Now().Add(c.Duration)}
	if warn < c.Duration {
		r.timer.Warn = r.timer.Ends.Add(-warn)
	}
	return []Event{{To: toEveryone(), Kind: KindTimer, Subject: c.Target, Timer: r.timer}}, nil
}

func (StopTimer) apply(r *Room, _ *participant) ([]Event, error) {
	if r.timer.Ends.IsZero() {
		return nil, fmt.Errorf("stop timer: %w", CodeNoTimer)
	}
	r.timer = TimerState{}
	return []Event{{To: toEveryone(), Kind: KindTimer}}, nil
}

// NextTick is when Tick has something to report next: the share timer's
// warning, else its end; zero when no timer runs.
func (r *Room) NextTick() time.Time {
	if !r.timer.Warn.IsZero() {
		return r.timer.Warn
	}
	return r.timer.Ends
}

// Tick reports a share timer about to run out (once, to its speaker and
// the chairs) or run out. The SFU calls it periodically (about once a
// second); it is the only time-driven transition.
func (r *Room) Tick() []Event {
	now := r.clock.Now()
	if r.timer.Ends.IsZero() {
		return nil
	}
	if now.Before(r.timer.Ends) {
		if r.timer.Warn.IsZero() || now.Before(r.timer.Warn) {
			return nil
		}
		r.timer.Warn = time.Time{}
		ev := Event{Kind: KindTimerWarning, Subject: r.timer.Subject, Timer: r.timer}
		evs := []Event{ev}
		evs[0].To = toChairs()
		if p := r.people[r.timer.Subject]; p != nil && p.role < RoleCoChair {
			ev.To = toOne(p.id)
			evs = append(evs, ev)
		}
		return evs
	}
	subject := r.timer.Subject
	r.timer = TimerState{}
	return []Event{{To: toEveryone(), Kind: KindTimerExpired, Subject: subject}}
}
