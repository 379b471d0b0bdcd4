package meetings

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestHostRoleEnds: "until 2027-03-31" is through the end of that day in
// the meeting's zone, whatever the server's zone.
func TestHostRoleEnds(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	until := Date{2027, time.March, 31}
	h := HostRole{Label: "Secretary", Until: &until}
	end := h.Ends(ny)
	if want := time.Date(2027, time.April, 1, 4, 0, 0, 0, time.UTC); !end.Equal(want) {
		t.Fatalf("ends %v, want %v (midnight in New York, EDT)", end.UTC(), want)
	}
	for _, c := range []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2027, time.March, 31, 23, 59, 59, 0, ny), true},
		{time.Date(2027, time.April, 1, 0, 0, 0, 0, ny), false},
		{time.Date(2027, time.April, 1, 2, 0, 0, 0, time.UTC), true}, // still the 31st in New York
	} {
		if got := h.InForce(ny, c.at); got != c.want {
			t.Errorf("in force at %v: %v, want %v", c.at, got, c.want)
		}
	}
	if !(HostRole{Label: "Treasurer"}).InForce(ny, time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Error("a role without an end expired")
	}
}

func TestHostRoleValidate(t *testing.T) {
	now := time.Date(2026, time.December, 3, 12, 0, 0, 0, time.UTC)
	d := func(y int, m time.Month, day int) *Date { return &Date{y, m, day} }
	for _, c := range []struct {
		label string
		until *Date
		field string // "" when valid
	}{
		{"Secretary", d(2027, 3, 31), ""},
		{"Tech host", nil, ""},
		{"  Treasurer  ", d(2026, 12, 3), ""}, // today is still in force
		{"", nil, "label"},
		{"   ", nil, "label"},
		{strings.Repeat("x", MaxRoleLabelLen+1), nil, "label"},
		{"Two\nlines", nil, "label"},
		{"Bell\a", nil, "label"},
		{"Secretary", d(2026, 12, 2), "until"},
		{"Secretary", d(2200, 1, 1), "until"},
	} {
		_, key, err := NewHostRole(c.label, c.until, time.UTC, now)
		var verr *ValidationError
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%q %v: %v", c.label, c.until, err)
		case c.field == "" && key == "":
			t.Errorf("%q: no key shown", c.label)
		case c.field != "" && (!errors.As(err, &verr) || verr.Problems[0].Field != c.field):
			t.Errorf("%q %v: %v, want a problem at %s", c.label, c.until, err, c.field)
		}
	}
}

// TestMatchHostKey: the meeting's own key and each role's key make a chair
// with the role's label; an expired role's key and a revoked (absent) one
// are refused as a wrong key is.
func TestMatchHostKey(t *testing.T) {
	now := time.Date(2027, time.April, 1, 12, 0, 0, 0, time.UTC)
	own, ownHash, _ := NewHostKeyHash()
	sec, err := newRole(t, "Secretary", &Date{2027, time.March, 31})
	if err != nil {
		t.Fatal(err)
	}
	tech, err := newRole(t, "Tech host", &Date{2027, time.April, 1})
	if err != nil {
		t.Fatal(err)
	}
	m := &Meeting{Series: Series{TimeZone: "UTC", Room: RoomSettings{HostKeyHash: ownHash, HostRoles: []HostRole{sec.role, tech.role}}}}
	for _, c := range []struct {
		key   string
		ok    bool
		label string
	}{
		{own, true, ""},
		{tech.key, true, "Tech host"},
		{sec.key, false, ""}, // ended at midnight
		{"wrong-key", false, ""},
		{"", false, ""},
	} {
		got, ok := MatchHostKey(m, c.key, now)
		if ok != c.ok || got.Label != c.label {
			t.Errorf("key %q: %+v %v, want %q %v", c.key, got, ok, c.label, c.ok)
		}
	}
	if got, _ := MatchHostKey(m, tech.key, now); !got.Ends.Equal(time.Date(2027, 4, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("tech host ends %v", got.Ends)
	}
	m.Room.HostRoles = []HostRole{sec.role}
	if _, ok := MatchHostKey(m, tech.key, now); ok {
		t.Error("a revoked role's key was taken")
	}
}

type roleAndKey struct {
	role HostRole
	key  string
}

func newRole(t *testing.T, label string, until *Date) (roleAndKey, error) {
	t.Helper()
	h, key, err := NewHostRole(label, until, time.UTC, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	return roleAndKey{h, key}, err
}
