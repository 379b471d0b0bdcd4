package control

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// raidRoom is a room with a chair, 10 members and 30 raiders who unmuted,
// started video and spammed chat before the chair reacted.
func raidRoom(tb testing.TB) (*Room, *manualClock, []ParticipantID) {
	tb.Helper()
	clk := newClock()
	r, err := NewRoom(Config{Clock: clk})
	if err != nil {
		tb.Fatal(err)
	}
	joinAs := func(id string, g ChairGrant) {
		a, _ := r.Join(JoinRequest{ID: ParticipantID(id), Identity: Identity{BrowserID: "b-" + id, ResumeToken: "r-" + id}, Name: id, Chair: g})
		if a.Status != StatusAdmitted {
			tb.Fatalf("join %s: %+v", id, a)
		}
	}
	joinAs("chair", GrantHostKey)
	for i := range 10 {
		joinAs(fmt.Sprint("member", i), GrantNone)
	}
	var raiders []ParticipantID
	for i := range 30 {
		id := fmt.Sprint("raider", i)
		joinAs(id, GrantNone)
		raiders = append(raiders, ParticipantID(id))
		for _, c := range []Command{SelfUnmute{}, SelfStartVideo{}, SendChat{Text: "spam"}, Rename{NewName: "member0"},
			React{Reaction: ReactionApplause}} {
			// The room-wide chat limit turns the last raiders' spam away.
			if _, err := r.Handle(ParticipantID(id), c); err != nil && !errors.Is(err, CodeRateLimited) {
				tb.Fatalf("raider %s before secure: %v", c.Name(), err)
			}
		}
	}
	return r, clk, raiders
}

// TestRaidStateMachine is the raid drill at the state-machine level; the
// live drill with Pion peers lives in package sfu.
func TestRaidStateMachine(t *testing.T) {
	r, clk, raiders := raidRoom(t)
	mustHandle(t, r, "chair", Secure{})
	want := Switches{Locked: true, RenameLock: true, ChatMode: ChatChairs, Secured: true}
	if got := r.Switches(); got != want {
		t.Fatalf("switches after secure %+v, want %+v", got, want)
	}
	members := r.Recipients(toEveryone())[1:11]
	for _, id := range raiders {
		if p, _ := r.Perms(id); p.Audio || p.Video {
			t.Fatalf("%s after secure: %+v", id, p)
		}
		for _, c := range []Command{SelfUnmute{}, SelfStartVideo{}, React{Reaction: ReactionHeart}} {
			if _, err := r.Handle(id, c); err == nil {
				t.Fatalf("%s %s after secure succeeded", id, c.Name())
			}
		}
		// Chat in chairs-only mode: whatever a raider asks, no member hears it.
		for _, c := range []SendChat{{Text: "spam"}, {Text: "dm", To: members[0]}} {
			evs, err := r.Handle(id, c)
			if err != nil && !errors.Is(err, CodeRateLimited) && !errors.Is(err, CodePrivateChat) {
				t.Fatalf("%s chat after secure: %v", id, err)
			}
			for _, ev := range evs {
				for _, to := range r.Recipients(ev.To) {
					if slices.Contains(members, to) {
						t.Fatalf("raider chat reached member %s: %+v", to, ev)
					}
				}
			}
		}
	}
	for _, m := range members {
		for _, msg := range r.ChatHistoryFor(m) {
			if msg.From != m && slices.Contains(raiders, msg.From) && msg.ToChairs {
				t.Fatalf("member %s is sent raider chat %+v", m, msg)
			}
		}
	}
	for _, id := range raiders {
		mustHandle(t, r, "chair", Remove{Target: id, DeleteMessages: true})
	}
	for _, m := range r.ChatHistory() {
		t.Errorf("raider chat survived: %+v", m)
	}
	r.Handle("chair", SetLocked{}) // unlocked again: the bar alone must hold
	for i, id := range raiders {
		a, _ := r.Join(JoinRequest{ID: ParticipantID(fmt.Sprint("again", i)),
			Identity: Identity{BrowserID: "b-" + string(id)}, Name: "new name"})
		if a.Reason != CodeBarred {
			t.Fatalf("raider %s rejoined: %+v", id, a)
		}
	}
	if got := len(r.Recipients(toEveryone())); got != 11 {
		t.Fatalf("%d left in the room, want 11", got)
	}
	mustHandle(t, r, "chair", SetSelfUnmute{On: true})
	if _, err := r.Handle("member3", SelfUnmute{}); err != nil {
		t.Fatalf("member cannot speak again: %v", err)
	}
	clk.Advance(time.Second) // the room-wide chat limit refills after the raiders' spam
	if evs := mustHandle(t, r, "member3", SendChat{Text: "x"}); evs[0].To != toChairs() {
		t.Fatalf("chat undone with self-unmute: %+v", evs)
	}
}

// BenchmarkSecureAndRemove measures the control work of securing a 41-person
// room and removing 30 raiders.
func BenchmarkSecureAndRemove(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		r, _, raiders := raidRoom(b)
		b.StartTimer()
		if _, err := r.Handle("chair", Secure{}); err != nil {
			b.Fatal(err)
		}
		for _, id := range raiders {
			if _, err := r.Handle("chair", Remove{Target: id, DeleteMessages: true}); err != nil {
				b.Fatal(err)
			}
		}
	}
}
