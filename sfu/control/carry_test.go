package control

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// A room taken over by another node keeps what its chairs set and whom
// they barred (browser and resume token), and carries the bars on; the
// carried form holds hashes, not the identities.
func TestCarryRestore(t *testing.T) {
	salt := []byte("room salt 0123456789")
	old, _ := newTestRoom(t, Settings{})
	old.locked, old.waitingRoom, old.renameLock, old.chatMode, old.reactions = true, true, true, ChatChairs, false
	old.bar(Identity{BrowserID: "raider-browser", ResumeToken: "raider-resume"})
	old.people["m"] = &participant{id: "m", identity: Identity{BrowserID: "member-browser"}}
	old.people["w"] = &participant{id: "w", identity: Identity{BrowserID: "waiting-browser"}, waiting: waitRoom}
	c := old.Carry(salt)
	if len(c.Members) != 1 {
		t.Fatalf("members carried: %v", c.Members)
	}
	if len(c.Bars) != 2 {
		t.Fatalf("bars carried: %v", c.Bars)
	}
	for _, h := range c.Bars {
		if strings.Contains(h, "raider") {
			t.Fatalf("a bar is carried in the clear: %q", h)
		}
	}

	next, _ := newTestRoom(t, Settings{})
	next.Restore(c, salt)
	sw := next.Switches()
	if !sw.Locked || !sw.WaitingRoom || !sw.RenameLock || sw.ChatMode != ChatChairs || sw.Reactions {
		t.Fatalf("switches after the takeover: %+v", sw)
	}
	for _, id := range []Identity{{BrowserID: "raider-browser"}, {BrowserID: "fresh-cookie", ResumeToken: "raider-resume"}} {
		if a, _ := next.Join(JoinRequest{ID: "x", Name: "X", Chair: GrantHostKey, Identity: id}); a.Status != StatusRefused || a.Reason != CodeBarred {
			t.Errorf("%+v after the takeover: %+v, want barred", id, a)
		}
	}
	if a, _ := next.Join(JoinRequest{ID: "chair", Name: "Chair", Chair: GrantHostKey, Identity: Identity{BrowserID: "chair-browser"}}); a.Status != StatusAdmitted {
		t.Fatalf("the chair after the takeover: %+v", a)
	}
	// Who was in comes back past the lock and the waiting room; nobody else.
	if a, _ := next.Join(JoinRequest{ID: "m2", Name: "M", Identity: Identity{BrowserID: "member-browser"}}); a.Status != StatusAdmitted {
		t.Errorf("a member of the room before the takeover: %+v, want admitted", a)
	}
	for _, b := range []string{"waiting-browser", "stranger"} {
		if a, _ := next.Join(JoinRequest{ID: ParticipantID(b), Name: "S", Identity: Identity{BrowserID: b}}); a.Status != StatusRefused || a.Reason != CodeLocked {
			t.Errorf("%s after the takeover: %+v, want locked out", b, a)
		}
	}
	// A bar on the new node joins the carried ones; a third node gets all.
	next.bar(Identity{BrowserID: "second-raider"})
	if again := next.Carry(salt); len(again.Bars) != 3 || !slices.IsSorted(again.Bars) {
		t.Fatalf("bars carried on: %v", again.Bars)
	}
	// Another room's salt gives other hashes.
	if other := old.Carry([]byte("another room's salt")); slices.Equal(other.Bars, c.Bars) {
		t.Fatal("bars hash the same under another salt")
	}
}

// A state saved before reactions existed has no reactionsOff: reactions
// stay on after the takeover.
func TestCarryOlderStateKeepsReactions(t *testing.T) {
	next, _ := newTestRoom(t, Settings{})
	next.Restore(Carried{ChatMode: ChatEveryone, SelfUnmute: true, StartVideo: true}, []byte("salt"))
	if !next.Switches().Reactions {
		t.Fatal("reactions off after restoring a state that did not carry them")
	}
}

// The limiter's counts go to the room's next node as keyed hashes: a
// guesser refused on the old node is refused on the new one, a client
// that was waiting keeps waiting, and a client that never failed (the
// chair) tries at once.
func TestSecretCountsCarried(t *testing.T) {
	salt := []byte("room salt 0123456789")
	old, clk := newTestRoom(t, Settings{})
	guess := func(r *Room, client string) error {
		tk, _, err := r.BeginSecret(SecretPasscode, client, "")
		if err != nil {
			return err
		}
		_, err = r.FinishSecret(tk, false, ServiceRole{})
		return err
	}
	for i := 0; i < defaultSecretMaxFail; i++ {
		_ = guess(old, "b:raider")
		clk.Advance(defaultSecretMaxWait)
	}
	_ = guess(old, "a:slow")
	_ = guess(old, "a:slow")
	_ = guess(old, "a:slow")
	counts := old.SecretCounts(salt)
	if len(counts) != 2 {
		t.Fatalf("counts: %+v", counts)
	}
	for _, c := range counts {
		if strings.Contains(c.Key, "raider") || strings.Contains(c.Key, "slow") {
			t.Fatalf("a client is carried in the clear: %q", c.Key)
		}
	}
	if again := old.SecretCounts(salt); len(again) != 0 {
		t.Fatalf("unchanged counts returned again: %+v", again)
	}

	next, _ := newTestRoom(t, Settings{})
	next.RestoreSecretCounts(counts, salt)
	if _, _, err := next.BeginSecret(SecretPasscode, "b:raider", ""); !errors.Is(err, CodeSecretRefused) {
		t.Errorf("the raider after the takeover: %v, want refused", err)
	}
	if _, _, err := next.BeginSecret(SecretPasscode, "b:raider", ""); !errors.Is(err, CodeSecretRefused) {
		t.Errorf("the raider's second try after the takeover: %v, want refused", err)
	}
	// Three wrong, the fourth waits (the clock has not moved since).
	if _, _, err := next.BeginSecret(SecretPasscode, "a:slow", ""); !errors.Is(err, CodeRateLimited) {
		t.Errorf("the slow guesser after the takeover: %v, want to wait", err)
	}
	tk, _, err := next.BeginSecret(SecretHostKey, "b:chair", "")
	if err != nil || !tk.Clean() {
		t.Fatalf("the chair after the takeover: %v (clean %v)", err, tk.Clean())
	}
	// Another kind of secret counts apart; another salt matches nothing.
	if _, _, err := next.BeginSecret(SecretHostKey, "b:raider", ""); err != nil {
		t.Errorf("the raider's first host key: %v", err)
	}
	other, _ := newTestRoom(t, Settings{})
	other.RestoreSecretCounts(counts, []byte("another room's salt"))
	if _, _, err := other.BeginSecret(SecretPasscode, "b:raider", ""); err != nil {
		t.Errorf("counts matched under another salt: %v", err)
	}
}
