package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
	"github.com/hearth-recovery/hearth/ui/i18n"
)

// row is one occurrence as the schedule shows it.
type row struct {
	Slug, Name, Program, Format, Types, Languages string
	// ViewerTime is the start in the viewer's zone; StartISO is machine-readable.
	ViewerTime, ViewerEnd, StartISO string
	// OwnTime is the start in the meeting's own zone, set only when it reads
	// differently from ViewerTime (another hour or another day).
	OwnTime              string
	Cancelled, Moved     bool
	Reason               string
	InProgress, Starting bool
	Badges               []badge
	// Join is set on the rows of "In progress" and "Starting soon", which
	// link straight to the room; JoinLabel names the meeting for it.
	Join                bool
	JoinText, JoinLabel string
}

// day is the rows of one calendar day in the viewer's zone.
type day struct {
	Label string
	Rows  []row
}

type homeData struct {
	Form       filterForm
	Notices    []string
	InProgress []row
	Soon       []row
	Days       []day
	Formats    []option
	Programs   []option
	Types      []option
	Languages  []option
	Times      []option
	Days7      []option
	Zones      []string
	// Today, LastDate bound the date picker; Earlier and Later page the
	// list by its length ("" when there is no earlier page).
	Today, LastDate string
	Earlier, Later  string
	Feeds           Feeds
	Total           int
	CountText       string
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	v := h.viewerOf(w, r)
	form := parseFilterForm(r.URL.Query())
	data, err := h.buildHome(r, v, form)
	if err != nil {
		h.fail(w, r, v, err)
		return
	}
	h.render(w, r, http.StatusOK, "home", page{Title: v.Lang.T("home.title"), Viewer: v, Data: data})
}

func (h *Handler) buildHome(r *http.Request, v viewer, form filterForm) (*homeData, error) {
	all, err := h.cfg.Reader.ListMeetings(r.Context(), meetings.Filter{})
	if err != nil {
		return nil, fmt.Errorf("list series: %w", err)
	}
	programs, err := h.cfg.Reader.Programs(r.Context())
	if err != nil {
		return nil, fmt.Errorf("programs: %w", err)
	}
	offered := meetings.ProgramsInUse(programs, all)
	if form.Program != "" {
		switch p, ok := meetings.FindProgram(programs, meetings.Program(form.Program)); {
		case !ok:
			form.Notices = append(form.Notices, notice{"notice.program", form.Program})
			form.Program, form.f = "", form.f.Without(meetings.KeyProgram)
		case !slices.ContainsFunc(offered, func(q meetings.ProgramInfo) bool { return q.Key == p.Key }):
			// A link to a program whose meetings are gone still shows it chosen.
			offered = append(offered, p)
		}
	}
	f := form.filter()
	now := h.cfg.Now()
	var matched []meetings.Meeting
	for i := range all {
		if f.Match(&all[i]) {
			matched = append(matched, all[i])
		}
	}
	l := v.Lang
	today := meetings.DateOf(now.In(v.Loc))
	start, dateNotice := form.startDate(today)
	// Pages are whole days in the viewer's zone, so that one page ends
	// where the next ("Later days") begins and no occurrence is on both.
	// The first also keeps what is still running from the day before.
	days := pageDays(h.cfg.Horizon)
	from, to := now.Add(-24*time.Hour), meetings.LocalTime{}.At(start.AddDays(days), v.Loc)
	if start != today {
		from = meetings.LocalTime{}.At(start, v.Loc)
		form.Date = start.String()
	}
	var rows []row
	for _, sl := range meetings.Expand(matched, from, to) {
		// A later page lists what starts on its days, not what runs over
		// from the evening before (the page before lists that).
		if !sl.End.After(now) || sl.Start.Before(from) && start != today || !form.window.Contains(sl.Start.In(v.Loc)) {
			continue
		}
		rows = append(rows, h.rowOf(&sl.Meeting.Series, sl.Occurrence, v, now, programs))
	}
	d := &homeData{
		Form: form, Formats: formatOptions(l), Programs: programOptions(l, offered),
		Types: typeOptions(l, typesOf(all, form.Type)), Languages: languageOptions(l, meetings.LanguagesInUse(all)),
		Times: timeOptions(l), Days7: dayOptions(l),
		Zones: commonZones(), Feeds: h.cfg.Feeds(r, v.Lang.Tag).FilterFeeds(f), Total: len(rows),
		Today: today.String(), LastDate: today.AddDays(maxDaysAhead).String(),
	}
	for _, n := range append(form.Notices, dateNotice...) {
		d.Notices = append(d.Notices, n.text(l))
	}
	d.Earlier, d.Later = pageLinks(r.URL.Query(), today, start, days)
	within := l.N("home.within", days)
	if start != today {
		within = l.N("home.withinFrom", days, "Date", l.DayMonth(from))
	}
	d.CountText = l.T("home.count", "Meetings", l.N("home.meetings", len(rows)), "Within", within)
	for _, row := range rows {
		row.Join, row.JoinText, row.JoinLabel = true, l.T("home.join"), l.T("home.joinName", "Name", row.Name)
		switch {
		case row.InProgress:
			d.InProgress = append(d.InProgress, row)
		case row.Starting:
			d.Soon = append(d.Soon, row)
		}
	}
	d.Days = groupByDay(l, rows, v.Loc, now)
	return d, nil
}

// pageDays is how many days a page of the schedule lists: the horizon, to
// the nearest whole day, at least one.
func pageDays(horizon time.Duration) int {
	return max(1, int((horizon+12*time.Hour)/(24*time.Hour)))
}

// maxDaysAhead is how far ahead the schedule can be browsed.
const maxDaysAhead = 366

// startDate is the first day to list: the form's date when it is between
// today and maxDaysAhead, else today (with a notice for a date outside).
func (f filterForm) startDate(today meetings.Date) (meetings.Date, []notice) {
	switch {
	case f.date == nil:
		return today, nil
	case f.date.Before(today) || f.date.After(today.AddDays(maxDaysAhead)):
		return today, []notice{{"notice.date", f.date.String()}}
	}
	return *f.date, nil
}

// pageLinks are the links to the list's previous and next pages of days
// days, keeping every other parameter; there is no page before today.
func pageLinks(q url.Values, today, start meetings.Date, days int) (earlier, later string) {
	link := func(d meetings.Date) string {
		q.Del(dateKey)
		if d != today {
			q.Set(dateKey, d.String())
		}
		if len(q) == 0 {
			return "/"
		}
		return "/?" + q.Encode()
	}
	if next := start.AddDays(days); !next.After(today.AddDays(maxDaysAhead)) {
		later = link(next)
	}
	if start.After(today) {
		prev := start.AddDays(-days)
		if prev.Before(today) {
			prev = today
		}
		earlier = link(prev)
	}
	return earlier, later
}

// upcoming are the occurrences of m in [from, to) not over yet.
func (h *Handler) upcoming(m *meetings.Meeting, from, to time.Time) []meetings.Occurrence {
	now := h.cfg.Now()
	all := m.Occurrences(from, to)
	out := all[:0]
	for _, o := range all {
		if o.End.After(now) {
			out = append(out, o)
		}
	}
	return out
}

const isoLayout = time.RFC3339

func (h *Handler) rowOf(s *meetings.Series, o meetings.Occurrence, v viewer, now time.Time, programs []meetings.ProgramInfo) row {
	l := v.Lang
	local := o.Start.In(v.Loc)
	r := row{
		Slug: s.Slug, Name: s.Name, Program: programLabelOf(l, programs, s.Program), Format: formatLabel(l, s.Format),
		Types: l.TypeNames(s.Types), Languages: l.LanguageNames(s.Languages),
		ViewerTime: l.Time(local), ViewerEnd: l.Time(o.End.In(v.Loc)),
		StartISO: o.Start.UTC().Format(isoLayout), Cancelled: o.Cancelled, Moved: o.Moved,
		Reason: o.Reason, InProgress: o.InProgress(now),
	}
	r.Starting = !o.Cancelled && o.Start.After(now) && !o.Start.After(now.Add(h.cfg.SoonWindow))
	r.Badges = badgesOf(l, o, now, r.InProgress, r.Starting)
	if ownTime(o, v.Loc) {
		r.OwnTime = l.T("row.ownTime", "Time", l.ShortDay(o.Start), "Zone", s.TimeZone)
	}
	return r
}

// ownTime reports whether the meeting's own clock reads differently from
// the viewer's (another hour or another day).
func ownTime(o meetings.Occurrence, viewer *time.Location) bool {
	own, there := o.Start, o.Start.In(viewer)
	return own.Weekday() != there.Weekday() || own.Hour() != there.Hour() || own.Minute() != there.Minute()
}

// badgesOf says an occurrence's state; "starts in" counts whole minutes,
// rounded up so that it never says 0 before the start.
func badgesOf(l *i18n.Lang, o meetings.Occurrence, now time.Time, inProgress, starting bool) []badge {
	var out []badge
	switch {
	case inProgress:
		out = append(out, badge{"live", l.T("badge.inProgress")})
	case starting:
		mins := int((o.Start.Sub(now) + time.Minute - 1) / time.Minute)
		out = append(out, badge{"soon", l.N("badge.startsIn", mins)})
	}
	if o.Cancelled {
		out = append(out, badge{"cancelled", l.T("badge.cancelled")})
	}
	if o.Moved {
		out = append(out, badge{"moved", l.T("badge.moved")})
	}
	return out
}

// groupByDay splits rows (already sorted by start) into days in loc, naming
// today and tomorrow as such.
func groupByDay(l *i18n.Lang, rows []row, loc *time.Location, now time.Time) []day {
	today := meetings.DateOf(now.In(loc))
	var days []day
	var current meetings.Date
	for _, r := range rows {
		t, _ := time.Parse(isoLayout, r.StartISO)
		d := meetings.DateOf(t.In(loc))
		if len(days) == 0 || d != current {
			current = d
			days = append(days, day{Label: dayLabel(l, d, today, t.In(loc))})
		}
		days[len(days)-1].Rows = append(days[len(days)-1].Rows, r)
	}
	return days
}

func dayLabel(l *i18n.Lang, d, today meetings.Date, t time.Time) string {
	name := l.DayMonth(t)
	switch d.DaysSince(today) {
	case 0:
		return l.T("day.today", "Date", name)
	case 1:
		return l.T("day.tomorrow", "Date", name)
	case -1:
		return l.T("day.yesterday", "Date", name)
	}
	return i18n.Capital(name)
}

// typesOf accepts the type codes some meeting has (meetings.TypesInUse),
// and the one selected, for the filter picker.
func typesOf(all []meetings.Meeting, selected string) func(code string) bool {
	inUse := map[string]bool{selected: selected != ""}
	for _, t := range meetings.TypesInUse(all) {
		inUse[t.Code] = true
	}
	return func(code string) bool { return inUse[code] }
}
