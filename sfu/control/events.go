package control

import "time"

// ParticipantID names one connection in a room. The SFU issues it.
type ParticipantID string

// Role is a participant's standing in the room. Higher roles include the
// rights of lower ones.
type Role int

// Roles.
const (
	RoleMember  Role = iota
	RoleCoChair      // may use every moderation control on members
	RoleChair        // also appoints co-chairs, hands over, ends the meeting
)

// String returns the role's wire name.
func (r Role) String() string {
	switch r {
	case RoleChair:
		return "chair"
	case RoleCoChair:
		return "co-chair"
	default:
		return "member"
	}
}

// ChatMode says whom members may write to. Chairs and co-chairs may
// always write, to everyone, to the chairs or to one participant.
type ChatMode string

// Chat modes.
const (
	ChatOff      ChatMode = "off"      // members cannot post
	ChatChairs   ChatMode = "chairs"   // a member's message reaches the chairs and co-chairs only
	ChatEveryone ChatMode = "everyone" // a member's message reaches everyone
)

// valid reports whether m is one of the modes above.
func (m ChatMode) valid() bool { return m == ChatOff || m == ChatChairs || m == ChatEveryone }

// Perms are what the SFU lets a participant do right now. Audio and Video
// drive the media gate checked on the packet path: when false, the SFU drops
// the participant's packets whatever its browser sends.
type Perms struct {
	Audio      bool // audio packets are forwarded
	Video      bool // video packets are forwarded
	Chat       bool // may post chat
	Rename     bool // may rename itself
	SelfUnmute bool // may reopen its own audio gate
	StartVideo bool // may reopen its own video gate
	React      bool // may show reactions
}

// AudienceKind says who receives an Event.
type AudienceKind int

// Audiences. Waiting participants are never part of AudienceEveryone or
// AudienceChairs; they only get events addressed to them.
const (
	AudienceOne      AudienceKind = iota // Audience.ID only
	AudienceChairs                       // admitted chairs and co-chairs
	AudienceEveryone                     // every admitted participant
)

// Audience is the recipient set of an Event. Resolve it with Room.Recipients
// at the time the events are returned.
type Audience struct {
	Kind AudienceKind
	ID   ParticipantID // for AudienceOne
}

func toOne(id ParticipantID) Audience { return Audience{Kind: AudienceOne, ID: id} }

func toChairs() Audience { return Audience{Kind: AudienceChairs} }

func toEveryone() Audience { return Audience{Kind: AudienceEveryone} }

// Kind names an event. Kinds are part of the signaling protocol.
type Kind string

// Event kinds. The SFU must act on the three effect kinds (KindAdmitted,
// KindPerms, KindDisconnect); the rest it forwards to the audience.
const (
	KindAdmitted     Kind = "admitted"      // effect: start media for Subject; Perms and Role set
	KindPerms        Kind = "perms"         // effect: set Subject's media gate to Perms
	KindDisconnect   Kind = "disconnect"    // effect: close Subject's connection with Reason
	KindJoined       Kind = "joined"        // Subject (Name, Role) is in the room
	KindLeft         Kind = "left"          // Subject left the room
	KindWaitingList  Kind = "waiting-list"  // Waiting: the waiting room, in arrival order
	KindControl      Kind = "control"       // By changed Control (to Value, about Subject if set)
	KindRole         Kind = "role"          // Subject's Role changed
	KindRenamed      Kind = "renamed"       // Subject is now called Name
	KindChat         Kind = "chat"          // Chat was posted
	KindChatDeleted  Kind = "chat-deleted"  // message ChatID was deleted for everyone
	KindReaction     Kind = "reaction"      // Subject shows Reaction on its tile
	KindHands        Kind = "hands"         // Hands: the raised-hand queue, oldest first
	KindHand         Kind = "hand"          // Subject's own hand is raised (Value)
	KindAskUnmute    Kind = "ask-unmute"    // By asks Subject to unmute; Subject now may
	KindAskVideo     Kind = "ask-video"     // By asks Subject to start video; Subject now may
	KindTimer        Kind = "timer"         // Timer changed; zero Timer.Ends means stopped
	KindTimerExpired Kind = "timer-expired" // the share timer of Subject ran out
	KindTimerWarning Kind = "timer-warning" // Subject's share timer ends soon (Timer.Ends); to Subject and chairs
	KindEnded        Kind = "ended"         // the meeting was ended by By
	KindGuessing     Kind = "guessing"      // Count wrong secrets were tried in the last minute (to chairs)
	KindTradition    Kind = "tradition"     // By shows the 7th-Tradition card Until then; zero Until: taken down
	KindReader       Kind = "reader"        // By named Subject the reader; empty Subject: no reader
	KindReading      Kind = "reading"       // By opened Reading (at paragraph 0); empty Reading.ID: closed
	KindReadingMoved Kind = "reading-moved" // By moved the open reading to Reading.Paragraph
)

// Control names carried by KindControl events, one per room-wide switch or
// per-participant action.
const (
	ControlLocked        = "locked"
	ControlWaitingRoom   = "waiting-room"
	ControlSelfUnmute    = "self-unmute"
	ControlStartVideo    = "start-video"
	ControlChat          = "chat" // Mode carries the chat mode; Value is false when off
	ControlRenameLock    = "rename-lock"
	ControlReactions     = "reactions"
	ControlMute          = "mute"
	ControlMuteAll       = "mute-all"
	ControlStopVideo     = "stop-video"
	ControlStopAll       = "stop-all-video"
	ControlRemove        = "remove"
	ControlSentToWaiting = "send-to-waiting" // Subject was moved back to the waiting room
	ControlSecure        = "secure"
	ControlReopened      = "reopened" // a chair opened an ended meeting again
)

// WaitingEntry is one waiting participant as chairs see it: a display name
// and the id to admit or deny, nothing about where they connect from.
type WaitingEntry struct {
	ID   ParticipantID
	Name string
}

// ChatMessage is one chat line, held in memory for the meeting only.
//
// A message is public, or private: ToChairs marks a message that only the
// chairs and co-chairs, its sender and its addressee To (if any) may see.
// Members never address one participant: only chairs answer one member.
type ChatMessage struct {
	ID       uint64
	From     ParticipantID
	Name     string
	Text     string
	At       time.Time
	ToChairs bool
	To       ParticipantID // a chair's private answer to this participant
}

// visibleTo reports whether p may see the message.
func (m ChatMessage) visibleTo(p *participant) bool {
	return !m.ToChairs || p.role >= RoleCoChair || p.id == m.From || p.id == m.To
}

// TimerState is the share timer: Subject speaks until Ends. Warn, when
// set, is when the speaker and the chairs are warned (then cleared).
type TimerState struct {
	Subject ParticipantID
	Ends    time.Time
	Warn    time.Time
}

// Event is one consequence of a call: who must hear about it and what
// happened. Only the fields listed for its Kind are set.
type Event struct {
	To       Audience
	Kind     Kind
	Subject  ParticipantID
	By       ParticipantID
	Control  string
	Value    bool
	Name     string
	Role     Role
	Label    string // a chair's service role, for KindJoined, KindRole, KindAdmitted
	Perms    Perms
	Reason   Code
	Chat     ChatMessage
	ChatID   uint64
	Waiting  []WaitingEntry
	Hands    []ParticipantID
	Timer    TimerState
	Count    int
	Mode     ChatMode // for ControlChat
	Reaction Reaction
	Until    time.Time    // for KindTradition
	Reading  ReadingState // for KindReading and KindReadingMoved
}
