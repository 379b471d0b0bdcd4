package control

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// labelOf finds the label an event of kind gives subject, and whether
// there is such an event.
func labelOf(evs []Event, kind Kind, subject ParticipantID) (string, bool) {
	for _, e := range evs {
		if e.Kind == kind && e.Subject == subject {
			return e.Label, true
		}
	}
	return "", false
}

// TestServiceRoleLabels: a chair's service role label comes with the host
// key (at join or claimed in the room), is told to everyone with the role
// and listed for late arrivals, and goes when the role is given in the
// room instead (co-chair, handed over, handed back).
func TestServiceRoleLabels(t *testing.T) {
	for _, c := range []struct {
		name  string
		label string
		want  string
	}{
		{"secretary", "Secretary", "Secretary"},
		{"own host key", "", ""},
		{"control character dropped", "Secre\x1btary", ""},
		{"too long dropped", strings.Repeat("x", maxLabelRunes+1), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, _ := newTestRoom(t, Settings{})
			a, evs := r.Join(JoinRequest{ID: "sec", Identity: Identity{BrowserID: "b-sec"}, Name: "Sam",
				Chair: GrantHostKey, Service: ServiceRole{Label: c.label}})
			if a.Status != StatusAdmitted || a.Role != RoleChair {
				t.Fatalf("join: %+v", a)
			}
			if got, ok := labelOf(evs, KindJoined, "sec"); !ok || got != c.want {
				t.Errorf("joined label %q (%v), want %q", got, ok, c.want)
			}
			join(t, r, "late", GrantNone)
			if got := r.Chairs(); !slices.Equal(got, []ChairInfo{{ID: "sec", Role: RoleChair, Label: c.want}}) {
				t.Errorf("chairs %+v", got)
			}
		})
	}

	// Claimed in the room with a role's key: the role event carries it.
	r, _ := newTestRoom(t, Settings{})
	join(t, r, "c", GrantHostKey)
	join(t, r, "m", GrantNone)
	join(t, r, "t", GrantNone)
	tk, _, err := r.BeginSecret(SecretHostKey, "b-m", "m")
	if err != nil {
		t.Fatal(err)
	}
	evs, err := r.FinishSecret(tk, true, ServiceRole{Label: "Tech host"})
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := labelOf(evs, KindRole, "m"); !ok || got != "Tech host" {
		t.Fatalf("claim: label %q (%v) in %+v", got, ok, evs)
	}
	// A wrong key names no role and changes nothing.
	tk, _, _ = r.BeginSecret(SecretHostKey, "b-t", "t")
	if evs, err := r.FinishSecret(tk, false, ServiceRole{Label: "Treasurer"}); err == nil || len(evs) != 0 {
		t.Fatalf("wrong key: %+v %v", evs, err)
	}
	if got := r.Chairs(); len(got) != 2 || got[1] != (ChairInfo{ID: "m", Role: RoleChair, Label: "Tech host"}) {
		t.Fatalf("chairs %+v", got)
	}
	// The chair hands over to t: t chairs without a label, m keeps its own.
	evs = mustHandle(t, r, "c", HandOver{Target: "t"})
	if got, ok := labelOf(evs, KindRole, "t"); !ok || got != "" {
		t.Errorf("handed over: label %q", got)
	}
	// m hands over too: m is a member again, and its label goes with the key's chair.
	mustHandle(t, r, "m", HandOver{Target: "c"})
	if got := r.Chairs(); !slices.Equal(got, []ChairInfo{{ID: "c", Role: RoleChair}, {ID: "t", Role: RoleChair}}) {
		t.Errorf("after handing over: %+v", got)
	}
	mustHandle(t, r, "c", MakeCoChair{Target: "m"})
	if got := r.Chairs(); got[1] != (ChairInfo{ID: "m", Role: RoleCoChair}) {
		t.Errorf("co-chair kept a role label: %+v", got)
	}
}

// seatRole joins id as chair under a service role's key.
func seatRole(t *testing.T, r *Room, id string, s ServiceRole) {
	t.Helper()
	a, _ := r.Join(JoinRequest{ID: ParticipantID(id), Identity: Identity{BrowserID: "b-" + id}, Name: "name " + id,
		Chair: GrantHostKey, Service: s})
	if a.Role != RoleChair {
		t.Fatalf("%s: %+v", id, a)
	}
}

// roleEnded checks that evs make subject a member because its role ended:
// its media gate opened to a member's perms and everyone told, label gone.
func roleEnded(t *testing.T, r *Room, evs []Event, subject ParticipantID) {
	t.Helper()
	var perms, role bool
	for _, e := range evs {
		switch {
		case e.Subject != subject:
			t.Errorf("event about someone else: %+v", e)
		case e.Kind == KindPerms:
			perms = true
		case e.Kind == KindRole:
			role = e.Role == RoleMember && e.Label == "" && e.Reason == CodeRoleEnded && e.To.Kind == AudienceEveryone
		}
	}
	if !perms || !role {
		t.Fatalf("%s: perms %v, role %v in %+v", subject, perms, role, evs)
	}
	if got, ok := r.Role(subject); !ok || got != RoleMember {
		t.Fatalf("%s is %v (in room %v)", subject, got, ok)
	}
}

// TestServiceRoleEnds: the chair a service role's key seated becomes a
// member, still in the room, when the schedule says the role is gone or
// once its last day is over by the room's clock; the meeting's own key,
// the admin token and chairs made in the room are untouched, and a room
// that only asks (no definite answer) unseats nobody.
func TestServiceRoleEnds(t *testing.T) {
	r, clk := newTestRoom(t, Settings{})
	ends := clk.Now().Add(time.Hour)
	seatRole(t, r, "sec", ServiceRole{ID: 7, Label: "Secretary"})
	seatRole(t, r, "tech", ServiceRole{ID: 9, Label: "Tech host", Ends: ends})
	join(t, r, "own", GrantHostKey)
	join(t, r, "admin", GrantAdminToken)
	join(t, r, "m", GrantNone)
	mustHandle(t, r, "own", MakeCoChair{Target: "m"})
	if got := r.SeatedRoles(); !slices.Equal(got, []int64{7, 9}) {
		t.Fatalf("seated roles %v", got)
	}
	if got := r.NextRoleEnd(); !got.Equal(ends) {
		t.Fatalf("next end %v", got)
	}

	// Still in force: nothing changes.
	if evs := r.RoleChecked(7, time.Time{}, true); len(evs) != 0 {
		t.Fatalf("in force: %+v", evs)
	}
	// Revoked: Secretary is a member, in the room, and everyone told.
	roleEnded(t, r, r.RoleChecked(7, time.Time{}, false), "sec")
	if evs := r.RoleChecked(7, time.Time{}, false); len(evs) != 0 {
		t.Fatalf("checked twice: %+v", evs)
	}

	// The zone moved the last day on: the new end counts.
	later := ends.Add(time.Hour)
	if evs := r.RoleChecked(9, later, true); len(evs) != 0 {
		t.Fatalf("moved end: %+v", evs)
	}
	clk.Advance(90 * time.Minute)
	if evs := r.ExpireRoles(); len(evs) != 0 {
		t.Fatalf("before the moved end: %+v", evs)
	}
	clk.now = later
	roleEnded(t, r, r.ExpireRoles(), "tech")

	want := []ChairInfo{{ID: "own", Role: RoleChair}, {ID: "admin", Role: RoleChair}, {ID: "m", Role: RoleCoChair}}
	if got := r.Chairs(); !slices.Equal(got, want) {
		t.Fatalf("chairs left %+v", got)
	}
	if got := r.SeatedRoles(); len(got) != 0 {
		t.Fatalf("seated roles %v", got)
	}
	// The member who held the role may claim again with a key in force.
	tk, _, err := r.BeginSecret(SecretHostKey, "b-sec", "sec")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.FinishSecret(tk, true, ServiceRole{ID: 8, Label: "Treasurer"}); err != nil {
		t.Fatal(err)
	}
	if got := r.SeatedRoles(); !slices.Equal(got, []int64{8}) {
		t.Fatalf("after claiming again: %v", got)
	}
	// The schedule says it is in force, but its end is now: the seat ends.
	roleEnded(t, r, r.RoleChecked(8, clk.Now(), true), "sec")
}

// TestServiceRoleSeatGoesWithTheKey: a role's chair who hands over holds
// no role's seat any more, and the one handed to never had one, so the
// role's end touches neither; a role with no id (the meeting's own key)
// never ends, whatever end it is given.
func TestServiceRoleSeatGoesWithTheKey(t *testing.T) {
	r, clk := newTestRoom(t, Settings{})
	seatRole(t, r, "sec", ServiceRole{ID: 7, Label: "Secretary", Ends: clk.Now().Add(time.Minute)})
	seatRole(t, r, "own", ServiceRole{Ends: clk.Now().Add(time.Minute)})
	join(t, r, "m", GrantNone)
	mustHandle(t, r, "sec", HandOver{Target: "m"})
	if got := r.SeatedRoles(); len(got) != 0 {
		t.Fatalf("seated roles after hand-over %v", got)
	}
	clk.Advance(time.Hour)
	if evs := append(r.RoleChecked(7, time.Time{}, false), r.ExpireRoles()...); len(evs) != 0 {
		t.Fatalf("ended a seat no role holds: %+v", evs)
	}
	if got := r.Chairs(); len(got) != 2 || got[0].ID != "own" || got[1].ID != "m" {
		t.Fatalf("chairs %+v", got)
	}
}
