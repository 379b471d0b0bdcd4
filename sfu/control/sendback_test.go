package control

import (
	"errors"
	"testing"
)

// TestSendToWaitingPerms: only chairs and co-chairs move a member back to
// the waiting room, never a chair or co-chair, never someone not admitted;
// a refusal changes nothing.
func TestSendToWaitingPerms(t *testing.T) {
	tests := []struct {
		name, from, target string
		setup              func(t *testing.T, r *Room)
		want               Code
	}{
		{name: "member", from: "m", target: "t", want: CodeNotChair},
		{name: "member on itself", from: "t", target: "t", want: CodeNotChair},
		{name: "co-chair on the chair", from: "co", target: "c", want: CodeTargetIsChair},
		{name: "chair on the co-chair", from: "c", target: "co", want: CodeTargetIsChair},
		{name: "chair on itself", from: "c", target: "c", want: CodeTargetIsChair},
		{name: "unknown", from: "c", target: "nobody", want: CodeUnknownParticipant},
		{name: "waiting", from: "c", target: "w1", setup: waitingSetup, want: CodeNotAdmitted},
		{name: "from the waiting room", from: "w1", target: "t", setup: waitingSetup, want: CodeNotAdmitted},
		{name: "chair", from: "c", target: "t"},
		{name: "co-chair", from: "co", target: "t"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := fixture(t)
			if tt.setup != nil {
				tt.setup(t, r)
			}
			before := snapshot(r)
			evs, err := r.Handle(ParticipantID(tt.from), SendToWaiting{Target: ParticipantID(tt.target)})
			if tt.want != "" {
				if !errors.Is(err, tt.want) || evs != nil {
					t.Fatalf("got %v, %v; want %v", evs, err, tt.want)
				}
				if snapshot(r) != before || len(r.held) != 0 {
					t.Fatal("a refused send-to-waiting changed state")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !hasEvent(evs, KindDisconnect, "t") || !hasEvent(evs, KindLeft, "t") {
				t.Fatalf("events %+v: want t disconnected and left", evs)
			}
		})
	}
}

// TestSendToWaitingRoundTrip: the member's connection is closed first (its
// media gate shuts before anyone hears), everyone is told once under its
// name, its hand and timer go; its next join waits whatever the switches,
// past the lock and the passcode, and shows in the chairs' list; a chair
// admits it again, and after that it joins as anyone else.
func TestSendToWaitingRoundTrip(t *testing.T) {
	r, _ := newTestRoom(t, Settings{PasscodeRequired: true})
	for _, id := range []string{"c", "t", "m"} {
		grant := GrantNone
		if id == "c" {
			grant = GrantHostKey
		}
		join(t, r, id, grant)
	}
	mustHandle(t, r, "t", RaiseHand{})
	mustHandle(t, r, "c", StartTimer{Target: "t", Duration: 60e9})
	mustHandle(t, r, "c", SetLocked{On: true})

	evs := mustHandle(t, r, "c", SendToWaiting{Target: "t"})
	if evs[0].Kind != KindDisconnect || evs[0].Subject != "t" || evs[0].Reason != CodeSentToWaiting || evs[0].To != toOne("t") {
		t.Fatalf("first event %+v: want t's disconnect, sent-to-waiting", evs[0])
	}
	if evs[1].Kind != KindControl || evs[1].Control != ControlSentToWaiting || evs[1].Subject != "t" || evs[1].By != "c" {
		t.Fatalf("second event %+v: want the announcement", evs[1])
	}
	if !hasEvent(evs, KindLeft, "t") || len(r.Hands()) != 0 || !r.Timer().Ends.IsZero() {
		t.Fatalf("after: events %+v, hands %v, timer %+v", evs, r.Hands(), r.Timer())
	}
	if _, ok := r.Perms("t"); ok {
		t.Fatal("t is still in the room")
	}

	// The same browser joins again, without the passcode, the room locked
	// and the waiting room off: it waits, and the chairs see it.
	back := JoinRequest{ID: "t2", Name: "name t", Identity: Identity{BrowserID: "b-t", ResumeToken: "r-t2"}}
	a, evs := r.Join(back)
	if a.Status != StatusWaiting || len(evs) != 1 || evs[0].Kind != KindWaitingList || len(evs[0].Waiting) != 1 {
		t.Fatalf("join again: %+v %+v; want waiting, in the list", a, evs)
	}
	if p, _ := r.Perms("t2"); p != (Perms{}) {
		t.Fatalf("waiting perms %+v", p)
	}
	// Leaving the waiting room keeps the hold: it waits again next time.
	r.Leave("t2")
	if a, _ := r.Join(back); a.Status != StatusWaiting {
		t.Fatalf("join a third time: %+v, want waiting", a)
	}
	// Someone else is still kept out by the lock.
	if a := join(t, r, "x", GrantNone); a.Status != StatusRefused || a.Reason != CodeLocked {
		t.Fatalf("stranger: %+v", a)
	}
	evs = mustHandle(t, r, "c", Admit{Target: "t2"})
	if !hasEvent(evs, KindAdmitted, "t2") || !hasEvent(evs, KindJoined, "t2") {
		t.Fatalf("admit: %+v", evs)
	}
	// Admitted, the hold is over: the browser is an ordinary member again,
	// not barred and not favoured.
	r.Leave("t2")
	back.ID = "t3"
	if a, _ := r.Join(back); a.Status != StatusRefused || a.Reason != CodeBadPasscode {
		t.Fatalf("after admission and leave, no passcode: %+v, want refused like anyone", a)
	}
	back.PasscodeOK = true
	if a, _ := r.Join(back); a.Status != StatusRefused || a.Reason != CodeLocked {
		t.Fatalf("after admission and leave: %+v, want locked like anyone", a)
	}
	mustHandle(t, r, "c", SetLocked{On: false})
	if a, _ := r.Join(back); a.Status != StatusAdmitted {
		t.Fatalf("unlocked: %+v, want admitted", a)
	}
}

// TestSendToWaitingCarried: the next node of the room keeps the browser
// waiting, and no longer lets it straight in as one admitted before.
func TestSendToWaitingCarried(t *testing.T) {
	salt := []byte("room salt 0123456789")
	old, _ := fixture(t)
	mustHandle(t, old, "c", SetLocked{On: true})
	before := old.Carry(salt)
	next, _ := newTestRoom(t, Settings{})
	next.Restore(before, salt)
	join(t, next, "c2", GrantHostKey)
	mustHandle(t, next, "c2", SendToWaiting{Target: ParticipantID(mustJoinCarried(t, next, "t"))})
	c := next.Carry(salt)
	if len(c.Held) != 1 || len(c.Members) != len(before.Members) {
		t.Fatalf("carried held %v, members %d (before %d)", c.Held, len(c.Members), len(before.Members))
	}
	third, _ := newTestRoom(t, Settings{})
	third.Restore(c, salt)
	if a, _ := third.Join(JoinRequest{ID: "t9", Name: "T", Identity: Identity{BrowserID: "b-t"}}); a.Status != StatusWaiting {
		t.Fatalf("held browser on the third node: %+v, want waiting", a)
	}
	if a, _ := third.Join(JoinRequest{ID: "m9", Name: "M", Identity: Identity{BrowserID: "b-m"}}); a.Status != StatusAdmitted {
		t.Fatalf("another member on the third node: %+v, want admitted past the lock", a)
	}
}

// mustJoinCarried joins browser b-<id> to a restored room, which lets it
// in as admitted before.
func mustJoinCarried(t *testing.T, r *Room, id string) string {
	t.Helper()
	a, _ := r.Join(JoinRequest{ID: ParticipantID(id), Name: "N", Identity: Identity{BrowserID: "b-" + id}})
	if a.Status != StatusAdmitted {
		t.Fatalf("%s on the next node: %+v", id, a)
	}
	return id
}
