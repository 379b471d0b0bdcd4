package meetings

import (
	"context"
	"time"
)

// Changes says when the schedule last changed. Counter rises by one on every
// write; Modified is the instant of the newest write (the zero time on an
// empty store), which feeds use as Last-Modified rather than "now".
type Changes struct {
	Counter  int64
	Modified time.Time
}

// Store keeps groups, series and exceptions. It is narrow on purpose so that
// another database can implement it without touching callers.
//
// A series' or group's program must be in Programs and, unless the row
// already had it, not retired; otherwise the write is a *ValidationError.
//
// Errors: a missing slug wraps ErrNotFound, a duplicate slug or a delete that
// would orphan rows wraps ErrConflict, and invalid input is a
// *ValidationError. A failed write changes nothing. Every write to a series
// (including its exceptions and secrets) raises its Sequence and Updated.
//
// Values returned by reads may share memory with a cache: callers treat them
// as read-only and copy before changing them.
type Store interface {
	Groups(ctx context.Context) ([]Group, error)
	Group(ctx context.Context, slug string) (Group, error)
	// CreateGroup sets g's ID, Created and Updated.
	CreateGroup(ctx context.Context, g *Group) error
	// UpdateGroup replaces the group with g's slug.
	UpdateGroup(ctx context.Context, g *Group) error
	// DeleteGroup fails with ErrConflict while series still belong to it.
	DeleteGroup(ctx context.Context, slug string) error

	// ListMeetings returns the series that pass f, ordered by slug.
	ListMeetings(ctx context.Context, f Filter) ([]Meeting, error)
	Meeting(ctx context.Context, slug string) (Meeting, error)
	// CreateSeries resolves s.GroupSlug and sets ID, GroupID, Sequence,
	// Created and Updated.
	CreateSeries(ctx context.Context, s *Series) error
	// UpdateSeries replaces the series with s's slug in one transaction. The
	// host key hash is kept (SetHostKeyHash changes it); the passcode and
	// phone PIN hashes change as secrets says (ChangeSecrets makes it), so
	// that a form that edits them all never leaves half a change.
	UpdateSeries(ctx context.Context, s *Series, secrets SecretChange) error
	// DeleteSeries removes the series and its exceptions.
	DeleteSeries(ctx context.Context, slug string) error

	// PutException creates or replaces the exception on e.Date.
	PutException(ctx context.Context, slug string, e *Exception) error
	DeleteException(ctx context.Context, slug string, date Date) error

	// SetPasscodeHash sets or (with "") clears the passcode; either way the
	// meeting is left without a phone PIN.
	SetPasscodeHash(ctx context.Context, slug, hash string) error
	// SetPhonePINHash sets the phone PIN; ErrConflict when the meeting has
	// no passcode.
	SetPhonePINHash(ctx context.Context, slug, hash string) error
	SetHostKeyHash(ctx context.Context, slug, hash string) error
	// AddHostRole adds a service role whose key is already hashed and sets
	// its ID and Created; past MaxHostRoles it is ErrConflict.
	AddHostRole(ctx context.Context, slug string, h *HostRole) error
	// RevokeHostRole deletes one role (ErrNotFound when the meeting has no
	// role id), so its key is refused from then on.
	RevokeHostRole(ctx context.Context, slug string, id int64) error
	// UpgradeSecretHash replaces a stored secret hash by the same secret's
	// hash with a fingerprint (WithFingerprint), wherever it is stored,
	// without counting as a change of the meeting; nothing when the hash is
	// no longer stored.
	UpgradeSecretHash(ctx context.Context, old, upgraded string) error

	// Programs lists every program, retired ones too, in display order.
	Programs(ctx context.Context) ([]ProgramInfo, error)
	// CreateProgram adds p (ErrConflict when its key or slug is taken) and
	// sets Created and Updated.
	CreateProgram(ctx context.Context, p *ProgramInfo) error
	// UpdateProgram replaces the name, abbreviation, format and Retired of
	// the program p.Key; the key never changes.
	UpdateProgram(ctx context.Context, p *ProgramInfo) error
	// DeleteProgram removes a program no meeting or group has; one in use
	// fails with ErrConflict and can only be retired.
	DeleteProgram(ctx context.Context, key Program) error

	// Readings returns the group's readings in order (ErrNotFound when
	// the group does not exist).
	Readings(ctx context.Context, groupSlug string) ([]Reading, error)
	// PutReadings replaces the group's ordered list of readings in one
	// transaction: an item with an ID edits that reading of the group (an ID
	// not of this group is a *ValidationError), one without is added (its ID
	// is set), and a reading left out is deleted.
	PutReadings(ctx context.Context, groupSlug string, rs []Reading) error

	Changes(ctx context.Context) (Changes, error)

	// Setting returns a stored setting, or an error wrapping ErrNotFound.
	Setting(ctx context.Context, key string) (string, error)
	PutSetting(ctx context.Context, key, value string) error
	// SettingOnce stores value under key unless a value is there already,
	// and returns the stored one: nodes starting together agree on one.
	SettingOnce(ctx context.Context, key, value string) (string, error)

	Close() error
}
