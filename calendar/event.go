package calendar

import (
	"fmt"
	"strings"

	"github.com/emersion/go-ical"

	"github.com/hearth-recovery/hearth/meetings"
)

// event builds the properties a series' master and overrides share.
func (f *Feed) event(e *meetings.Meeting) *ical.Component {
	s := &e.Series
	ev := ical.NewComponent(ical.CompEvent)
	ev.Props.SetText(ical.PropUID, f.links.UID(s))
	changed := e.LastChange()
	// DTSTAMP is the last change rather than the render time, so that an
	// unchanged schedule renders to the same bytes and keeps its ETag.
	utcProp(ev, ical.PropDateTimeStamp, changed)
	utcProp(ev, ical.PropLastModified, changed)
	if !s.Created.IsZero() {
		utcProp(ev, ical.PropCreated, s.Created)
	}
	ev.Props.Set(&ical.Prop{Name: ical.PropSequence, Params: ical.Params{}, Value: seqValue(s.Sequence)})
	ev.Props.SetText(ical.PropSummary, clean(s.Name))
	ev.Props.SetText(ical.PropDescription, f.description(e))
	ev.Props.Set(&ical.Prop{Name: ical.PropCategories, Params: ical.Params{}, Value: f.categories(s)})
	page := f.links.MeetingPage(s.Slug)
	room := f.links.Room(s.Slug)
	ev.Props.Set(&ical.Prop{Name: ical.PropURL, Params: ical.Params{ical.ParamValue: {"URI"}}, Value: page})
	// LOCATION is what most calendar apps turn into a clickable join link;
	// CONFERENCE (RFC 7986) is the standard place, which few apps read yet.
	ev.Props.SetText(ical.PropLocation, room)
	ev.Props.Set(&ical.Prop{Name: ical.PropConference, Value: room, Params: ical.Params{
		ical.ParamValue: {"URI"}, "FEATURE": {"VIDEO"}, "LABEL": {"Join the meeting"},
	}})
	ev.Props.SetText(ical.PropStatus, "CONFIRMED")
	// TRANSPARENT: a directory feed lists far more meetings than anyone
	// attends, so it must not mark subscribers busy.
	ev.Props.SetText(ical.PropTransparency, "TRANSPARENT")
	return ev
}

// override is the RECURRENCE-ID VEVENT for a moved or annotated occurrence.
func (f *Feed) override(e *meetings.Meeting, ex *meetings.Exception) *ical.Component {
	s := &e.Series
	ev := f.event(e)
	setLocal(ev, ical.PropRecurrenceID, s.TimeZone, ex.Date, s.Start)
	day, start, length := ex.When(s.Start, s.Duration)
	setLocal(ev, ical.PropDateTimeStart, s.TimeZone, day, start)
	setDuration(ev, length)
	if ex.Reason != "" {
		label := "Note"
		if ex.Kind == meetings.Moved {
			label = "Moved"
		}
		desc := fmt.Sprintf("%s: %s\n\n%s", label, clean(ex.Reason), f.description(e))
		ev.Props.SetText(ical.PropDescription, desc)
	}
	return ev
}

// description says in words what kind of meeting this is. It never carries a
// passcode or host key: those exist only as hashes and are not in meetings.Meeting's
// published fields.
func (f *Feed) description(e *meetings.Meeting) string {
	s := &e.Series
	var b strings.Builder
	fmt.Fprintf(&b, "%s meeting (%s)", s.Program, s.Format)
	if len(s.Types) > 0 {
		fmt.Fprintf(&b, "\nTypes: %s", f.typeNames(s.Types))
	}
	if len(s.Languages) > 0 {
		fmt.Fprintf(&b, "\nLanguages: %s", strings.Join(s.Languages, ", "))
	}
	if e.Group != nil && e.Group.Name != "" {
		fmt.Fprintf(&b, "\nGroup: %s", clean(e.Group.Name))
	}
	if s.Room.HasPasscode() {
		b.WriteString("\nThis meeting asks for a passcode: ask the group for it.")
	}
	if s.Notes != "" {
		b.WriteString("\n\n" + clean(s.Notes))
	}
	fmt.Fprintf(&b, "\n\nMeeting page: %s\nJoin: %s", f.links.MeetingPage(s.Slug), f.links.Room(s.Slug))
	return b.String()
}

// clean drops carriage returns, which TEXT values cannot carry.
func clean(s string) string { return strings.ReplaceAll(s, "\r", "") }
