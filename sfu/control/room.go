package control

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Identity is what the server knows a client by, issued by the server and
// never chosen by the client (see the package documentation on bars).
type Identity struct {
	BrowserID   string // random id in an HttpOnly cookie
	ResumeToken string // random token of this connection
}

// ChairGrant says which verified credential, if any, a join presented.
type ChairGrant int

// Chair grants. The SFU sets them only after its Policy verified the secret.
const (
	GrantNone       ChairGrant = iota
	GrantHostKey               // the series host key, tried through BeginSecret/FinishSecret
	GrantAdminToken            // the server's admin token
)

// JoinRequest is one attempt to enter the room.
type JoinRequest struct {
	ID         ParticipantID
	Identity   Identity
	Name       string
	PasscodeOK bool // the SFU verified the series passcode (ignored when none is required)
	Chair      ChairGrant
	// Service is the service role of the host key that granted Chair
	// ("Secretary"), its label shown to everyone; zero for none.
	Service ServiceRole
}

// Status is the outcome of a join.
type Status int

// Join outcomes.
const (
	StatusRefused Status = iota
	StatusWaiting
	StatusAdmitted
)

// Admission answers a JoinRequest.
type Admission struct {
	Status Status
	Reason Code // why refused; empty otherwise
	Role   Role
	Perms  Perms
}

type waitReason int

const (
	waitNone  waitReason = iota
	waitRoom             // the waiting room is on: a chair must admit
	waitChair            // locked until a chair arrives
)

// participant is one joined or waiting connection.
type participant struct {
	id       ParticipantID
	identity Identity
	name     string
	role     Role
	service  ServiceRole // the service role whose key seated this chair; zero for none
	waiting  waitReason
	seq      uint64 // arrival order

	audioMuted    bool // gate closed by a chair, by mute-all or by the member
	videoStopped  bool
	unmuteAllowed bool // a chair asked this member to unmute, once
	videoAllowed  bool // a chair asked this member to start video, once
	lastRename    time.Time
	chat          bucket
	react         bucket
	readingMoves  bucket
}

// Room is the control state of one meeting. Not safe for concurrent use:
// the caller's room mutex guards every method.
type Room struct {
	limits   Limits
	settings Settings
	clock    Clock

	locked      bool
	waitingRoom bool
	selfUnmute  bool
	startVideo  bool
	chatMode    ChatMode
	renameLock  bool
	ended       bool
	// beforeSecure holds the switches as they were before the first Secure
	// since the last UndoSecure; nil when there is nothing to undo.
	beforeSecure *Switches

	people map[ParticipantID]*participant
	seq    uint64
	barred map[string]struct{} // "b:"+BrowserID and "r:"+ResumeToken; memory only
	// carried are the bars of the room's previous node, as keyed hashes
	// (carry.go); carrySalt is their key.
	carried   map[string]struct{}
	carrySalt []byte
	// carriedMembers are the browsers admitted on the previous node, as
	// keyed hashes.
	carriedMembers map[string]struct{}
	// held are the browsers a chair sent back to the waiting room
	// (sendback.go), until admitted; carriedHeld are those of the previous
	// node, as keyed hashes.
	held        map[string]struct{}
	carriedHeld map[string]struct{}
	hands       []ParticipantID
	timer       TimerState
	chat        chatLog
	secrets     secretLimiter
	// tradition is when the 7th-Tradition card comes down; zero when not up.
	tradition time.Time
	// roomChat paces members' chat room-wide, so that a crowd of raiders,
	// each within its own limit, cannot flood everyone's send queue.
	roomChat bucket
	// roomReact paces members' reactions room-wide, as roomChat does chat.
	roomReact bucket
	reactions bool // members may react
	// reader is the member a chair named to show and move readings; "" for
	// none. reading is the reading open in the room, nil when none.
	reader  ParticipantID
	reading *ReadingState
}

// NewRoom returns the control state of a new meeting.
func NewRoom(cfg Config) (*Room, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Room{
		limits:      cfg.Limits,
		settings:    cfg.Settings,
		clock:       cfg.Clock,
		waitingRoom: cfg.Settings.WaitingRoom,
		selfUnmute:  true,
		startVideo:  true,
		chatMode:    cfg.Settings.ChatMode,
		people:      make(map[ParticipantID]*participant),
		barred:      make(map[string]struct{}),
		chat:        chatLog{max: cfg.Limits.ChatHistory},
		roomChat:    newBucket(cfg.Limits.RoomChatBurst, cfg.Clock.Now()),
		roomReact:   newBucket(cfg.Limits.RoomReactionBurst, cfg.Clock.Now()),
		reactions:   true,
		secrets:     newSecretLimiter(cfg.Limits),
	}, nil
}

// Join admits, holds or refuses a participant. A refused request changes
// nothing. Events tell the room about the newcomer.
func (r *Room) Join(req JoinRequest) (Admission, []Event) {
	if code := r.refusal(req); code != "" {
		return Admission{Status: StatusRefused, Reason: code}, nil
	}
	r.seq++
	p := &participant{id: req.ID, identity: req.Identity, name: req.Name, seq: r.seq}
	p.chat = newBucket(r.limits.ChatBurst, r.clock.Now())
	p.react = newBucket(r.limits.ReactionBurst, r.clock.Now())
	p.readingMoves = newBucket(readingMoveBurst, r.clock.Now())
	if req.Chair != GrantNone {
		p.role, p.service = RoleChair, req.Service.sanitized()
		r.people[p.id] = p
		evs := r.admitEvents(p)
		if r.ended { // a chair opens an ended meeting again
			r.ended = false
			evs = append(evs, announce(p, ControlReopened, true, ""))
		}
		evs = append(evs, r.chairArrived()...)
		return Admission{Status: StatusAdmitted, Role: p.role, Perms: r.perms(p)}, evs
	}
	r.initMedia(p)
	if r.isHeld(req.Identity) {
		p.waiting = waitRoom
		r.people[p.id] = p
		return Admission{Status: StatusWaiting}, []Event{r.waitingListEvent()}
	}
	if w := r.mustWait(); w != waitNone && !r.wasIn(req.Identity) {
		p.waiting = w
		r.people[p.id] = p
		return Admission{Status: StatusWaiting}, []Event{r.waitingListEvent()}
	}
	r.people[p.id] = p
	return Admission{Status: StatusAdmitted, Role: p.role, Perms: r.perms(p)}, r.admitEvents(p)
}

// refusal returns why a join is refused, or "" when it may proceed.
func (r *Room) refusal(req JoinRequest) Code {
	switch {
	case r.ended && req.Chair == GrantNone:
		return CodeEnded
	case req.ID == "" || req.Identity.BrowserID == "" || validName(req.Name, r.limits.NameMaxRunes) != nil:
		return CodeInvalid
	case r.people[req.ID] != nil:
		return CodeDuplicate
	case r.isBarred(req.Identity):
		return CodeBarred
	case req.Chair != GrantNone:
		return ""
	case r.isHeld(req.Identity):
		return r.heldRefusal()
	case r.settings.PasscodeRequired && !req.PasscodeOK:
		return CodeBadPasscode
	case r.locked && !r.wasIn(req.Identity):
		return CodeLocked
	}
	if r.mustWait() != waitNone && !r.wasIn(req.Identity) {
		if r.count(func(p *participant) bool { return p.waiting != waitNone }) >= r.limits.WaitingMax {
			return CodeFull
		}
		return ""
	}
	if r.admittedCount() >= r.settings.MaxParticipants {
		return CodeFull
	}
	return ""
}

func (r *Room) mustWait() waitReason {
	if r.waitingRoom {
		return waitRoom
	}
	if r.settings.LockedUntilChair && !r.chairPresent() {
		return waitChair
	}
	return waitNone
}

// initMedia sets a member's gates from the room switches at entry.
func (r *Room) initMedia(p *participant) {
	p.audioMuted = !r.selfUnmute
	p.videoStopped = r.settings.CameraOffOnEntry || !r.startVideo
}

func (r *Room) isBarred(id Identity) bool {
	if _, ok := r.barred["b:"+id.BrowserID]; ok || r.carriedBar("b:"+id.BrowserID) {
		return true
	}
	if id.ResumeToken == "" {
		return false
	}
	_, ok := r.barred["r:"+id.ResumeToken]
	return ok || r.carriedBar("r:"+id.ResumeToken)
}

func (r *Room) bar(id Identity) {
	r.barred["b:"+id.BrowserID] = struct{}{}
	if id.ResumeToken != "" {
		r.barred["r:"+id.ResumeToken] = struct{}{}
	}
}

// Leave forgets a participant that disconnected. Unknown ids are ignored so
// that the SFU may call it from every exit path.
func (r *Room) Leave(id ParticipantID) []Event {
	p := r.people[id]
	if p == nil {
		return nil
	}
	delete(r.people, id)
	if p.waiting != waitNone {
		return []Event{r.waitingListEvent()}
	}
	evs := []Event{{To: toEveryone(), Kind: KindLeft, Subject: id}}
	if i := slices.Index(r.hands, id); i >= 0 {
		r.hands = slices.Delete(r.hands, i, i+1)
		evs = append(evs, r.handsEvent())
	}
	if r.timer.Subject == id {
		r.timer = TimerState{}
		evs = append(evs, Event{To: toEveryone(), Kind: KindTimer})
	}
	return append(evs, r.dropReader(id, "")...)
}

// Perms reports what a participant may do now. ok is false for unknown ids.
func (r *Room) Perms(id ParticipantID) (perms Perms, ok bool) {
	p := r.people[id]
	if p == nil {
		return Perms{}, false
	}
	return r.perms(p), true
}

func (r *Room) perms(p *participant) Perms {
	switch {
	case p.waiting != waitNone:
		return Perms{}
	case p.role >= RoleCoChair:
		return Perms{Audio: true, Video: true, Chat: true, Rename: true, SelfUnmute: true, StartVideo: true, React: true}
	}
	return Perms{
		Audio: !p.audioMuted, Video: !p.videoStopped, Chat: r.chatMode != ChatOff, Rename: !r.renameLock,
		SelfUnmute: r.selfUnmute || p.unmuteAllowed, StartVideo: r.startVideo || p.videoAllowed,
		React: r.reactions,
	}
}

// Role reports a participant's role. ok is false for unknown ids.
func (r *Room) Role(id ParticipantID) (role Role, ok bool) {
	p := r.people[id]
	if p == nil {
		return RoleMember, false
	}
	return p.role, true
}

// ChairInfo is an admitted chair or co-chair and its service role.
type ChairInfo struct {
	ID    ParticipantID
	Role  Role
	Label string
}

// Chairs lists the admitted chairs and co-chairs in arrival order, with
// their service roles, for a participant who arrives after them.
func (r *Room) Chairs() []ChairInfo {
	ids := r.Recipients(toChairs())
	out := make([]ChairInfo, len(ids))
	for i, id := range ids {
		p := r.people[id]
		out[i] = ChairInfo{ID: id, Role: p.role, Label: p.service.Label}
	}
	return out
}

// maxLabelRunes bounds a service role's label: the schedule allows 40.
const maxLabelRunes = 64

// roleLabel is a label as the room keeps it: the SFU gives the
// schedule's, checked there; one that is not printable text or too long
// is dropped rather than shown.
func roleLabel(s string) string {
	if utf8.RuneCountInString(s) > maxLabelRunes || !utf8.ValidString(s) ||
		strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return ""
	}
	return s
}

// Recipients resolves an Audience to participant ids, in arrival order.
// Resolve it right after the call that returned the event, under the same
// lock.
func (r *Room) Recipients(a Audience) []ParticipantID {
	if a.Kind == AudienceOne {
		// The addressee may already be gone from the room (removed, denied):
		// its connection still gets the event before it is closed.
		return []ParticipantID{a.ID}
	}
	var ps []*participant
	for _, p := range r.people {
		if p.waiting != waitNone || (a.Kind == AudienceChairs && p.role < RoleCoChair) {
			continue
		}
		ps = append(ps, p)
	}
	slices.SortFunc(ps, func(a, b *participant) int { return cmp.Compare(a.seq, b.seq) })
	ids := make([]ParticipantID, len(ps))
	for i, p := range ps {
		ids[i] = p.id
	}
	return ids
}

// Waiting returns the waiting room in arrival order.
func (r *Room) Waiting() []WaitingEntry {
	var ps []*participant
	for _, p := range r.people {
		if p.waiting != waitNone {
			ps = append(ps, p)
		}
	}
	slices.SortFunc(ps, func(a, b *participant) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]WaitingEntry, len(ps))
	for i, p := range ps {
		out[i] = WaitingEntry{ID: p.id, Name: p.name}
	}
	return out
}

// Ended reports whether a chair ended the meeting.
func (r *Room) Ended() bool { return r.ended }

// Hands returns the raised-hand queue, oldest first.
func (r *Room) Hands() []ParticipantID { return slices.Clone(r.hands) }

// Timer returns the share timer; a zero Ends means none runs.
func (r *Room) Timer() TimerState { return r.timer }

func (r *Room) chairPresent() bool {
	return r.count(func(p *participant) bool { return p.waiting == waitNone && p.role >= RoleCoChair }) > 0
}

func (r *Room) admittedCount() int {
	return r.count(func(p *participant) bool { return p.waiting == waitNone })
}

func (r *Room) count(f func(*participant) bool) int {
	n := 0
	for _, p := range r.people {
		if f(p) {
			n++
		}
	}
	return n
}

// admitEvents announces an admitted participant and starts its media.
func (r *Room) admitEvents(p *participant) []Event {
	return []Event{
		{To: toOne(p.id), Kind: KindAdmitted, Subject: p.id, Role: p.role, Label: p.service.Label, Perms: r.perms(p)},
		{To: toEveryone(), Kind: KindJoined, Subject: p.id, Name: p.name, Role: p.role, Label: p.service.Label},
	}
}

// admit moves a waiting participant into the room.
func (r *Room) admit(p *participant) ([]Event, error) {
	if p.waiting == waitNone {
		return nil, fmt.Errorf("admit %s: %w", p.id, CodeNotWaiting)
	}
	if r.admittedCount() >= r.settings.MaxParticipants {
		return nil, fmt.Errorf("admit %s: %w", p.id, CodeFull)
	}
	p.waiting = waitNone
	r.release(p.identity)
	r.initMedia(p) // the switches may have changed while it waited
	return r.admitEvents(p), nil
}

// chairArrived releases those who waited only for a chair.
func (r *Room) chairArrived() []Event {
	if r.waitingRoom {
		return nil
	}
	return r.admitWaiting(func(p *participant) bool { return p.waiting == waitChair })
}

// admitWaiting admits waiting participants in arrival order while there is
// room, then republishes the waiting list.
func (r *Room) admitWaiting(match func(*participant) bool) []Event {
	var evs []Event
	for _, w := range r.Waiting() {
		p := r.people[w.ID]
		if !match(p) {
			continue
		}
		more, err := r.admit(p)
		if err != nil {
			break
		}
		evs = append(evs, more...)
	}
	if len(evs) == 0 {
		return nil
	}
	return append(evs, r.waitingListEvent())
}

func (r *Room) waitingListEvent() Event {
	return Event{To: toChairs(), Kind: KindWaitingList, Waiting: r.Waiting()}
}

// handsEvent tells everyone admitted the queue of raised hands, in order,
// as a meeting shows it: every member sees who is waiting to share.
func (r *Room) handsEvent() Event {
	return Event{To: toEveryone(), Kind: KindHands, Hands: slices.Clone(r.hands)}
}

func (r *Room) permsEvent(p *participant) Event {
	return Event{To: toOne(p.id), Kind: KindPerms, Subject: p.id, Perms: r.perms(p)}
}

// validName accepts 1..max runes of printable UTF-8 that is not all spaces.
func validName(name string, max int) error {
	if !utf8.ValidString(name) {
		return fmt.Errorf("name is not UTF-8: %w", CodeInvalid)
	}
	n, visible := 0, false
	for _, c := range name {
		n++
		if !unicode.IsPrint(c) {
			return fmt.Errorf("name has a control character: %w", CodeInvalid)
		}
		visible = visible || !unicode.IsSpace(c)
	}
	if n == 0 || n > max || !visible {
		return fmt.Errorf("name must have 1 to %d characters: %w", max, CodeInvalid)
	}
	return nil
}

// Switches are the room-wide controls as they stand.
type Switches struct {
	Locked      bool
	WaitingRoom bool
	SelfUnmute  bool
	StartVideo  bool
	ChatMode    ChatMode
	RenameLock  bool
	Reactions   bool
	Secured     bool // UndoSecure would restore the switches as they were before Secure
}

// Switches reports the room-wide controls, for a client's first view.
func (r *Room) Switches() Switches {
	return Switches{Locked: r.locked, WaitingRoom: r.waitingRoom, SelfUnmute: r.selfUnmute,
		StartVideo: r.startVideo, ChatMode: r.chatMode, RenameLock: r.renameLock, Reactions: r.reactions, Secured: r.beforeSecure != nil}
}
