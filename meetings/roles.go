package meetings

import (
	"fmt"
	"strings"
	"time"
)

// HostRole is a service role of a meeting (issue 15): a named host key
// such as "Secretary" until 2027-03-31, "Tech host" or "Treasurer". Its key
// makes its holder chair as the meeting's own host key does, and the room
// shows the chair's Label (never the key). Service positions rotate, so a
// role may end on a date; the admin revokes one by deleting it.
//
// The meeting's own host key (RoomSettings.HostKeyHash) stays the default,
// unnamed role: it never expires and the room shows no label for it.
type HostRole struct {
	ID    int64
	Label string
	// Until is the last day the key works, in the meeting's time zone (the
	// key is refused from the next local midnight on); nil: no end.
	Until *Date
	// KeyHash is the argon2id hash of the key (HashSecret).
	KeyHash string
	Created time.Time
}

// Role limits. MaxHostRoles bounds how many hashes one wrong key is
// checked against (see MatchHostKey), so it stays small.
const (
	MaxRoleLabelLen = 40
	MaxHostRoles    = 8
)

// Ends is the instant the role's key stops working: the midnight that
// ends its Until day in loc; the zero time when it has no end.
func (h HostRole) Ends(loc *time.Location) time.Time {
	if h.Until == nil {
		return time.Time{}
	}
	next := h.Until.AddDays(1)
	return time.Date(next.Year, next.Month, next.Day, 0, 0, 0, 0, loc)
}

// InForce reports whether the role's key works at now.
func (h HostRole) InForce(loc *time.Location, now time.Time) bool {
	end := h.Ends(loc)
	return end.IsZero() || now.Before(end)
}

// RolesZone is the zone in which the meeting's roles' last days end: its
// own, or UTC for a zone missing from the tz database (the store logged
// it; the meeting shows no occurrences then either).
func (m *Meeting) RolesZone() *time.Location {
	loc, err := m.Location()
	if err != nil || loc == nil {
		return time.UTC
	}
	return loc
}

// ValidateNew checks a role a scheduler is adding to a meeting in zone loc
// at now: a label of one line, and an end date that has not passed (a
// past date is a typo: the key would never work). Problems name the fields
// label and until.
func (h HostRole) ValidateNew(loc *time.Location, now time.Time) error {
	var v ValidationError
	h.Label = strings.TrimSpace(h.Label)
	checkText(&v, "label", h.Label, MaxRoleLabelLen, true)
	if strings.ContainsAny(h.Label, "\n\t") {
		v.add("label", "label must be one line")
	}
	if h.Until != nil {
		if err := h.Until.CheckRange("until"); err != nil {
			v.add("until", "%v", err)
		} else if !h.InForce(loc, now) {
			v.add("until", "until %s has passed in the meeting's time zone (%s); give a later last day", h.Until, loc)
		}
	}
	return v.err()
}

// NewHostRole makes a role's key and hash after checking the role (see
// ValidateNew). The key is returned to be shown once; the role keeps only
// its hash.
func NewHostRole(label string, until *Date, loc *time.Location, now time.Time) (HostRole, string, error) {
	h := HostRole{Label: strings.TrimSpace(label), Until: until}
	if err := h.ValidateNew(loc, now); err != nil {
		return HostRole{}, "", err
	}
	key, hash, err := NewHostKeyHash()
	if err != nil {
		return HostRole{}, "", fmt.Errorf("meetings: role key: %w", err)
	}
	h.KeyHash = hash
	return h, key, nil
}
