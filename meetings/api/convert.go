package api

import (
	"strings"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// problems collects input errors by field, in the same shape as
// meetings.ValidationError, so parse and domain errors are reported together.
type problems struct{ list []meetings.FieldError }

func (p *problems) add(field string, err error) {
	p.list = append(p.list, meetings.FieldError{Field: field, Message: err.Error()})
}

func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	return &meetings.ValidationError{Problems: p.list}
}

// toSeries converts the wire form; fields that do not parse are reported and
// the domain validation of the rest is added after them.
func (in *MeetingInput) toSeries() (*meetings.Series, error) {
	var p problems
	s := &meetings.Series{
		Slug: in.Slug, Name: in.Name, GroupSlug: in.Group, Format: meetings.Format(in.Format),
		Program: meetings.Program(in.Program), Types: in.Types, Languages: in.Languages, Notes: in.Notes,
		TimeZone: in.Timezone, Duration: time.Duration(in.Duration) * time.Minute,
		Room: meetings.RoomSettings{WaitingRoom: in.Room.WaitingRoom, LockedUntilChair: in.Room.LockedUntilChair,
			MaxParticipants: in.Room.MaxParticipants, CameraOffOnEntry: in.Room.CameraOffOnEntry,
			ChatMode: meetings.ChatMode(in.Room.ChatMode), ShareTimer: time.Duration(in.Room.ShareTimer) * time.Minute},
	}
	if s.Room.MaxParticipants == 0 {
		s.Room.MaxParticipants = 100
	}
	if in.Group == "" {
		p.list = append(p.list, meetings.FieldError{Field: "group", Message: "group (the slug of the group that holds the meeting) is required"})
	}
	var err error
	if s.Start, err = meetings.ParseLocalTime(in.Time); err != nil {
		p.add("time", err)
	}
	s.Recurrence = in.Recurrence.toRecurrence(&p)
	if err := s.Validate(); err != nil {
		for _, fe := range err.(*meetings.ValidationError).Problems {
			if !p.has(fe.Field) {
				p.list = append(p.list, fe)
			}
		}
	}
	return s, p.err()
}

func (p *problems) has(field string) bool {
	for _, fe := range p.list {
		if fe.Field == field || strings.HasPrefix(fe.Field, field+".") {
			return true
		}
	}
	return false
}

func (in RecurrenceJSON) toRecurrence(p *problems) meetings.Recurrence {
	r := meetings.Recurrence{Freq: meetings.Frequency(in.Freq), Interval: in.Interval, SetPos: in.SetPos}
	if r.Interval == 0 {
		r.Interval = 1
	}
	for _, d := range in.Weekdays {
		r.Weekdays = append(r.Weekdays, time.Weekday(d))
	}
	var err error
	if r.Start, err = meetings.ParseDate(in.Start); err != nil {
		p.add("recurrence.start", err)
		return r
	}
	if in.Until != "" {
		u, err := meetings.ParseDate(in.Until)
		if err != nil {
			p.add("recurrence.until", err)
			return r
		}
		r.Until = &u
	}
	return r
}

func (in *ExceptionInput) toException(date string) (*meetings.Exception, error) {
	var p problems
	e := &meetings.Exception{Kind: meetings.ExceptionKind(in.Kind), Reason: in.Reason,
		NewDuration: time.Duration(in.NewDuration) * time.Minute}
	var err error
	if e.Date, err = meetings.ParseDate(date); err != nil {
		p.add("date", err)
	}
	if in.NewDate != "" {
		d, err := meetings.ParseDate(in.NewDate)
		if err != nil {
			p.add("new_date", err)
		}
		e.NewDate = &d
	}
	if in.NewTime != "" {
		t, err := meetings.ParseLocalTime(in.NewTime)
		if err != nil {
			p.add("new_time", err)
		}
		e.NewStart = &t
	}
	return e, p.err()
}

func (g GroupJSON) toGroup() *meetings.Group {
	return &meetings.Group{Slug: g.Slug, Name: g.Name, Program: meetings.Program(g.Program),
		Description: g.Description, TraditionURL: g.TraditionURL, Venmo: g.Venmo, Square: g.Square,
		PayPal: g.PayPal, ContactNote: g.ContactNote,
		Location: g.Location, ConferencePhone: g.ConferencePhone}
}
