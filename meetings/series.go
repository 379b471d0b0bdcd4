// Package meetings holds the schedule of a fellowship's online meetings:
// groups, recurring meeting series with their exceptions, and the occurrences
// computed from them in each meeting's own timezone.
//
// The package knows nothing of HTTP or media: its types are plain values and
// its errors are plain Go errors. The Huma API lives in meetings/api and the
// SQLite store in meetings/store.
package meetings

import (
	"time"
)

// Format is the broad kind of recovery meeting, the first filter a member uses.
type Format string

// Formats a series can have.
const (
	Format12Step    Format = "12-step"
	FormatSMART     Format = "smart"
	FormatFaith     Format = "faith-based"
	FormatSecular   Format = "secular"
	FormatOtherKind Format = "other"
)

// Formats lists every valid format in display order.
func Formats() []Format {
	return []Format{Format12Step, FormatSMART, FormatFaith, FormatSecular, FormatOtherKind}
}

// Program is the key of the fellowship or programme a meeting belongs to,
// one of the store's Programs (see ProgramInfo).
type Program string

// Group is a home group or service body that holds one or more meetings.
type Group struct {
	ID          int64
	Slug        string
	Name        string
	Program     Program
	Description string
	// TraditionURL is the group's 7th-Tradition (self-support) link.
	TraditionURL string
	// Venmo ("@handle"), Square (Cash App "$cashtag") and PayPal (PayPal.me
	// name) are the Meeting Guide spec's 7th-Tradition handles.
	Venmo, Square, PayPal string
	ContactNote           string
	// Location is an approximate place ("Chicago, IL, USA") that directories
	// need to infer a timezone even for online-only meetings.
	Location string
	// ConferencePhone is a dial-in number, published so that directories that
	// drop unknown conference hosts still list the meeting.
	ConferencePhone string
	Created         time.Time
	Updated         time.Time
}

// Series is a recurring meeting: its identity, what kind of meeting it is,
// when it happens (as local wall-clock time in an IANA zone) and how its room
// behaves.
type Series struct {
	ID        int64
	Slug      string
	Name      string
	GroupID   int64
	GroupSlug string
	Format    Format
	Program   Program
	// Types are Meeting Guide codes ("O", "D", "W"...).
	Types []string
	// Languages are BCP 47 tags ("en", "es", "pt-BR").
	Languages []string
	Notes     string
	// TimeZone is an IANA name; every occurrence is computed in it.
	TimeZone   string
	Start      LocalTime
	Duration   time.Duration
	Recurrence Recurrence
	Room       RoomSettings
	// Sequence rises on every change so that calendar clients replace their copy.
	Sequence int
	Created  time.Time
	Updated  time.Time
}

// RoomSettings is how the live room of a series behaves. The secrets are kept
// only as argon2id hashes and never leave the server.
type RoomSettings struct {
	WaitingRoom      bool
	LockedUntilChair bool
	// PasscodeHash is empty when the meeting has no passcode.
	PasscodeHash string
	// PhonePINHash is the PIN telephone callers type instead of the
	// passcode; empty when there is none (see VerifyPhonePIN).
	PhonePINHash string
	// HostKeyHash is the meeting's own host key: the default, unnamed
	// role, which never expires.
	HostKeyHash string
	// HostRoles are the named host keys (service roles), oldest first.
	HostRoles        []HostRole
	MaxParticipants  int
	CameraOffOnEntry bool
	// ChatMode is the room's chat mode when the meeting starts ("" means
	// ChatEveryone); a chair changes it in the room.
	ChatMode ChatMode
	// ShareTimer, when set, is the share timer that starts by itself when
	// a chair asks a member to unmute (for a share); whole minutes, at most
	// MaxShareTimer; 0: none.
	ShareTimer time.Duration
}

// MaxShareTimer is the longest automatic share timer (the room's longest
// share timer too).
const MaxShareTimer = time.Hour

// ChatMode says whom members may write to in the room's chat. The room
// (sfu/control) enforces it; these are its names.
type ChatMode string

// Chat modes.
const (
	ChatEveryone ChatMode = "everyone" // the default
	ChatChairs   ChatMode = "chairs"   // members write to the chairs and co-chairs only
	ChatOff      ChatMode = "off"
)

// Chat returns the chat mode at the start, ChatEveryone when unset.
func (r RoomSettings) Chat() ChatMode {
	if r.ChatMode == "" {
		return ChatEveryone
	}
	return r.ChatMode
}

// HasPasscode reports whether members must enter a passcode to join.
func (r RoomSettings) HasPasscode() bool { return r.PasscodeHash != "" }

// HasPhonePIN reports whether the meeting has a phone PIN of its own.
func (r RoomSettings) HasPhonePIN() bool { return r.HasPasscode() && r.PhonePINHash != "" }

// ExceptionKind says what happens to one occurrence of a series.
type ExceptionKind string

// Exception kinds.
const (
	// Cancelled occurrences stay visible, marked, with their reason.
	Cancelled ExceptionKind = "cancelled"
	// Moved occurrences happen at another local date, time or length.
	Moved ExceptionKind = "moved"
	// Note attaches a message to an occurrence that happens as usual.
	Note ExceptionKind = "note"
)

// Exception changes one occurrence of a series, identified by the local date
// on which it would have happened.
type Exception struct {
	ID       int64
	SeriesID int64
	Date     Date
	Kind     ExceptionKind
	// Reason is shown to members ("Holiday", "Moved for the group conscience").
	Reason string
	// For Moved: the new local date and start (nil keeps the original) and
	// length (zero keeps the series' duration).
	NewDate     *Date
	NewStart    *LocalTime
	NewDuration time.Duration
	Created     time.Time
	Updated     time.Time
}

// When is the local date, start and length of the occurrence originally
// on ex.Date of a series that starts at start for length: a move changes
// what it names, anything else keeps the series' own.
func (ex *Exception) When(start LocalTime, length time.Duration) (Date, LocalTime, time.Duration) {
	day := ex.Date
	if ex.Kind != Moved {
		return day, start, length
	}
	if ex.NewDate != nil {
		day = *ex.NewDate
	}
	if ex.NewStart != nil {
		start = *ex.NewStart
	}
	if ex.NewDuration > 0 {
		length = ex.NewDuration
	}
	return day, start, length
}

// Occurrence is one meeting on one day, after exceptions are applied.
type Occurrence struct {
	SeriesID int64
	Slug     string
	// Date is the original local date; it identifies the occurrence
	// (the iCalendar RECURRENCE-ID) even when it was moved.
	Date Date
	// Start and End are in the series' location.
	Start     time.Time
	End       time.Time
	Cancelled bool
	Moved     bool
	// Reason is the exception's reason or note, empty when none.
	Reason string
}

// InProgress reports whether the occurrence is running at t.
func (o Occurrence) InProgress(t time.Time) bool {
	return !o.Cancelled && !t.Before(o.Start) && t.Before(o.End)
}
