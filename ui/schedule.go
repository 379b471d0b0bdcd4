package ui

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
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
}

// day is the rows of one calendar day in the viewer's zone.
type day struct {
	Label string
	Rows  []row
}

type homeData struct {
	Form       filterForm
	InProgress []row
	Soon       []row
	Days       []day
	Formats    []meetings.Format
	Programs   []meetings.Program
	Types      []meetings.TypeCode
	Languages  []string
	Times      []timeOfDay
	Zones      []string
	Feeds      Feeds
	Total      int
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	v := h.viewerOf(w, r)
	form := parseFilterForm(r.URL.Query())
	data, err := h.buildHome(r, v, form)
	if err != nil {
		h.fail(w, r, v, err)
		return
	}
	h.render(w, r, http.StatusOK, "home", page{Title: "Meetings", Viewer: v, Data: data})
}

func (h *Handler) buildHome(r *http.Request, v viewer, form filterForm) (*homeData, error) {
	all, err := h.cfg.Reader.ListMeetings(r.Context(), meetings.Filter{})
	if err != nil {
		return nil, fmt.Errorf("list series: %w", err)
	}
	f := form.filter()
	now := h.cfg.Now()
	tod, useTime := form.timeOfDay(form.Time)
	var rows []row
	for i := range all {
		s := &all[i].Series
		if !f.Match(s) {
			continue
		}
		occ, err := h.upcoming(&all[i], now.Add(-24*time.Hour), now.Add(h.cfg.Horizon))
		if err != nil {
			return nil, err
		}
		for _, o := range occ {
			local := o.Start.In(v.Loc)
			if useTime && !tod.contains(local.Hour()*60+local.Minute()) {
				continue
			}
			rows = append(rows, h.rowOf(s, o, v, now))
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].StartISO < rows[j].StartISO })
	d := &homeData{
		Form: form, Formats: meetings.Formats(), Programs: meetings.Programs(),
		Types: meetings.TypeCodes(), Languages: languagesOf(all), Times: timesOfDay(),
		Zones: commonZones(), Feeds: h.cfg.Feeds(r).FilterFeeds(f), Total: len(rows),
	}
	for _, row := range rows {
		switch {
		case row.InProgress:
			d.InProgress = append(d.InProgress, row)
		case row.Starting:
			d.Soon = append(d.Soon, row)
		}
	}
	d.Days = groupByDay(rows, v.Loc, now)
	return d, nil
}

// upcoming expands s over [from, to) and drops occurrences already over.
func (h *Handler) upcoming(m *meetings.Meeting, from, to time.Time) ([]meetings.Occurrence, error) {
	loc, err := h.zones.Load(m.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("series %s: %w", m.Slug, err)
	}
	now := h.cfg.Now()
	all := m.Occurrences(loc, m.Exceptions, from, to)
	out := all[:0]
	for _, o := range all {
		if o.End.After(now) {
			out = append(out, o)
		}
	}
	return out, nil
}

const (
	clockLayout = "3:04 PM"
	isoLayout   = time.RFC3339
)

func (h *Handler) rowOf(s *meetings.Series, o meetings.Occurrence, v viewer, now time.Time) row {
	local := o.Start.In(v.Loc)
	r := row{
		Slug: s.Slug, Name: s.Name, Program: string(s.Program), Format: string(s.Format),
		Types: meetings.TypeNames(s.Types), Languages: languageList(s.Languages),
		ViewerTime: local.Format(clockLayout), ViewerEnd: o.End.In(v.Loc).Format(clockLayout),
		StartISO: o.Start.UTC().Format(isoLayout), Cancelled: o.Cancelled, Moved: o.Moved,
		Reason: o.Reason, InProgress: o.InProgress(now),
	}
	r.Starting = !o.Cancelled && o.Start.After(now) && !o.Start.After(now.Add(h.cfg.SoonWindow))
	own := o.Start.Format("Mon " + clockLayout)
	if own != local.Format("Mon "+clockLayout) {
		r.OwnTime = fmt.Sprintf("%s %s time", own, s.TimeZone)
	}
	return r
}

// groupByDay splits rows (already sorted by start) into days in loc, naming
// today and tomorrow as such.
func groupByDay(rows []row, loc *time.Location, now time.Time) []day {
	today := meetings.DateOf(now.In(loc))
	var days []day
	var current meetings.Date
	for _, r := range rows {
		t, _ := time.Parse(isoLayout, r.StartISO)
		d := meetings.DateOf(t.In(loc))
		if len(days) == 0 || d != current {
			current = d
			days = append(days, day{Label: dayLabel(d, today, t.In(loc))})
		}
		days[len(days)-1].Rows = append(days[len(days)-1].Rows, r)
	}
	return days
}

func dayLabel(d, today meetings.Date, t time.Time) string {
	name := t.Format("Monday, January 2")
	switch d.DaysSince(today) {
	case 0:
		return "Today · " + name
	case 1:
		return "Tomorrow · " + name
	case -1:
		return "Yesterday · " + name
	}
	return name
}

// languagesOf lists the languages any series uses, for the filter picker.
func languagesOf(all []meetings.Meeting) []string {
	var out []string
	for _, s := range all {
		for _, l := range s.Languages {
			if !slices.Contains(out, l) {
				out = append(out, l)
			}
		}
	}
	slices.Sort(out)
	return out
}
