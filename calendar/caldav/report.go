package caldav

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/hearth-recovery/hearth/meetings"
)

type compFilter struct {
	Name         string       `xml:"name,attr"`
	IsNotDefined *struct{}    `xml:"urn:ietf:params:xml:ns:caldav is-not-defined"`
	TimeRange    *anyElem     `xml:"urn:ietf:params:xml:ns:caldav time-range"`
	Props        []propFilter `xml:"urn:ietf:params:xml:ns:caldav prop-filter"`
	Comps        []compFilter `xml:"urn:ietf:params:xml:ns:caldav comp-filter"`
}

type propFilter struct {
	Name         string     `xml:"name,attr"`
	IsNotDefined *struct{}  `xml:"urn:ietf:params:xml:ns:caldav is-not-defined"`
	TimeRange    *anyElem   `xml:"urn:ietf:params:xml:ns:caldav time-range"`
	TextMatch    *textMatch `xml:"urn:ietf:params:xml:ns:caldav text-match"`
	ParamFilters []anyElem  `xml:"urn:ietf:params:xml:ns:caldav param-filter"`
}

type textMatch struct {
	Text      string `xml:",chardata"`
	Collation string `xml:"collation,attr"`
	Negate    string `xml:"negate-condition,attr"`
}

// reportReq holds any of the three reports; which one came is XMLName.
type reportReq struct {
	XMLName   xml.Name
	Prop      *anyElem `xml:"DAV: prop"`
	Hrefs     []string `xml:"DAV: href"`
	SyncToken string   `xml:"DAV: sync-token"`
	Filter    *struct {
		Comp compFilter `xml:"urn:ietf:params:xml:ns:caldav comp-filter"`
	} `xml:"urn:ietf:params:xml:ns:caldav filter"`
}

func (s *Server) serveReport(w http.ResponseWriter, r *http.Request, t target) {
	var req reportReq
	empty, err := decodeBody(r, s.cfg.MaxBody, &req)
	if err != nil || empty {
		http.Error(w, fmt.Sprintf("a REPORT needs an XML body: %v", err), http.StatusBadRequest)
		return
	}
	pr := parsePropRequest(req.Prop)
	switch req.XMLName {
	case caldav("calendar-query"):
		s.serveQuery(w, r, t, &req, &pr)
	case caldav("calendar-multiget"):
		s.serveMultiget(w, r, &req, &pr)
	case dav("sync-collection"):
		s.serveSync(w, r, t, &req, &pr)
	default:
		davError(w, http.StatusForbidden, el("d:supported-report"),
			"Hearth answers calendar-query, calendar-multiget and sync-collection.")
	}
}

// filterError is a calendar-query filter Hearth cannot answer: the
// precondition RFC 4791 §7.7 names, and why.
type filterError struct {
	condition elem
	msg       string
}

func (e *filterError) Error() string { return e.msg }

func invalidFilter(format string, args ...any) error {
	return &filterError{condition: el("c:valid-filter"), msg: fmt.Sprintf(format, args...)}
}

func unsupportedFilter(format string, args ...any) error {
	return &filterError{condition: el("c:supported-filter"), msg: fmt.Sprintf(format, args...)}
}

func (s *Server) serveQuery(w http.ResponseWriter, r *http.Request, t target, req *reportReq, pr *propRequest) {
	if t.kind != targetCollection {
		http.Error(w, "calendar-query is answered on a calendar collection", http.StatusBadRequest)
		return
	}
	if req.Filter == nil || req.Filter.Comp.Name != "VCALENDAR" {
		davError(w, http.StatusForbidden, el("c:valid-filter"), "the filter must start with a VCALENDAR comp-filter")
		return
	}
	q, err := s.compileQuery(&req.Filter.Comp)
	if err == nil {
		var ms []member
		if ms, err = s.listMembers(r.Context(), t.coll); err == nil {
			var resps []response
			resps, err = s.runQuery(t.coll, ms, q, pr)
			if err == nil {
				multistatus(w, resps, "")
				return
			}
		}
	}
	var fe *filterError
	if errors.As(err, &fe) {
		davError(w, http.StatusForbidden, fe.condition, fe.msg)
		return
	}
	s.fail(w, r, err)
}

func (s *Server) runQuery(c *collection, ms []member, q *filterQuery, pr *propRequest) ([]response, error) {
	var resps []response
	for i := range ms {
		ok, err := s.matchQuery(&ms[i].entry, q)
		if err != nil {
			return nil, err
		}
		if ok {
			resps = append(resps, pr.answer(s.objectPath(c, ms[i].entry.Series.Slug), s.objectProps(&ms[i], pr)))
		}
	}
	return resps, nil
}

// filterQuery is a calendar-query filter checked once, before any object is
// looked at (RFC 4791 §9.7).
type filterQuery struct {
	// none is set when the filter can match no object Hearth publishes.
	none bool
	// calProps filter the VCALENDAR's own properties.
	calProps []propFilter
	// events is the VEVENT comp-filter, nil when there is none.
	events *compFilter
	// span is the VEVENT time-range, nil when there is none.
	span *timeRange
}

func (s *Server) compileQuery(f *compFilter) (*filterQuery, error) {
	q := &filterQuery{calProps: f.Props}
	if f.IsNotDefined != nil {
		q.none = true
	}
	if f.TimeRange != nil {
		return nil, invalidFilter("a time-range applies to VEVENT, not VCALENDAR")
	}
	if err := checkProps(f.Props); err != nil {
		return nil, err
	}
	for i := range f.Comps {
		c := &f.Comps[i]
		switch {
		case c.Name == ical.CompEvent && c.IsNotDefined != nil:
			q.none = true
		case c.Name == ical.CompEvent:
			if err := s.compileEvent(q, c); err != nil {
				return nil, err
			}
		case c.Name == ical.CompTimezone:
			if c.IsNotDefined != nil {
				q.none = true
			}
		case c.IsNotDefined == nil:
			// Hearth publishes only VEVENTs (with their VTIMEZONE).
			q.none = true
		}
	}
	return q, nil
}

func (s *Server) compileEvent(q *filterQuery, c *compFilter) error {
	if q.events != nil {
		return unsupportedFilter("one VEVENT comp-filter per filterQuery")
	}
	q.events = c
	if c.TimeRange != nil {
		tr, ok := parseRange(c.TimeRange.Attrs)
		if !ok {
			return invalidFilter("time-range needs UTC start and end (YYYYMMDDTHHMMSSZ), start before end")
		}
		q.span = &tr
	}
	for _, sub := range c.Comps {
		// A published VEVENT has no VALARM or other subcomponent.
		if sub.IsNotDefined == nil {
			q.none = true
		}
	}
	return checkProps(c.Props)
}

// checkProps refuses the prop-filter parts Hearth does not evaluate, so a
// client is told rather than given every object.
func checkProps(pfs []propFilter) error {
	for _, pf := range pfs {
		switch {
		case pf.Name == "":
			return invalidFilter("a prop-filter needs a name")
		case len(pf.ParamFilters) > 0:
			return unsupportedFilter("param-filter is not supported (prop-filter %s)", pf.Name)
		case pf.TimeRange != nil:
			return unsupportedFilter("a time-range on a property is not supported (prop-filter %s)", pf.Name)
		case pf.TextMatch != nil:
			switch pf.TextMatch.Collation {
			case "", "i;ascii-casemap", "i;octet":
			default:
				return &filterError{condition: el("c:supported-collation"),
					msg: fmt.Sprintf("collation %q: use i;ascii-casemap or i;octet", pf.TextMatch.Collation)}
			}
		}
	}
	return nil
}

// matchQuery is true when an object passes q: its calendar properties, an
// occurrence overlapping the time range (exceptions applied), and a VEVENT
// (the master or an override) that passes every prop-filter.
func (s *Server) matchQuery(e *meetings.Meeting, q *filterQuery) (bool, error) {
	if q.none {
		return false, nil
	}
	if len(q.calProps) > 0 && !matchProps(s.calendarProps(), q.calProps) {
		return false, nil
	}
	if q.events == nil {
		return true, nil
	}
	if q.span != nil && !hasOccurrence(e, *q.span) {
		return false, nil
	}
	if len(q.events.Props) == 0 {
		return true, nil
	}
	events, err := s.cfg.Feed.Events(e)
	if err != nil {
		return false, err
	}
	for _, ev := range events {
		if matchProps(ev.Props, q.events.Props) {
			return true, nil
		}
	}
	return false, nil
}

// calendarProps are the VCALENDAR properties of every object.
func (s *Server) calendarProps() ical.Props {
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropProductID, s.cfg.Feed.ProductID())
	cal.Props.SetText(ical.PropVersion, "2.0")
	return cal.Props
}

func matchProps(ps ical.Props, pfs []propFilter) bool {
	for i := range pfs {
		if !matchProp(ps, &pfs[i]) {
			return false
		}
	}
	return true
}

// matchProp applies one prop-filter (RFC 4791 §9.7.2) to a component's
// properties: defined or not, and a substring text-match on the value
// (unescaped), case-insensitive in ASCII unless the collation is i;octet.
func matchProp(ps ical.Props, pf *propFilter) bool {
	vals := ps.Values(strings.ToUpper(pf.Name))
	if pf.IsNotDefined != nil {
		return len(vals) == 0
	}
	if len(vals) == 0 {
		return false
	}
	tm := pf.TextMatch
	if tm == nil {
		return true
	}
	hit := false
	for i := range vals {
		v, err := vals[i].Text()
		if err != nil {
			v = vals[i].Value
		}
		if tm.Collation == "i;octet" {
			hit = hit || strings.Contains(v, tm.Text)
		} else {
			hit = hit || strings.Contains(asciiLower(v), asciiLower(tm.Text))
		}
	}
	return hit != (tm.Negate == "yes")
}

// asciiLower folds only A-Z, as i;ascii-casemap does (RFC 4790 §9.2).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func (s *Server) serveMultiget(w http.ResponseWriter, r *http.Request, req *reportReq, pr *propRequest) {
	if len(req.Hrefs) > 10000 {
		http.Error(w, "too many hrefs in one multiget", http.StatusRequestEntityTooLarge)
		return
	}
	resps := make([]response, 0, len(req.Hrefs))
	for _, href := range req.Hrefs {
		resp, err := s.multigetOne(r.Context(), href, pr)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		resps = append(resps, resp)
	}
	multistatus(w, resps, "")
}

func (s *Server) multigetOne(ctx context.Context, href string, pr *propRequest) (response, error) {
	path := href
	if u, err := url.Parse(href); err == nil {
		path = u.Path
	}
	t := s.resolve(path)
	if t.kind != targetObject {
		return response{href: href, status: http.StatusNotFound}, nil
	}
	m, ok, err := s.member(ctx, t.coll, t.slug)
	if err != nil || !ok {
		return response{href: href, status: http.StatusNotFound}, err
	}
	return pr.answer(href, s.objectProps(&m, pr)), nil
}

// serveSync answers sync-collection (RFC 6578). Hearth keeps no change
// history, so a token is the collection's ctag: the current token gets an
// empty delta, no token gets every member, and an older token is refused
// with valid-sync-token, which makes clients start over (RFC 6578 §3.2).
func (s *Server) serveSync(w http.ResponseWriter, r *http.Request, t target, req *reportReq, pr *propRequest) {
	if t.kind != targetCollection {
		http.Error(w, "sync-collection is answered on a calendar collection", http.StatusBadRequest)
		return
	}
	ms, err := s.listMembers(r.Context(), t.coll)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	token := syncToken(ms)
	var resps []response
	switch strings.TrimSpace(req.SyncToken) {
	case token:
	case "":
		for i := range ms {
			resps = append(resps, pr.answer(s.objectPath(t.coll, ms[i].entry.Series.Slug), s.objectProps(&ms[i], pr)))
		}
	default:
		davError(w, http.StatusForbidden, el("d:valid-sync-token"), "this sync-token is no longer valid: sync again without one")
		return
	}
	multistatus(w, resps, token)
}

// expandObject replaces a series' recurrence with its instances in tr, each
// a VEVENT in UTC with a RECURRENCE-ID and no RRULE (RFC 4791 §9.6.5).
func expandObject(cal *ical.Calendar, e *meetings.Meeting, tr *timeRange) (*ical.Calendar, error) {
	loc, err := e.Location()
	if err != nil {
		return nil, err
	}
	var master *ical.Component
	overrides := map[string]*ical.Component{}
	for _, c := range cal.Children {
		if c.Name != ical.CompEvent {
			continue
		}
		if rid := c.Props.Get(ical.PropRecurrenceID); rid != nil {
			overrides[rid.Value] = c
		} else {
			master = c
		}
	}
	if master == nil {
		return nil, fmt.Errorf("caldav: %s has no master event", e.Series.Slug)
	}
	out := ical.NewCalendar()
	out.Props = cal.Props
	for _, o := range e.Occurrences(tr.start, tr.end) {
		if o.Cancelled {
			continue
		}
		local := fmt.Sprintf("%04d%02d%02dT%02d%02d00", o.Date.Year, o.Date.Month, o.Date.Day, e.Series.Start.Hour, e.Series.Start.Minute)
		src := master
		if ov, ok := overrides[local]; ok {
			src = ov
		}
		inst := ical.NewComponent(ical.CompEvent)
		for name, ps := range src.Props {
			switch name {
			case ical.PropDateTimeStart, ical.PropRecurrenceRule, ical.PropExceptionDates, ical.PropRecurrenceID, ical.PropDuration:
				continue
			}
			inst.Props[name] = ps
		}
		setUTC(inst, ical.PropRecurrenceID, e.Series.Start.At(o.Date, loc))
		setUTC(inst, ical.PropDateTimeStart, o.Start)
		setUTC(inst, ical.PropDateTimeEnd, o.End)
		out.Children = append(out.Children, inst)
	}
	if len(out.Children) == 0 {
		return cal, nil // nothing in range: the object as stored, as clients expect some data
	}
	return out, nil
}

func setUTC(c *ical.Component, name string, t time.Time) {
	c.Props.Set(&ical.Prop{Name: name, Params: ical.Params{}, Value: t.UTC().Format("20060102T150405Z")})
}

// hasOccurrence checks overlap over a window clamped to the series' life, so
// that an open-ended range does not walk to the year 9999. It looks a week
// at a time and stops at the first occurrence, so a month-long query over
// weekly meetings looks at about a week of each series, not the month.
func hasOccurrence(e *meetings.Meeting, tr timeRange) bool {
	loc, err := e.Location()
	if err != nil {
		return false
	}
	r := e.Series.Recurrence
	first := r.Start.AddDays(-2)
	begin := time.Date(first.Year, first.Month, first.Day, 0, 0, 0, 0, loc)
	from := tr.start
	if from.Before(begin) {
		from = begin
	}
	// Five years always holds an occurrence of a rule that has one left
	// (the longest gap is a monthly rule every 52 months).
	to := tr.end
	if limit := from.AddDate(5, 0, 0); to.After(limit) {
		to = limit
	}
	for start := from; start.Before(to); start = start.Add(hasOccurrenceStep) {
		end := start.Add(hasOccurrenceStep)
		if end.After(to) {
			end = to
		}
		for _, o := range e.Occurrences(start, end) {
			if !o.Cancelled {
				return true
			}
		}
	}
	return false
}

// hasOccurrenceStep is the window hasOccurrence looks through at a time.
const hasOccurrenceStep = 7 * 24 * time.Hour
