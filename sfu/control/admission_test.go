package control

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestJoinAdmission(t *testing.T) {
	tests := []struct {
		name     string
		settings Settings
		prep     func(t *testing.T, r *Room)
		req      JoinRequest
		want     Status
		reason   Code
	}{
		{name: "open room", want: StatusAdmitted},
		{name: "passcode missing", settings: Settings{PasscodeRequired: true},
			req: JoinRequest{PasscodeOK: false}, want: StatusRefused, reason: CodeBadPasscode},
		{name: "passcode given", settings: Settings{PasscodeRequired: true},
			req: JoinRequest{PasscodeOK: true}, want: StatusAdmitted},
		{name: "chair skips passcode", settings: Settings{PasscodeRequired: true},
			req: JoinRequest{Chair: GrantHostKey}, want: StatusAdmitted},
		{name: "waiting room", settings: Settings{WaitingRoom: true}, want: StatusWaiting},
		{name: "chair skips waiting room", settings: Settings{WaitingRoom: true},
			req: JoinRequest{Chair: GrantAdminToken}, want: StatusAdmitted},
		{name: "locked until chair, no chair", settings: Settings{LockedUntilChair: true}, want: StatusWaiting},
		{name: "locked until chair, chair here", settings: Settings{LockedUntilChair: true},
			prep: func(t *testing.T, r *Room) { join(t, r, "c", GrantHostKey) }, want: StatusAdmitted},
		{name: "full", settings: Settings{MaxParticipants: 1},
			prep: func(t *testing.T, r *Room) { join(t, r, "a", GrantNone) }, want: StatusRefused, reason: CodeFull},
		{name: "chair exceeds capacity", settings: Settings{MaxParticipants: 1},
			prep: func(t *testing.T, r *Room) { join(t, r, "a", GrantNone) },
			req:  JoinRequest{Chair: GrantHostKey}, want: StatusAdmitted},
		{name: "locked", prep: func(t *testing.T, r *Room) { r.locked = true }, want: StatusRefused, reason: CodeLocked},
		{name: "ended", prep: func(t *testing.T, r *Room) { r.ended = true },
			req: JoinRequest{}, want: StatusRefused, reason: CodeEnded},
		{name: "ended, a chair opens it again", prep: func(t *testing.T, r *Room) { r.ended = true },
			req: JoinRequest{Chair: GrantAdminToken}, want: StatusAdmitted},
		{name: "barred chair", prep: func(t *testing.T, r *Room) { r.bar(Identity{BrowserID: "b-x"}) },
			req: JoinRequest{Chair: GrantHostKey}, want: StatusRefused, reason: CodeBarred},
		{name: "duplicate", prep: func(t *testing.T, r *Room) { join(t, r, "x", GrantNone) },
			want: StatusRefused, reason: CodeDuplicate},
		{name: "blank name", req: JoinRequest{Name: "  "}, want: StatusRefused, reason: CodeInvalid},
		{name: "long name", req: JoinRequest{Name: string(make([]rune, 65))}, want: StatusRefused, reason: CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := newTestRoom(t, tt.settings)
			if tt.prep != nil {
				tt.prep(t, r)
			}
			req := tt.req
			req.ID, req.Identity = "x", Identity{BrowserID: "b-x"}
			if req.Name == "" {
				req.Name = "Pat"
			}
			before := snapshot(r)
			a, evs := r.Join(req)
			if a.Status != tt.want || a.Reason != tt.reason {
				t.Fatalf("got %+v, want %v %q", a, tt.want, tt.reason)
			}
			switch a.Status {
			case StatusRefused:
				if evs != nil || snapshot(r) != before {
					t.Fatal("refused join changed state")
				}
			case StatusAdmitted:
				if !hasEvent(evs, KindAdmitted, "x") || !hasEvent(evs, KindJoined, "x") {
					t.Fatalf("events %+v", evs)
				}
			case StatusWaiting:
				if len(evs) != 1 || evs[0].Kind != KindWaitingList || evs[0].To != toChairs() {
					t.Fatalf("events %+v", evs)
				}
			}
		})
	}
}

// TestLockedUntilChair: members wait until a chair arrives, then all enter.
func TestLockedUntilChair(t *testing.T) {
	r, _ := newTestRoom(t, Settings{LockedUntilChair: true})
	join(t, r, "a", GrantNone)
	join(t, r, "b", GrantNone)
	if _, err := r.Handle("a", SendChat{Text: "hello?"}); !errors.Is(err, CodeNotAdmitted) {
		t.Fatalf("waiting member chatted: %v", err)
	}
	_, evs := r.Join(JoinRequest{ID: "c", Identity: Identity{BrowserID: "b-c"}, Name: "Chair", Chair: GrantHostKey})
	if !hasEvent(evs, KindAdmitted, "a") || !hasEvent(evs, KindAdmitted, "b") || len(r.Waiting()) != 0 {
		t.Fatalf("members not released: %+v", evs)
	}
}

// TestWaitingRoomGatesSwitchesAtAdmission: a member who waited through a
// "secure" enters muted even though it joined before.
func TestWaitingRoomGatesSwitchesAtAdmission(t *testing.T) {
	r, _ := newTestRoom(t, Settings{WaitingRoom: true})
	join(t, r, "c", GrantHostKey)
	join(t, r, "w", GrantNone)
	mustHandle(t, r, "c", Secure{})
	mustHandle(t, r, "c", Admit{Target: "w"})
	if p := perms(t, r, "w"); p.Audio || p.Video || !p.Chat || r.Switches().ChatMode != ChatChairs {
		t.Fatalf("admitted after secure with %+v, chat %s", p, r.Switches().ChatMode)
	}
}

func TestCameraOffOnEntry(t *testing.T) {
	r, _ := newTestRoom(t, Settings{CameraOffOnEntry: true})
	join(t, r, "m", GrantNone)
	if p := perms(t, r, "m"); p.Video || !p.StartVideo || !p.Audio {
		t.Fatalf("perms %+v", p)
	}
	mustHandle(t, r, "m", SelfStartVideo{})
	if !perms(t, r, "m").Video {
		t.Fatal("member could not start its camera")
	}
}

func TestAdmitRespectsCapacity(t *testing.T) {
	r, _ := newTestRoom(t, Settings{WaitingRoom: true, MaxParticipants: 2})
	join(t, r, "c", GrantHostKey)
	join(t, r, "w1", GrantNone)
	join(t, r, "w2", GrantNone)
	mustHandle(t, r, "c", AdmitAll{})
	if got := r.Waiting(); len(got) != 1 || got[0].ID != "w2" {
		t.Fatalf("waiting %+v", got)
	}
	if _, err := r.Handle("c", Admit{Target: "w2"}); !errors.Is(err, CodeFull) {
		t.Fatalf("admit past capacity: %v", err)
	}
}

// TestHostKeyBruteForce: a client is slowed after a few wrong keys, then
// refused for the meeting; the right key still works for another client; a
// storm of fresh clients is paced room-wide without locking the chair out.
func TestHostKeyBruteForce(t *testing.T) {
	r, clk := newTestRoom(t, Settings{})
	join(t, r, "raider", GrantNone)
	join(t, r, "host", GrantNone)
	try := func(client string, id ParticipantID, right bool) error {
		tk, _, err := r.BeginSecret(SecretHostKey, client, id)
		if err != nil {
			return err
		}
		_, err = r.FinishSecret(tk, right, ServiceRole{})
		return err
	}
	for i := range 3 {
		if err := try("b-raider", "raider", false); !errors.Is(err, CodeBadHostKey) {
			t.Fatalf("free attempt %d: %v", i, err)
		}
	}
	if err := try("b-raider", "raider", false); !errors.Is(err, CodeRateLimited) {
		t.Fatalf("4th attempt at once: %v", err)
	}
	var waited time.Duration
	for fails := 3; fails < 10; fails++ {
		wait := time.Second << (fails - 3)
		clk.Advance(wait)
		waited += wait
		if err := try("b-raider", "raider", false); !errors.Is(err, CodeBadHostKey) {
			t.Fatalf("after %v backoff: %v", wait, err)
		}
	}
	clk.Advance(time.Hour)
	if err := try("b-raider", "raider", true); !errors.Is(err, CodeSecretRefused) {
		t.Fatalf("after 10 wrong keys: %v", err)
	}
	t.Logf("10 wrong keys took %v of enforced waiting; the 11th is refused", waited)

	evs, err := func() ([]Event, error) {
		tk, _, err := r.BeginSecret(SecretHostKey, "b-host", "host")
		if err != nil {
			return nil, err
		}
		return r.FinishSecret(tk, true, ServiceRole{})
	}()
	if err != nil {
		t.Fatalf("right key from another client: %v", err)
	}
	if role, _ := r.Role("host"); role != RoleChair || !hasEvent(evs, KindRole, "host") {
		t.Fatalf("host not chair: %+v", evs)
	}
	if role, _ := r.Role("raider"); role != RoleMember {
		t.Fatal("raider became chair")
	}
}

// TestGuessFloodNeverPacesTheChair: thirty fresh clients guessing at once
// slow nobody else down (there is no room-wide pace that a flood could
// take over); the chair's first try goes through, and the chairs hear of
// the guessing once, not for every guess.
func TestGuessFloodNeverPacesTheChair(t *testing.T) {
	r, clk := newTestRoom(t, Settings{})
	join(t, r, "chair", GrantHostKey)
	join(t, r, "host", GrantNone)
	var alerts []Event
	for i := range 30 { // a botnet: every guess from a fresh browser
		tk, _, err := r.BeginSecret(SecretHostKey, "bot"+string(rune('A'+i)), "")
		if err != nil {
			t.Fatalf("bot %d: %v", i, err)
		}
		evs, _ := r.FinishSecret(tk, false, ServiceRole{})
		alerts = append(alerts, evs...)
	}
	if len(alerts) != 1 || alerts[0].Kind != KindGuessing || alerts[0].Count != 10 || alerts[0].To != toChairs() {
		t.Fatalf("alerts %+v, want one guessing event to the chairs at the 10th wrong guess", alerts)
	}
	tk, _, err := r.BeginSecret(SecretHostKey, "b-host", "host")
	if err != nil {
		t.Fatalf("chair paced out by a flood: %v", err)
	}
	if !tk.Clean() {
		t.Error("a client with no failures is not clean")
	}
	if _, err := r.FinishSecret(tk, true, ServiceRole{}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(31 * time.Second)
	tk, _, _ = r.BeginSecret(SecretPasscode, "bot-late", "")
	if evs, _ := r.FinishSecret(tk, false, ServiceRole{}); len(evs) != 1 || evs[0].Count != 31 {
		t.Fatalf("a new alert after 30 s: %+v", evs)
	}
}

// TestAbandonedAttemptCounts: starting an attempt and never finishing it
// still counts as a failure.
func TestAbandonedAttemptCounts(t *testing.T) {
	r, _ := newTestRoom(t, Settings{})
	for range 3 {
		if _, _, err := r.BeginSecret(SecretPasscode, "b", ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := r.BeginSecret(SecretPasscode, "b", ""); !errors.Is(err, CodeRateLimited) {
		t.Fatalf("abandoned attempts not counted: %v", err)
	}
	if _, _, err := r.BeginSecret(SecretHostKey, "b", ""); err != nil {
		t.Fatalf("host key limited by passcode failures: %v", err)
	}
}

// TestClaimChairFromWaitingRoom: the host arrives to a locked-until-chair
// room as a member, enters the host key, and everyone is released.
func TestClaimChairFromWaitingRoom(t *testing.T) {
	r, _ := newTestRoom(t, Settings{LockedUntilChair: true})
	join(t, r, "a", GrantNone)
	join(t, r, "host", GrantNone)
	tk, _, err := r.BeginSecret(SecretHostKey, "b-host", "host")
	if err != nil {
		t.Fatal(err)
	}
	evs, err := r.FinishSecret(tk, true, ServiceRole{})
	if err != nil {
		t.Fatal(err)
	}
	if !hasEvent(evs, KindAdmitted, "host") || !hasEvent(evs, KindAdmitted, "a") {
		t.Fatalf("events %+v", evs)
	}
	if got := r.Recipients(toChairs()); !slices.Equal(got, []ParticipantID{"host"}) {
		t.Fatalf("chairs %v", got)
	}
}

// A secret that passed the room's fingerprint is tried whatever the
// client's count: a first-time chair sharing its address (and so its
// count) with a flood past its limit gets in. A wrong one is answered with
// the refusal the limit gives, as a guess that failed the fingerprint
// would be, and still counts; the right one does not forgive the flood's
// count.
func TestLikelySecretNeverLimited(t *testing.T) {
	r, _ := newTestRoom(t, Settings{})
	for range 10 {
		tk, _, err := r.BeginSecret(SecretHostKey, "a:shared", "")
		if err == nil {
			_, err = r.FinishSecret(tk, false, ServiceRole{})
		}
		if !errors.Is(err, CodeBadHostKey) && !errors.Is(err, CodeRateLimited) {
			t.Fatal(err)
		}
	}
	if _, _, err := r.BeginSecret(SecretHostKey, "a:shared", ""); err == nil {
		t.Fatal("the flood's address is not limited")
	}
	tk, err := r.BeginLikelySecret(SecretHostKey, "a:shared", "")
	if err != nil {
		t.Fatal(err)
	}
	before := r.Guesses()
	if _, err := r.FinishSecret(tk, false, ServiceRole{}); !errors.Is(err, CodeRateLimited) && !errors.Is(err, CodeSecretRefused) {
		t.Fatalf("a wrong likely secret past the limit: %v, want the limit's refusal", err)
	}
	if r.Guesses() != before+1 {
		t.Error("a wrong likely secret was not counted as a guess")
	}
	tk, err = r.BeginLikelySecret(SecretHostKey, "a:shared", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.FinishSecret(tk, true, ServiceRole{}); err != nil {
		t.Fatalf("the right secret past the limit: %v", err)
	}
	if _, _, err := r.BeginSecret(SecretHostKey, "a:shared", ""); err == nil {
		t.Error("the right secret forgave the flood's count")
	}
	if _, err := r.BeginLikelySecret(SecretHostKey, "", ""); !errors.Is(err, CodeInvalid) {
		t.Errorf("no client: %v", err)
	}
}
