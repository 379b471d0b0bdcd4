package control

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"
)

// manualClock is a Clock that moves only when told.
type manualClock struct{ now time.Time }

func (c *manualClock) Now() time.Time          { return c.now }
func (c *manualClock) Advance(d time.Duration) { c.now = c.now.Add(d) }

func newClock() *manualClock {
	return &manualClock{now: time.Date(2026, 11, 21, 19, 0, 0, 0, time.UTC)}
}

func newTestRoom(t *testing.T, s Settings) (*Room, *manualClock) {
	t.Helper()
	clk := newClock()
	r, err := NewRoom(Config{Settings: s, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	return r, clk
}

func join(t *testing.T, r *Room, id string, grant ChairGrant) Admission {
	t.Helper()
	a, _ := r.Join(JoinRequest{
		ID: ParticipantID(id), Identity: Identity{BrowserID: "b-" + id, ResumeToken: "r-" + id},
		Name: "name " + id, PasscodeOK: true, Chair: grant,
	})
	return a
}

func mustHandle(t *testing.T, r *Room, from string, c Command) []Event {
	t.Helper()
	evs, err := r.Handle(ParticipantID(from), c)
	if err != nil {
		t.Fatalf("%s by %s: %v", c.Name(), from, err)
	}
	return evs
}

// fixture: chair "c", co-chair "co", members "m" and "t" (the usual target).
func fixture(t *testing.T) (*Room, *manualClock) {
	t.Helper()
	return fixtureWith(t, Settings{})
}

// fixtureWith is fixture in a room with these settings.
func fixtureWith(t *testing.T, s Settings) (*Room, *manualClock) {
	t.Helper()
	r, clk := newTestRoom(t, s)
	for _, id := range []string{"c", "co", "m", "t"} {
		grant := GrantNone
		if id == "c" {
			grant = GrantHostKey
		}
		if a := join(t, r, id, grant); a.Status != StatusAdmitted {
			t.Fatalf("join %s: %+v", id, a)
		}
	}
	mustHandle(t, r, "c", MakeCoChair{Target: "co"})
	return r, clk
}

func perms(t *testing.T, r *Room, id string) Perms {
	t.Helper()
	p, ok := r.Perms(ParticipantID(id))
	if !ok {
		t.Fatalf("no participant %s", id)
	}
	return p
}

// snapshot captures all observable state, to prove a refused command changed
// nothing.
func snapshot(r *Room) string {
	var s string
	for _, id := range slices.Sorted(mapsKeys(r.people)) {
		p := *r.people[id]
		s += fmt.Sprintf("%+v\n", p)
	}
	return s + fmt.Sprintf("%v %v %v %v %v %v %v %v %v %+v %+v %+v",
		r.locked, r.waitingRoom, r.selfUnmute, r.startVideo, r.chatMode, r.renameLock, r.ended,
		r.barred, r.hands, r.timer, r.chat.msgs, r.beforeSecure) + fmt.Sprint(r.reactions, r.roomReact) +
		fmt.Sprintf(" reader %q reading %+v", r.reader, r.reading)
}

func mapsKeys(m map[ParticipantID]*participant) func(func(ParticipantID) bool) {
	return func(yield func(ParticipantID) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func hasEvent(evs []Event, kind Kind, subject ParticipantID) bool {
	return slices.ContainsFunc(evs, func(e Event) bool { return e.Kind == kind && e.Subject == subject })
}

// TestControls covers every chair control: allowed for a chair, allowed or
// refused for a co-chair by rank, refused with a clear error for a member
// (changing nothing), and effective for the target.
func TestControls(t *testing.T) {
	tests := []struct {
		name    string
		min     Role
		setup   func(t *testing.T, r *Room)
		cmd     Command
		effects func(t *testing.T, r *Room, evs []Event)
	}{
		{name: "lock", min: RoleCoChair, cmd: SetLocked{On: true},
			effects: func(t *testing.T, r *Room, _ []Event) {
				if a := join(t, r, "new", GrantNone); a.Status != StatusRefused || a.Reason != CodeLocked {
					t.Errorf("member joined a locked room: %+v", a)
				}
				if a := join(t, r, "chair2", GrantAdminToken); a.Status != StatusAdmitted {
					t.Errorf("chair refused from locked room: %+v", a)
				}
			}},
		{name: "unlock", min: RoleCoChair, setup: func(t *testing.T, r *Room) { r.locked = true }, cmd: SetLocked{},
			effects: func(t *testing.T, r *Room, _ []Event) {
				if a := join(t, r, "new", GrantNone); a.Status != StatusAdmitted {
					t.Errorf("join after unlock: %+v", a)
				}
			}},
		{name: "waiting room on", min: RoleCoChair, cmd: SetWaitingRoom{On: true},
			effects: func(t *testing.T, r *Room, _ []Event) {
				if a := join(t, r, "new", GrantNone); a.Status != StatusWaiting {
					t.Errorf("join with waiting room: %+v", a)
				}
				if p := perms(t, r, "new"); p != (Perms{}) {
					t.Errorf("waiting participant has perms %+v", p)
				}
			}},
		{name: "waiting room off admits all", min: RoleCoChair, setup: waitingSetup, cmd: SetWaitingRoom{},
			effects: func(t *testing.T, r *Room, evs []Event) {
				if len(r.Waiting()) != 0 || !hasEvent(evs, KindAdmitted, "w1") || !hasEvent(evs, KindAdmitted, "w2") {
					t.Errorf("waiting %v, events %+v", r.Waiting(), evs)
				}
			}},
		{name: "admit", min: RoleCoChair, setup: waitingSetup, cmd: Admit{Target: "w1"},
			effects: func(t *testing.T, r *Room, evs []Event) {
				if !hasEvent(evs, KindAdmitted, "w1") || !perms(t, r, "w1").Audio {
					t.Errorf("w1 not admitted: %+v", evs)
				}
				if got := r.Waiting(); len(got) != 1 || got[0].ID != "w2" || got[0].Name != "name w2" {
					t.Errorf("waiting list %+v", got)
				}
			}},
		{name: "admit all", min: RoleCoChair, setup: waitingSetup, cmd: AdmitAll{},
			effects: func(t *testing.T, r *Room, _ []Event) {
				if len(r.Waiting()) != 0 || !perms(t, r, "w2").Chat {
					t.Errorf("still waiting: %+v", r.Waiting())
				}
			}},
		{name: "deny", min: RoleCoChair, setup: waitingSetup, cmd: Deny{Target: "w1"},
			effects: func(t *testing.T, r *Room, evs []Event) {
				if !slices.ContainsFunc(evs, func(e Event) bool { return e.Kind == KindDisconnect && e.Reason == CodeDenied }) {
					t.Errorf("no disconnect: %+v", evs)
				}
				if _, ok := r.Perms("w1"); ok {
					t.Error("denied participant still present")
				}
			}},
		{name: "mute", min: RoleCoChair, cmd: Mute{Target: "t"},
			effects: func(t *testing.T, r *Room, evs []Event) {
				if perms(t, r, "t").Audio || !perms(t, r, "m").Audio || !hasEvent(evs, KindPerms, "t") {
					t.Errorf("mute: %+v", evs)
				}
			}},
		{name: "mute all", min: RoleCoChair, cmd: MuteAll{},
			effects: func(t *testing.T, r *Room, _ []Event) {
				if perms(t, r, "t").Audio || perms(t, r, "m").Audio || !perms(t, r, "co").Audio {
					t.Error("mute all left a member's audio open or closed a chair's")
				}
			}},
		{name: "self-unmute off", min: RoleCoChair, setup: func(t *testing.T, r *Room) { mustHandle(t, r, "c", Mute{Target: "t"}) },
			cmd: SetSelfUnmute{},
			effects: func(t *testing.T, r *Room, _ []Event) {
				if _, err := r.Handle("t", SelfUnmute{}); !errors.Is(err, CodeSelfUnmuteOff) {
					t.Errorf("self unmute: %v", err)
				}
				if perms(t, r, "t").Audio {
					t.Error("member unmuted itself")
				}
			}},
		{name: "self-unmute on", min: RoleCoChair, setup: func(t *testing.T, r *Room) { r.selfUnmute = false; r.people["t"].audioMuted = true },
			cmd: SetSelfUnmute{On: true},
			effects: func(t *testing.T, r *Room, _ []Event) {
				if perms(t, r, "t").Audio {
					t.Error("self-unmute on unmuted a member by force")
				}
				mustHandle(t, r, "t", SelfUnmute{})
				if !perms(t, r, "t").Audio {
					t.Error("member could not unmute")
				}
			}},
		{name: "ask unmute", min: RoleCoChair, setup: func(t *testing.T, r *Room) { mustHandle(t, r, "c", Secure{}) },
			cmd: AskUnmute{Target: "t"},
			effects: func(t *testing.T, r *Room, evs []Event) {
				if perms(t, r, "t").Audio || !hasEvent(evs, KindAskUnmute, "t") {
					t.Error("ask unmute forced the gate open or did not ask")
				}
				mustHandle(t, r, "t", SelfUnmute{})
				if !perms(t, r, "t").Audio {
					t.Error("asked member could not unmute")
				}
				if _, err := r.Handle("m", SelfUnmute{}); !errors.Is(err, CodeSelfUnmuteOff) {
					t.Errorf("unasked member: %v", err)
				}
			}},
		{name: "stop video", min: RoleCoChair, cmd: StopVideo{Target: "t"},
			effects: func(t *testing.T, r *Room, _ []Event) {
				if perms(t, r, "t").Video || !perms(t, r, "m").Video {
					t.Error("stop video")
				}
			}},
		{name: "stop all video", min: RoleCoChair, cmd: StopAllVideo{},
			effects: func(t *testing.T, r *Room, _ []Event) {
				if perms(t, r, "t").Video || perms(t, r, "m").Video || !perms(t, r, "c").Video {
					t.Error("stop all video")
				}
			}},
		{name: "start video off", min: RoleCoChair, setup: func(t *testing.T, r *Room) { mustHandle(t, r, "c", StopVideo{Target: "t"}) },
			cmd: SetStartVideo{},
			effects: func(t *testing.T, r *Room, _ []Event) {
				if _, err := r.Handle("t", SelfStartVideo{}); !errors.Is(err, CodeStartVideoOff) || perms(t, r, "t").Video {
					t.Errorf("start video: %v", err)
				}
			}},
		{name: "ask video", min: RoleCoChair, setup: func(t *testing.T, r *Room) { mustHandle(t, r, "c", Secure{}) },
			cmd: AskVideo{Target: "t"},
			effects: func(t *testing.T, r *Room, evs []Event) {
				if perms(t, r, "t").Video || !hasEvent(evs, KindAskVideo, "t") {
					t.Error("ask video forced the gate or did not ask")
				}
				mustHandle(t, r, "t", SelfStartVideo{})
				if !perms(t, r, "t").Video {
					t.Error("asked member could not start video")
				}
			}},
		{name: "remove", min: RoleCoChair, cmd: Remove{Target: "t"},
			effects: func(t *testing.T, r *Room, evs []Event) {
				if !slices.ContainsFunc(evs, func(e Event) bool {
					return e.Kind == KindDisconnect && e.To == toOne("t") && e.Reason == CodeRemoved
				}) {
					t.Errorf("no disconnect: %+v", evs)
				}
				// Same browser, new name, new connection: refused.
				a, _ := r.Join(JoinRequest{ID: "t2", Identity: Identity{BrowserID: "b-t", ResumeToken: "fresh"}, Name: "innocent"})
				if a.Reason != CodeBarred {
					t.Errorf("rejoin from same browser: %+v", a)
				}
				// Old resume token with a new cookie: refused.
				a, _ = r.Join(JoinRequest{ID: "t3", Identity: Identity{BrowserID: "new", ResumeToken: "r-t"}, Name: "x"})
				if a.Reason != CodeBarred {
					t.Errorf("resume after removal: %+v", a)
				}
			}},
		{name: "chat off", min: RoleCoChair, cmd: SetChat{Mode: ChatOff},
			effects: func(t *testing.T, r *Room, _ []Event) {
				if _, err := r.Handle("t", SendChat{Text: "hi"}); !errors.Is(err, CodeChatOff) {
					t.Errorf("member chat with chat off: %v", err)
				}
				mustHandle(t, r, "co", SendChat{Text: "chairs still talk"})
			}},
		{name: "chat on", min: RoleCoChair, setup: func(t *testing.T, r *Room) { r.chatMode = ChatOff }, cmd: SetChat{Mode: ChatEveryone},
			effects: func(t *testing.T, r *Room, _ []Event) { mustHandle(t, r, "t", SendChat{Text: "hi"}) }},
		{name: "delete chat", min: RoleCoChair, setup: func(t *testing.T, r *Room) { mustHandle(t, r, "t", SendChat{Text: "bad"}) },
			cmd: DeleteChat{ID: 1},
			effects: func(t *testing.T, r *Room, evs []Event) {
				if len(r.ChatHistory()) != 0 || evs[0].Kind != KindChatDeleted || evs[0].To != toEveryone() {
					t.Errorf("delete chat: %+v", evs)
				}
			}},
		{name: "rename lock", min: RoleCoChair, cmd: SetRenameLock{On: true},
			effects: func(t *testing.T, r *Room, _ []Event) {
				if _, err := r.Handle("t", Rename{NewName: "x"}); !errors.Is(err, CodeRenameLocked) {
					t.Errorf("rename: %v", err)
				}
			}},
		{name: "secure", min: RoleCoChair, cmd: Secure{},
			effects: func(t *testing.T, r *Room, _ []Event) {
				for _, id := range []string{"m", "t"} {
					if p := perms(t, r, id); p.Audio || p.Video || !p.Chat || p.SelfUnmute || p.StartVideo || p.Rename {
						t.Errorf("%s after secure: %+v", id, p)
					}
					evs := mustHandle(t, r, id, SendChat{Text: "to all?"})
					if len(evs) != 2 || evs[0].To != toChairs() || evs[1].To != toOne(ParticipantID(id)) {
						t.Errorf("%s's chat after secure went to %+v", id, evs)
					}
				}
				if a := join(t, r, "new", GrantNone); a.Reason != CodeLocked {
					t.Errorf("join after secure: %+v", a)
				}
			}},
		{name: "lower another's hand", min: RoleCoChair, setup: func(t *testing.T, r *Room) { mustHandle(t, r, "t", RaiseHand{}) },
			cmd: LowerHand{Target: "t"},
			effects: func(t *testing.T, r *Room, _ []Event) {
				if len(r.Hands()) != 0 {
					t.Errorf("hands %v", r.Hands())
				}
			}},
		{name: "start timer", min: RoleCoChair, cmd: StartTimer{Target: "t", Duration: 3 * time.Minute},
			effects: func(t *testing.T, r *Room, evs []Event) {
				if r.Timer().Subject != "t" || evs[0].To != toEveryone() || evs[0].Timer.Ends.IsZero() {
					t.Errorf("timer %+v", evs)
				}
			}},
		{name: "stop timer", min: RoleCoChair, setup: func(t *testing.T, r *Room) {
			mustHandle(t, r, "c", StartTimer{Target: "t", Duration: time.Minute})
		}, cmd: StopTimer{},
			effects: func(t *testing.T, r *Room, _ []Event) {
				if !r.Timer().Ends.IsZero() {
					t.Error("timer still runs")
				}
			}},
		{name: "make co-chair", min: RoleChair, cmd: MakeCoChair{Target: "t"},
			effects: func(t *testing.T, r *Room, _ []Event) {
				mustHandle(t, r, "t", Mute{Target: "m"})
			}},
		{name: "revoke co-chair", min: RoleChair, cmd: RevokeCoChair{Target: "co"},
			effects: func(t *testing.T, r *Room, _ []Event) {
				if _, err := r.Handle("co", Mute{Target: "m"}); !errors.Is(err, CodeNotChair) {
					t.Errorf("revoked co-chair: %v", err)
				}
			}},
		{name: "hand over", min: RoleChair, cmd: HandOver{Target: "t"},
			effects: func(t *testing.T, r *Room, _ []Event) {
				if role, _ := r.Role("t"); role != RoleChair {
					t.Errorf("t is %v", role)
				}
				if role, _ := r.Role("c"); role != RoleMember {
					t.Errorf("old chair is %v", role)
				}
			}},
		{name: "end meeting", min: RoleChair, cmd: EndMeeting{},
			effects: func(t *testing.T, r *Room, evs []Event) {
				for _, id := range []ParticipantID{"c", "co", "m", "t"} {
					if !slices.ContainsFunc(evs, func(e Event) bool {
						return e.Kind == KindDisconnect && e.To == toOne(id) && e.Reason == CodeEnded
					}) {
						t.Errorf("%s not disconnected", id)
					}
				}
				if a := join(t, r, "late", GrantNone); a.Reason != CodeEnded {
					t.Errorf("member's join after end: %+v", a)
				}
				// A chair is never kept out: the chair's join opens the
				// meeting again, and members may come back.
				if a := join(t, r, "chair-again", GrantHostKey); a.Status != StatusAdmitted {
					t.Errorf("chair's join after end: %+v", a)
				}
				if a := join(t, r, "late", GrantNone); a.Status != StatusAdmitted {
					t.Errorf("member's join after the chair reopened: %+v", a)
				}
			}},
		{name: "rename member", min: RoleCoChair, setup: func(t *testing.T, r *Room) { mustHandle(t, r, "c", Secure{}) },
			cmd: RenameMember{Target: "t", NewName: "Guest"},
			effects: func(t *testing.T, r *Room, evs []Event) {
				if len(evs) != 1 || evs[0].Kind != KindRenamed || evs[0].Name != "Guest" || evs[0].To != toEveryone() {
					t.Errorf("rename member under the rename lock: %+v", evs)
				}
				if _, err := r.Handle("t", Rename{NewName: "offensive"}); !errors.Is(err, CodeRenameLocked) {
					t.Errorf("member renamed itself after secure: %v", err)
				}
			}},
	}
	actors := []struct {
		id   string
		role Role
	}{{"c", RoleChair}, {"co", RoleCoChair}, {"m", RoleMember}}
	for _, tt := range tests {
		for _, a := range actors {
			t.Run(tt.name+"/by "+a.role.String(), func(t *testing.T) {
				r, _ := fixture(t)
				if tt.setup != nil {
					tt.setup(t, r)
				}
				before := snapshot(r)
				evs, err := r.Handle(ParticipantID(a.id), tt.cmd)
				if a.role < tt.min {
					want := CodeNotChair
					if a.role == RoleCoChair {
						want = CodeNotOwner
					}
					if !errors.Is(err, want) || evs != nil {
						t.Fatalf("got %v, %v; want %v", evs, err, want)
					}
					if after := snapshot(r); after != before {
						t.Fatalf("refused command changed state:\n%s\n%s", before, after)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				tt.effects(t, r, evs)
			})
		}
	}
}

func waitingSetup(t *testing.T, r *Room) {
	r.waitingRoom = true
	for _, id := range []string{"w1", "w2"} {
		if a := join(t, r, id, GrantNone); a.Status != StatusWaiting {
			t.Fatalf("%s: %+v", id, a)
		}
	}
}

// TestControlTargets: moderation never reaches chairs, and bad targets get a
// clear error that changes nothing.
func TestControlTargets(t *testing.T) {
	tests := []struct {
		from string
		cmd  Command
		want Code
	}{
		{"co", Mute{Target: "c"}, CodeTargetIsChair},
		{"c", Remove{Target: "co"}, CodeTargetIsChair},
		{"c", StopVideo{Target: "nobody"}, CodeUnknownParticipant},
		{"c", Admit{Target: "m"}, CodeNotWaiting},
		{"c", Deny{Target: "m"}, CodeNotWaiting},
		{"c", DeleteChat{ID: 42}, CodeUnknownMessage},
		{"c", StopTimer{}, CodeNoTimer},
		{"c", StartTimer{Target: "t", Duration: 0}, CodeInvalid},
		{"c", StartTimer{Target: "t", Duration: 2 * time.Hour}, CodeInvalid},
		{"c", HandOver{Target: "c"}, CodeInvalid},
		{"c", RevokeCoChair{Target: "m"}, CodeInvalid},
		{"m", LowerHand{Target: "t"}, CodeNotChair},
		{"m", LowerHand{}, CodeHandNotRaised},
		{"m", Rename{NewName: ""}, CodeInvalid},
		{"m", Rename{NewName: "bad\x00name"}, CodeInvalid},
		{"m", SendChat{Text: "   "}, CodeInvalid},
		{"m", SendChat{Text: string(make([]byte, 1001))}, CodeInvalid},
		{"m", SendChat{Text: "\xff\xfe"}, CodeInvalid},
		{"nobody", SelfMute{}, CodeUnknownParticipant},
		{"c", nil, CodeInvalid},
	}
	for _, tt := range tests {
		name := "nil"
		if tt.cmd != nil {
			name = tt.cmd.Name()
		}
		t.Run(tt.from+" "+name, func(t *testing.T) {
			r, _ := fixture(t)
			before := snapshot(r)
			if _, err := r.Handle(ParticipantID(tt.from), tt.cmd); !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if snapshot(r) != before {
				t.Fatal("refused command changed state")
			}
		})
	}
}

// TestMemberActions covers what a member does to itself.
func TestMemberActions(t *testing.T) {
	r, clk := fixture(t)
	mustHandle(t, r, "m", SelfMute{})
	if perms(t, r, "m").Audio {
		t.Error("self mute left the gate open")
	}
	mustHandle(t, r, "m", SelfUnmute{})
	mustHandle(t, r, "m", SelfStopVideo{})
	mustHandle(t, r, "m", SelfStartVideo{})
	if p := perms(t, r, "m"); !p.Audio || !p.Video {
		t.Errorf("perms %+v", p)
	}
	evs := mustHandle(t, r, "m", Rename{NewName: "Sam"})
	if evs[0].Kind != KindRenamed || evs[0].Name != "Sam" || evs[0].To != toEveryone() {
		t.Errorf("rename events %+v", evs)
	}
	if _, err := r.Handle("m", Rename{NewName: "Sam again"}); !errors.Is(err, CodeRateLimited) {
		t.Errorf("fast rename: %v", err)
	}
	clk.Advance(3 * time.Second)
	mustHandle(t, r, "m", Rename{NewName: "Sam again"})

	mustHandle(t, r, "m", RaiseHand{})
	mustHandle(t, r, "t", RaiseHand{})
	mustHandle(t, r, "m", RaiseHand{}) // idempotent: keeps its place
	if got := r.Hands(); !slices.Equal(got, []ParticipantID{"m", "t"}) {
		t.Errorf("hands %v", got)
	}
	evs = mustHandle(t, r, "m", LowerHand{})
	if got := r.Hands(); !slices.Equal(got, []ParticipantID{"t"}) || evs[1].To != toEveryone() {
		t.Errorf("hands %v, events %+v", got, evs)
	}
	r.Leave("t")
	if len(r.Hands()) != 0 {
		t.Error("hand of a leaver stays in the queue")
	}
}

func TestChatLimits(t *testing.T) {
	r, clk := fixture(t)
	for i := range 5 {
		mustHandle(t, r, "m", SendChat{Text: fmt.Sprint("line ", i)})
	}
	if _, err := r.Handle("m", SendChat{Text: "spam"}); !errors.Is(err, CodeRateLimited) {
		t.Fatalf("6th message in a burst: %v", err)
	}
	clk.Advance(2 * time.Second)
	evs := mustHandle(t, r, "m", SendChat{Text: "later"})
	if evs[0].Chat.ID != 6 || evs[0].Chat.Text != "later" || evs[0].To != toEveryone() {
		t.Errorf("chat event %+v", evs[0])
	}
	mustHandle(t, r, "t", SendChat{Text: "raider line"})
	evs = mustHandle(t, r, "c", Remove{Target: "t", DeleteMessages: true})
	if !slices.ContainsFunc(evs, func(e Event) bool { return e.Kind == KindChatDeleted && e.ChatID == 7 }) {
		t.Errorf("removed member's chat not deleted: %+v", evs)
	}
	for _, m := range r.ChatHistory() {
		if m.From == "t" {
			t.Errorf("history keeps %+v", m)
		}
	}
}

func TestChatHistoryBounded(t *testing.T) {
	clk := newClock()
	r, err := NewRoom(Config{Clock: clk, Limits: Limits{ChatHistory: 3, ChatBurst: 100}})
	if err != nil {
		t.Fatal(err)
	}
	join(t, r, "a", GrantNone)
	for i := range 10 {
		mustHandle(t, r, "a", SendChat{Text: fmt.Sprint(i)})
	}
	h := r.ChatHistory()
	if len(h) != 3 || h[0].Text != "7" || h[2].Text != "9" {
		t.Errorf("history %+v", h)
	}
}

func TestTimerTick(t *testing.T) {
	r, clk := fixture(t)
	mustHandle(t, r, "c", StartTimer{Target: "m", Duration: 3 * time.Minute})
	clk.Advance(2*time.Minute - time.Second)
	if evs := r.Tick(); evs != nil {
		t.Fatalf("early warning or expiry %+v", evs)
	}
	clk.Advance(time.Second)
	if evs := r.Tick(); len(evs) != 2 || evs[0].Kind != KindTimerWarning || evs[0].To != toChairs() || evs[1].To != toOne("m") {
		t.Fatalf("warning %+v", evs)
	}
	if evs := r.Tick(); evs != nil {
		t.Fatalf("warned twice %+v", evs)
	}
	clk.Advance(time.Minute)
	evs := r.Tick()
	if len(evs) != 1 || evs[0].Kind != KindTimerExpired || evs[0].Subject != "m" {
		t.Fatalf("expiry %+v", evs)
	}
	if r.Tick() != nil {
		t.Error("expired twice")
	}
}

func TestRecipients(t *testing.T) {
	r, _ := fixture(t)
	r.waitingRoom = true
	join(t, r, "w", GrantNone)
	if got := r.Recipients(toEveryone()); !slices.Equal(got, []ParticipantID{"c", "co", "m", "t"}) {
		t.Errorf("everyone %v", got)
	}
	if got := r.Recipients(toChairs()); !slices.Equal(got, []ParticipantID{"c", "co"}) {
		t.Errorf("chairs %v", got)
	}
	if got := r.Recipients(toOne("w")); !reflect.DeepEqual(got, []ParticipantID{"w"}) {
		t.Errorf("one %v", got)
	}
}

func TestConfigValidate(t *testing.T) {
	if _, err := NewRoom(Config{}); err == nil {
		t.Error("no clock accepted")
	}
	if _, err := NewRoom(Config{Clock: newClock(), Settings: Settings{MaxParticipants: -1}}); err == nil {
		t.Error("negative capacity accepted")
	}
	if _, err := NewRoom(Config{Clock: newClock(), Limits: Limits{SecretFreeFail: 5, SecretMaxFail: 2}}); err == nil {
		t.Error("max below free accepted")
	}
}

// Everyone sees the raised hands, in order; a removal is announced before
// the member's leave and its hand going down, so that clients tell it as a
// removal under the name the member had.
func TestHandsPublicAndRemovalFirst(t *testing.T) {
	r, _ := fixture(t)
	evs := mustHandle(t, r, "t", RaiseHand{})
	if evs[1].Kind != KindHands || evs[1].To != toEveryone() || len(r.Recipients(evs[1].To)) != 4 {
		t.Errorf("hands event %+v reaches %v, want everyone", evs[1], r.Recipients(evs[1].To))
	}
	evs = mustHandle(t, r, "c", Remove{Target: "t"})
	var kinds []string
	for _, e := range evs {
		kinds = append(kinds, string(e.Kind)+"/"+e.Control)
	}
	want := []string{"disconnect/", "control/remove", "left/", "hands/"}
	if !slices.Equal(kinds, want) {
		t.Errorf("removal events %q, want %q", kinds, want)
	}
}

// TestTimerWarning: when the speaker and the chairs are warned, for each
// warning time a chair may choose; a timer no longer than its warning gets
// none; a bad warning time is refused.
func TestTimerWarning(t *testing.T) {
	for _, tc := range []struct {
		name          string
		dur, warn     time.Duration
		warnAt        time.Duration // after the start; 0: never
		target        string
		subjectWarned bool
		refused       bool
	}{
		{"default minute", 5 * time.Minute, 0, 4 * time.Minute, "m", true, false},
		{"thirty seconds", 3 * time.Minute, 30 * time.Second, 150 * time.Second, "m", true, false},
		{"two minutes", 3 * time.Minute, 2 * time.Minute, time.Minute, "m", true, false},
		{"timer shorter than the warning", 45 * time.Second, 0, 0, "m", false, false},
		{"co-chair speaker is warned as a chair", 5 * time.Minute, 0, 4 * time.Minute, "co", false, false},
		{"negative warning", 5 * time.Minute, -time.Second, 0, "m", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, clk := fixture(t)
			_, err := r.Handle("c", StartTimer{Target: ParticipantID(tc.target), Duration: tc.dur, WarnBefore: tc.warn})
			if tc.refused {
				if !errors.Is(err, CodeInvalid) || !r.Timer().Ends.IsZero() {
					t.Fatalf("got %v and timer %+v, want refused", err, r.Timer())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := r.Timer().Ends.Add(-tc.dur + tc.warnAt); tc.warnAt != 0 && !r.NextTick().Equal(want) {
				t.Fatalf("next tick %v, want the warning at %v", r.NextTick(), want)
			}
			var warnedAt time.Duration
			var evs []Event
			for at := time.Second; at < tc.dur; at += time.Second {
				clk.Advance(time.Second)
				if got := r.Tick(); got != nil && warnedAt == 0 {
					warnedAt, evs = at, got
				} else if got != nil {
					t.Fatalf("second warning at %v: %+v", at, got)
				}
			}
			if warnedAt != tc.warnAt {
				t.Fatalf("warned at %v, want %v", warnedAt, tc.warnAt)
			}
			if tc.warnAt != 0 && hasEvent(evs, KindTimerWarning, ParticipantID(tc.target)) &&
				slices.ContainsFunc(evs, func(e Event) bool { return e.To == toOne(ParticipantID(tc.target)) }) != tc.subjectWarned {
				t.Fatalf("warning events %+v", evs)
			}
		})
	}
}
