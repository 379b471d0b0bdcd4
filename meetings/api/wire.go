package api

import (
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// The JSON shapes of the API: snake_case, times "HH:MM", dates "YYYY-MM-DD",
// durations in minutes. Secrets never appear in output; inputs take them in
// clear text once and the store keeps only hashes.

// RecurrenceJSON is meetings.Recurrence on the wire.
type RecurrenceJSON struct {
	Freq     string `json:"freq" doc:"weekly or monthly" example:"weekly"`
	Interval int    `json:"interval,omitempty" doc:"Every N weeks or months (default 1)"`
	Weekdays []int  `json:"weekdays" doc:"0 = Sunday ... 6 = Saturday"`
	SetPos   int    `json:"set_pos,omitempty" doc:"Monthly only: week of the month 1-4, or -1 for the last"`
	Start    string `json:"start" doc:"First date the meeting may occur on (YYYY-MM-DD, 2000-01-01 to 2100-12-31)" example:"2026-01-05"`
	Until    string `json:"until,omitempty" doc:"Last date it may occur on (YYYY-MM-DD, at most 2100-12-31); empty for no end"`
	// Description is output only.
	Description string `json:"description,omitempty" readOnly:"true" doc:"The rule in words"`
}

// RoomJSON is how the room behaves; the passcode and phone PIN are
// write-only.
type RoomJSON struct {
	WaitingRoom      bool `json:"waiting_room,omitempty"`
	LockedUntilChair bool `json:"locked_until_chair,omitempty"`
	MaxParticipants  int  `json:"max_participants,omitempty" doc:"2-500; default 100"`
	CameraOffOnEntry bool `json:"camera_off_on_entry,omitempty"`
	// ChatMode is the chat mode when the meeting starts.
	ChatMode string `json:"chat_mode,omitempty" enum:"everyone,chairs,off" doc:"Whom members may write to in the room's chat at the start: everyone (default), chairs (the chairs and co-chairs only) or off; a chair changes it in the room"`
	// ShareTimer is the automatic share timer, in minutes.
	ShareTimer int `json:"share_timer,omitempty" minimum:"0" maximum:"60" doc:"Minutes: when a chair asks a member to unmute (for a share), a share timer of this length starts for that member by itself, with its one-minute warning; 0 or absent: none"`
	// Passcode sets the passcode; "" keeps the current one on update.
	Passcode *string `json:"passcode,omitempty" writeOnly:"true" doc:"Set a passcode; an empty string removes it. Never returned."`
	// HasPasscode is output only.
	HasPasscode bool `json:"has_passcode,omitempty" readOnly:"true"`
	// PhonePIN sets the phone PIN; absent keeps it, except that a new
	// passcode brings a new PIN (made and returned once when none is given).
	PhonePIN *string `json:"phone_pin,omitempty" writeOnly:"true" maxLength:"64" doc:"Set the PIN telephone callers type instead of the passcode: 6-16 digits. Needs a passcode; removing the passcode removes it; setting a new passcode without one makes one. Never returned except once, in the phone_pin of the response that made it."`
	// HasPhonePIN is output only.
	HasPhonePIN bool `json:"has_phone_pin,omitempty" readOnly:"true" doc:"The meeting has a phone PIN of its own (without one, an all-digit passcode serves as the PIN)"`
}

// MeetingInput creates or replaces a meeting.
type MeetingInput struct {
	Slug       string         `json:"slug" doc:"URL name: lowercase letters, digits, dashes" example:"lakeside-monday"`
	Name       string         `json:"name" example:"Lakeside Monday Night"`
	Group      string         `json:"group" doc:"Slug of the group that holds the meeting"`
	Format     string         `json:"format" example:"12-step"`
	Program    string         `json:"program" example:"AA"`
	Types      []string       `json:"types,omitempty" doc:"Meeting Guide type codes" example:"[\"O\",\"D\"]"`
	Languages  []string       `json:"languages,omitempty" doc:"BCP 47 tags" example:"[\"en\"]"`
	Notes      string         `json:"notes,omitempty"`
	Timezone   string         `json:"timezone" doc:"IANA timezone of the meeting" example:"America/Chicago"`
	Time       string         `json:"time" doc:"Local start time HH:MM" example:"19:00"`
	Duration   int            `json:"duration" doc:"Length in minutes" example:"60"`
	Recurrence RecurrenceJSON `json:"recurrence"`
	Room       RoomJSON       `json:"room,omitempty"`
}

// MeetingJSON is a meeting as the API returns it.
type MeetingJSON struct {
	Slug         string          `json:"slug"`
	Name         string          `json:"name"`
	Group        string          `json:"group"`
	Format       string          `json:"format"`
	Program      string          `json:"program"`
	Types        []string        `json:"types"`
	Languages    []string        `json:"languages"`
	Notes        string          `json:"notes,omitempty"`
	Timezone     string          `json:"timezone"`
	Time         string          `json:"time"`
	Duration     int             `json:"duration" doc:"Minutes"`
	Recurrence   RecurrenceJSON  `json:"recurrence"`
	Room         RoomJSON        `json:"room"`
	Exceptions   []ExceptionJSON `json:"exceptions"`
	Sequence     int             `json:"sequence"`
	Created      time.Time       `json:"created"`
	Updated      time.Time       `json:"updated"`
	HostKeyOnce  string          `json:"host_key,omitempty" doc:"The chair's host key, shown only in the response that created or reset it"`
	PhonePINOnce string          `json:"phone_pin,omitempty" doc:"The phone PIN Hearth made, shown only in the response that made it"`
}

// ExceptionInput changes one occurrence.
type ExceptionInput struct {
	Kind        string `json:"kind" doc:"cancelled, moved or note" example:"cancelled"`
	Reason      string `json:"reason,omitempty" example:"Holiday"`
	NewDate     string `json:"new_date,omitempty" doc:"Moved: new local date YYYY-MM-DD"`
	NewTime     string `json:"new_time,omitempty" doc:"Moved: new local start HH:MM"`
	NewDuration int    `json:"new_duration,omitempty" doc:"Moved: new length in minutes"`
}

// ExceptionJSON is an exception as returned.
type ExceptionJSON struct {
	Date string `json:"date"`
	ExceptionInput
}

// GroupJSON is a group in and out.
type GroupJSON struct {
	Slug            string    `json:"slug" example:"lakeside-group"`
	Name            string    `json:"name"`
	Program         string    `json:"program,omitempty"`
	Description     string    `json:"description,omitempty"`
	TraditionURL    string    `json:"tradition_url,omitempty" doc:"7th-Tradition (self-support) link"`
	Venmo           string    `json:"venmo,omitempty" maxLength:"31" example:"@lakeside-group" doc:"Venmo handle for the 7th Tradition (Meeting Guide key)"`
	Square          string    `json:"square,omitempty" maxLength:"21" example:"$LakesideGroup" doc:"Cash App cashtag for the 7th Tradition (Meeting Guide key square)"`
	PayPal          string    `json:"paypal,omitempty" maxLength:"20" example:"LakesideGroup" doc:"PayPal.me name for the 7th Tradition (Meeting Guide key)"`
	ContactNote     string    `json:"contact_note,omitempty"`
	Location        string    `json:"location,omitempty" doc:"Approximate place, e.g. Chicago, IL, USA"`
	ConferencePhone string    `json:"conference_phone,omitempty"`
	Created         time.Time `json:"created,omitzero" readOnly:"true"`
	Updated         time.Time `json:"updated,omitzero" readOnly:"true"`
}

// Clock is one instant as read on one wall clock.
type Clock struct {
	Date     string `json:"date" example:"2026-03-02"`
	Weekday  string `json:"weekday" example:"Monday"`
	Time     string `json:"time" example:"19:00"`
	Timezone string `json:"timezone" example:"America/Los_Angeles"`
}

// OccurrenceJSON is one meeting on one day, in the viewer's time and the
// meeting's own ("Tue 01:00 your time, Monday 19:00 in America/Los_Angeles").
type OccurrenceJSON struct {
	Slug      string `json:"slug"`
	Name      string `json:"name"`
	Program   string `json:"program"`
	Date      string `json:"date" doc:"Original local date; identifies the occurrence even when moved"`
	Start     string `json:"start" doc:"RFC 3339 in the viewer's timezone"`
	End       string `json:"end"`
	Viewer    Clock  `json:"viewer"`
	Local     Clock  `json:"local"`
	Cancelled bool   `json:"cancelled"`
	Moved     bool   `json:"moved"`
	Reason    string `json:"reason,omitempty"`
}

func clockOf(t time.Time, tz string) Clock {
	return Clock{Date: t.Format(time.DateOnly), Weekday: t.Weekday().String(), Time: t.Format("15:04"), Timezone: tz}
}

func occurrenceJSON(m *meetings.Meeting, o meetings.Occurrence, viewer *time.Location) OccurrenceJSON {
	vs, ve := o.Start.In(viewer), o.End.In(viewer)
	return OccurrenceJSON{
		Slug: m.Slug, Name: m.Name, Program: string(m.Program), Date: o.Date.String(),
		Start: vs.Format(time.RFC3339), End: ve.Format(time.RFC3339),
		Viewer: clockOf(vs, viewer.String()), Local: clockOf(o.Start, m.TimeZone),
		Cancelled: o.Cancelled, Moved: o.Moved, Reason: o.Reason,
	}
}

func meetingJSON(m *meetings.Meeting) MeetingJSON {
	r := m.Recurrence
	days := make([]int, len(r.Weekdays))
	for i, d := range r.Weekdays {
		days[i] = int(d)
	}
	out := MeetingJSON{
		Slug: m.Slug, Name: m.Name, Group: m.GroupSlug, Format: string(m.Format), Program: string(m.Program),
		Types: nonNil(m.Types), Languages: nonNil(m.Languages), Notes: m.Notes, Timezone: m.TimeZone,
		Time: m.Start.String(), Duration: int(m.Duration / time.Minute),
		Recurrence: RecurrenceJSON{Freq: string(r.Freq), Interval: r.Interval, Weekdays: days, SetPos: r.SetPos,
			Start: r.Start.String(), Description: r.Describe()},
		Room: RoomJSON{WaitingRoom: m.Room.WaitingRoom, LockedUntilChair: m.Room.LockedUntilChair,
			MaxParticipants: m.Room.MaxParticipants, CameraOffOnEntry: m.Room.CameraOffOnEntry,
			ChatMode: string(m.Room.Chat()), ShareTimer: int(m.Room.ShareTimer / time.Minute), HasPasscode: m.Room.HasPasscode(), HasPhonePIN: m.Room.HasPhonePIN()},
		Exceptions: make([]ExceptionJSON, len(m.Exceptions)),
		Sequence:   m.Sequence, Created: m.Created, Updated: m.Updated,
	}
	if r.Until != nil {
		out.Recurrence.Until = r.Until.String()
	}
	for i, e := range m.Exceptions {
		out.Exceptions[i] = exceptionJSON(e)
	}
	return out
}

func exceptionJSON(e meetings.Exception) ExceptionJSON {
	out := ExceptionJSON{Date: e.Date.String(), ExceptionInput: ExceptionInput{Kind: string(e.Kind),
		Reason: e.Reason, NewDuration: int(e.NewDuration / time.Minute)}}
	if e.NewDate != nil {
		out.NewDate = e.NewDate.String()
	}
	if e.NewStart != nil {
		out.NewTime = e.NewStart.String()
	}
	return out
}

func groupJSON(g meetings.Group) GroupJSON {
	return GroupJSON{Slug: g.Slug, Name: g.Name, Program: string(g.Program), Description: g.Description,
		TraditionURL: g.TraditionURL, Venmo: g.Venmo, Square: g.Square, PayPal: g.PayPal, ContactNote: g.ContactNote, Location: g.Location,
		ConferencePhone: g.ConferencePhone, Created: g.Created, Updated: g.Updated}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
