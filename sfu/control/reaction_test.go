package control

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// TestReactions: who may react with what, when, and who sees it. Chair
// "c", co-chair "co", members "m" and "t".
func TestReactions(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, r *Room)
		from  string
		react Reaction
		err   Code
	}{
		{name: "member applause", from: "m", react: ReactionApplause},
		{name: "member heart", from: "m", react: ReactionHeart},
		{name: "member wave", from: "t", react: ReactionWave},
		{name: "member thumbs up", from: "t", react: ReactionThumbsUp},
		{name: "unknown reaction", from: "m", react: "poop", err: CodeInvalid},
		{name: "text is no reaction", from: "m", react: "buy my stuff", err: CodeInvalid},
		{name: "reactions off", setup: func(t *testing.T, r *Room) { mustHandle(t, r, "c", SetReactions{}) },
			from: "m", react: ReactionHeart, err: CodeReactionsOff},
		{name: "chairs react with reactions off", setup: func(t *testing.T, r *Room) { mustHandle(t, r, "c", SetReactions{}) },
			from: "co", react: ReactionHeart},
		{name: "secure turns reactions off", setup: func(t *testing.T, r *Room) { mustHandle(t, r, "co", Secure{}) },
			from: "m", react: ReactionWave, err: CodeReactionsOff},
		{name: "undo secure turns them back on", setup: func(t *testing.T, r *Room) {
			mustHandle(t, r, "co", Secure{})
			mustHandle(t, r, "co", UndoSecure{})
		}, from: "m", react: ReactionWave},
		{name: "undo secure keeps them off when they were", setup: func(t *testing.T, r *Room) {
			mustHandle(t, r, "c", SetReactions{})
			mustHandle(t, r, "co", Secure{})
			mustHandle(t, r, "co", UndoSecure{})
		}, from: "m", react: ReactionWave, err: CodeReactionsOff},
		{name: "member's own limit", setup: func(t *testing.T, r *Room) {
			for range 3 {
				mustHandle(t, r, "m", React{Reaction: ReactionHeart})
			}
		}, from: "m", react: ReactionHeart, err: CodeRateLimited},
		{name: "another member is not held back", setup: func(t *testing.T, r *Room) {
			for range 3 {
				mustHandle(t, r, "m", React{Reaction: ReactionHeart})
			}
		}, from: "t", react: ReactionHeart},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := fixture(t)
			if tc.setup != nil {
				tc.setup(t, r)
			}
			before := snapshot(r)
			evs, err := r.Handle(ParticipantID(tc.from), React{Reaction: tc.react})
			if tc.err != "" {
				if !errors.Is(err, tc.err) || snapshot(r) != before {
					t.Fatalf("got %v, want %s and no change", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 1 || evs[0].Kind != KindReaction || evs[0].To != toEveryone() ||
				evs[0].Subject != ParticipantID(tc.from) || evs[0].Reaction != tc.react {
				t.Fatalf("events %+v", evs)
			}
		})
	}
}

// TestReactionPacing: a member's bucket refills with time; thirty members
// each within their own limit cannot flood the room together, and the
// chair is not held back by them; only chairs switch reactions.
func TestReactionPacing(t *testing.T) {
	r, clk := newTestRoom(t, Settings{})
	join(t, r, "c", GrantHostKey)
	join(t, r, "m", GrantNone)
	for range 3 {
		mustHandle(t, r, "m", React{Reaction: ReactionApplause})
	}
	if _, err := r.Handle("m", React{Reaction: ReactionApplause}); !errors.Is(err, CodeRateLimited) {
		t.Fatalf("fourth reaction at once: %v", err)
	}
	clk.Advance(2 * time.Second)
	mustHandle(t, r, "m", React{Reaction: ReactionApplause})

	sent := 0
	for i := range 30 {
		id := ParticipantID(fmt.Sprint("r", i))
		join(t, r, string(id), GrantNone)
		for range 3 {
			if _, err := r.Handle(id, React{Reaction: ReactionHeart}); err == nil {
				sent++
			} else if !errors.Is(err, CodeRateLimited) {
				t.Fatal(err)
			}
		}
	}
	if sent != 29 { // the room's 30, less the one "m" spent after the refill
		t.Fatalf("%d reactions of a crowd went out, want 29", sent)
	}
	mustHandle(t, r, "c", React{Reaction: ReactionWave})
	if _, err := r.Handle("m", SetReactions{}); !errors.Is(err, CodeNotChair) {
		t.Fatalf("member switches reactions: %v", err)
	}
	evs := mustHandle(t, r, "c", SetReactions{})
	if !hasEvent(evs, KindPerms, "m") || perms(t, r, "m").React || r.Switches().Reactions {
		t.Fatalf("reactions off: %+v", evs)
	}
}
