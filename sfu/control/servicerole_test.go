package control

import (
	"slices"
	"strings"
	"testing"
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
				Chair: GrantHostKey, Label: c.label})
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
	evs, err := r.FinishSecret(tk, true, "Tech host")
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := labelOf(evs, KindRole, "m"); !ok || got != "Tech host" {
		t.Fatalf("claim: label %q (%v) in %+v", got, ok, evs)
	}
	// A wrong key names no role and changes nothing.
	tk, _, _ = r.BeginSecret(SecretHostKey, "b-t", "t")
	if evs, err := r.FinishSecret(tk, false, "Treasurer"); err == nil || len(evs) != 0 {
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
