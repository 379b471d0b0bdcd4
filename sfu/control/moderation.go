package control

import "fmt"

// Mute closes one member's audio gate. The member may reopen it only if
// self-unmute is on or a chair asks.
type Mute struct{ Target ParticipantID }

// MuteAll closes every member's audio gate.
type MuteAll struct{}

// SetSelfUnmute says whether members may reopen their own audio gate.
type SetSelfUnmute struct{ On bool }

// AskUnmute asks a member to unmute and lets it do so once. It never opens
// the gate itself.
type AskUnmute struct{ Target ParticipantID }

// StopVideo closes one member's video gate.
type StopVideo struct{ Target ParticipantID }

// StopAllVideo closes every member's video gate.
type StopAllVideo struct{}

// SetStartVideo says whether members may reopen their own video gate.
type SetStartVideo struct{ On bool }

// AskVideo asks a member to start video and lets it do so once.
type AskVideo struct{ Target ParticipantID }

// Remove disconnects a member (admitted or waiting) and bars its Identity
// until the meeting ends. DeleteMessages also deletes its chat for everyone.
type Remove struct {
	Target         ParticipantID
	DeleteMessages bool
}

// SetChat sets the chat mode: whom members may write to.
type SetChat struct{ Mode ChatMode }

// DeleteChat deletes one message for everyone.
type DeleteChat struct{ ID uint64 }

// SetRenameLock forbids or allows members to rename themselves.
type SetRenameLock struct{ On bool }

// Secure locks the room, mutes every member with self-unmute off, stops every
// member's video with start-video off, limits chat to the chairs (or leaves
// it off), stops renaming and turns reactions off, in one step. UndoSecure
// restores the switches; each part may also be undone by its own command.
type Secure struct{}

// UndoSecure sets the room switches back to what they were before Secure.
// Members stay muted and their cameras stay off: each turns its own back
// on, as self-unmute and start-video allow again.
type UndoSecure struct{}

// RenameMember gives a member (admitted or waiting) another display name:
// what a chair does with an offensive name, whatever the rename lock.
type RenameMember struct {
	Target  ParticipantID
	NewName string
}

func (Mute) Name() string          { return "mute-member" }
func (MuteAll) Name() string       { return "mute-all" }
func (SetSelfUnmute) Name() string { return "set-self-unmute" }
func (AskUnmute) Name() string     { return "ask-unmute" }
func (StopVideo) Name() string     { return "stop-video" }
func (StopAllVideo) Name() string  { return "stop-all-video" }
func (SetStartVideo) Name() string { return "set-start-video" }
func (AskVideo) Name() string      { return "ask-video" }
func (Remove) Name() string        { return "remove" }
func (SetChat) Name() string       { return "set-chat" }
func (DeleteChat) Name() string    { return "delete-chat" }
func (SetRenameLock) Name() string { return "set-rename-lock" }
func (Secure) Name() string        { return "secure" }
func (UndoSecure) Name() string    { return "undo-secure" }
func (RenameMember) Name() string  { return "rename-member" }

func (Mute) minRole() Role          { return RoleCoChair }
func (MuteAll) minRole() Role       { return RoleCoChair }
func (SetSelfUnmute) minRole() Role { return RoleCoChair }
func (AskUnmute) minRole() Role     { return RoleCoChair }
func (StopVideo) minRole() Role     { return RoleCoChair }
func (StopAllVideo) minRole() Role  { return RoleCoChair }
func (SetStartVideo) minRole() Role { return RoleCoChair }
func (AskVideo) minRole() Role      { return RoleCoChair }
func (Remove) minRole() Role        { return RoleCoChair }
func (SetChat) minRole() Role       { return RoleCoChair }
func (DeleteChat) minRole() Role    { return RoleCoChair }
func (SetRenameLock) minRole() Role { return RoleCoChair }
func (Secure) minRole() Role        { return RoleCoChair }
func (UndoSecure) minRole() Role    { return RoleCoChair }
func (RenameMember) minRole() Role  { return RoleCoChair }

func (c Mute) apply(r *Room, from *participant) ([]Event, error) {
	p, err := r.admittedMember(c.Target)
	if err != nil {
		return nil, err
	}
	p.audioMuted, p.unmuteAllowed = true, false
	return []Event{r.permsEvent(p), announce(from, ControlMute, true, p.id)}, nil
}

func (MuteAll) apply(r *Room, from *participant) ([]Event, error) {
	evs := r.muteAll()
	return append(evs, announce(from, ControlMuteAll, true, "")), nil
}

func (r *Room) muteAll() []Event {
	var evs []Event
	for _, p := range r.members() {
		p.audioMuted, p.unmuteAllowed = true, false
		evs = append(evs, r.permsEvent(p))
	}
	return evs
}

func (c SetSelfUnmute) apply(r *Room, from *participant) ([]Event, error) {
	r.selfUnmute = c.On
	return append(r.memberPerms(), announce(from, ControlSelfUnmute, c.On, "")), nil
}

// memberPerms tells every member its permissions after a room switch.
func (r *Room) memberPerms() []Event {
	var evs []Event
	for _, p := range r.members() {
		evs = append(evs, r.permsEvent(p))
	}
	return evs
}

func (c AskUnmute) apply(r *Room, from *participant) ([]Event, error) {
	p, err := r.admittedMember(c.Target)
	if err != nil {
		return nil, err
	}
	p.unmuteAllowed = true
	evs := []Event{{To: toOne(p.id), Kind: KindAskUnmute, Subject: p.id, By: from.id}, r.permsEvent(p)}
	return append(evs, r.autoShareTimer(p, from)...), nil
}

// autoShareTimer starts the room's share timer for a member a chair asked
// to unmute, when the meeting's settings say so (issue 15): the chair
// unmutes someone for a share and the timer starts with it. A timer
// already running for that member keeps running (asked twice is one
// share); one running for someone else is replaced.
func (r *Room) autoShareTimer(p, from *participant) []Event {
	d := r.settings.ShareTimer
	if d <= 0 || (!r.timer.Ends.IsZero() && r.timer.Subject == p.id) {
		return nil
	}
	evs, err := StartTimer{Target: p.id, Duration: d}.apply(r, from)
	if err != nil { // the settings were checked with the limits; nothing to start
		return nil
	}
	return evs
}

func (c StopVideo) apply(r *Room, from *participant) ([]Event, error) {
	p, err := r.admittedMember(c.Target)
	if err != nil {
		return nil, err
	}
	p.videoStopped, p.videoAllowed = true, false
	return []Event{r.permsEvent(p), announce(from, ControlStopVideo, true, p.id)}, nil
}

func (StopAllVideo) apply(r *Room, from *participant) ([]Event, error) {
	evs := r.stopAllVideo()
	return append(evs, announce(from, ControlStopAll, true, "")), nil
}

func (r *Room) stopAllVideo() []Event {
	var evs []Event
	for _, p := range r.members() {
		p.videoStopped, p.videoAllowed = true, false
		evs = append(evs, r.permsEvent(p))
	}
	return evs
}

func (c SetStartVideo) apply(r *Room, from *participant) ([]Event, error) {
	r.startVideo = c.On
	return append(r.memberPerms(), announce(from, ControlStartVideo, c.On, "")), nil
}

func (c AskVideo) apply(r *Room, from *participant) ([]Event, error) {
	p, err := r.admittedMember(c.Target)
	if err != nil {
		return nil, err
	}
	p.videoAllowed = true
	return []Event{{To: toOne(p.id), Kind: KindAskVideo, Subject: p.id, By: from.id}, r.permsEvent(p)}, nil
}

func (c Remove) apply(r *Room, from *participant) ([]Event, error) {
	p, err := r.member(c.Target)
	if err != nil {
		return nil, err
	}
	r.bar(p.identity)
	evs := []Event{{To: toOne(p.id), Kind: KindDisconnect, Subject: p.id, Reason: CodeRemoved}}
	if p.waiting != waitNone {
		delete(r.people, p.id)
		return append(evs, r.waitingListEvent()), nil
	}
	// The removal is announced before the leave, so that clients tell it
	// as a removal under the name the member had.
	evs = append(evs, announce(from, ControlRemove, true, p.id))
	evs = append(evs, r.Leave(p.id)...)
	if c.DeleteMessages {
		for _, id := range r.chat.deleteFrom(p.id) {
			evs = append(evs, Event{To: toEveryone(), Kind: KindChatDeleted, ChatID: id, By: from.id})
		}
	}
	return evs, nil
}

func (c SetChat) apply(r *Room, from *participant) ([]Event, error) {
	if !c.Mode.valid() {
		return nil, fmt.Errorf("chat mode %q: %w", c.Mode, CodeInvalid)
	}
	r.chatMode = c.Mode
	return append(r.memberPerms(), r.chatModeEvent(from)), nil
}

func (r *Room) chatModeEvent(by *participant) Event {
	ev := announce(by, ControlChat, r.chatMode != ChatOff, "")
	ev.Mode = r.chatMode
	return ev
}

func (c DeleteChat) apply(r *Room, from *participant) ([]Event, error) {
	if !r.chat.delete(c.ID) {
		return nil, fmt.Errorf("delete chat %d: %w", c.ID, CodeUnknownMessage)
	}
	return []Event{{To: toEveryone(), Kind: KindChatDeleted, ChatID: c.ID, By: from.id}}, nil
}

func (c SetRenameLock) apply(r *Room, from *participant) ([]Event, error) {
	r.renameLock = c.On
	return append(r.memberPerms(), announce(from, ControlRenameLock, c.On, "")), nil
}

func (Secure) apply(r *Room, from *participant) ([]Event, error) {
	if r.beforeSecure == nil {
		before := r.Switches()
		r.beforeSecure = &before
	}
	r.locked, r.selfUnmute, r.startVideo, r.renameLock, r.reactions = true, false, false, true, false
	if r.chatMode == ChatEveryone {
		r.chatMode = ChatChairs
	}
	for _, p := range r.members() {
		p.audioMuted, p.unmuteAllowed = true, false
		p.videoStopped, p.videoAllowed = true, false
	}
	evs := r.memberPerms()
	evs = append(evs, r.switchEvents(from)...)
	evs = append(evs, announce(from, ControlMuteAll, true, ""), announce(from, ControlStopAll, true, ""))
	// A named reader is a member with a say over everyone's screen: a
	// raider could have been given it. Undo does not give it back.
	evs = append(evs, r.dropReader(r.reader, from.id)...)
	return append(evs, announce(from, ControlSecure, true, "")), nil
}

func (UndoSecure) apply(r *Room, from *participant) ([]Event, error) {
	b := r.beforeSecure
	if b == nil {
		return nil, fmt.Errorf("undo secure: %w", CodeNotSecured)
	}
	r.beforeSecure = nil
	r.locked, r.selfUnmute, r.startVideo, r.chatMode, r.renameLock = b.Locked, b.SelfUnmute, b.StartVideo, b.ChatMode, b.RenameLock
	r.reactions = b.Reactions
	evs := append(r.memberPerms(), r.switchEvents(from)...)
	return append(evs, announce(from, ControlSecure, false, "")), nil
}

// switchEvents announces the switches that Secure and UndoSecure set.
func (r *Room) switchEvents(by *participant) []Event {
	return []Event{
		announce(by, ControlLocked, r.locked, ""), announce(by, ControlSelfUnmute, r.selfUnmute, ""),
		announce(by, ControlStartVideo, r.startVideo, ""), r.chatModeEvent(by),
		announce(by, ControlRenameLock, r.renameLock, ""), announce(by, ControlReactions, r.reactions, ""),
	}
}

func (c RenameMember) apply(r *Room, _ *participant) ([]Event, error) {
	p, err := r.member(c.Target)
	if err != nil {
		return nil, err
	}
	if err := validName(c.NewName, r.limits.NameMaxRunes); err != nil {
		return nil, err
	}
	p.name = c.NewName
	if p.waiting != waitNone {
		return []Event{r.waitingListEvent()}, nil
	}
	return []Event{{To: toEveryone(), Kind: KindRenamed, Subject: p.id, Name: p.name}}, nil
}
