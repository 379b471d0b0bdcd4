package caldav

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/hearth-recovery/hearth/calendar"
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
	Name         string    `xml:"name,attr"`
	IsNotDefined *struct{} `xml:"urn:ietf:params:xml:ns:caldav is-not-defined"`
	TextMatch    *struct {
		Text   string `xml:",chardata"`
		Negate string `xml:"negate-condition,attr"`
	} `xml:"urn:ietf:params:xml:ns:caldav text-match"`
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
		davError(w, http.StatusForbidden, "<d:supported-report/>")
	}
}

func (s *Server) serveQuery(w http.ResponseWriter, r *http.Request, t target, req *reportReq, pr *propRequest) {
	if t.kind != targetCollection {
		http.Error(w, "calendar-query is answered on a calendar collection", http.StatusBadRequest)
		return
	}
	if req.Filter == nil || req.Filter.Comp.Name != "VCALENDAR" {
		davError(w, http.StatusForbidden, "<c:valid-filter/>")
		return
	}
	ms, err := s.members(r.Context(), t.coll)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var resps []response
	for i := range ms {
		ok, err := s.matchCalendar(&ms[i].entry, &req.Filter.Comp)
		if err != nil {
			davError(w, http.StatusForbidden, "<c:valid-filter/>")
			return
		}
		if ok {
			resps = append(resps, pr.answer(s.objectPath(t.coll, ms[i].entry.Series.Slug), s.objectProps(&ms[i], pr)))
		}
	}
	multistatus(w, resps, "")
}

// matchCalendar applies a VCALENDAR comp-filter: every nested comp-filter
// must match (RFC 4791 §9.7.1).
func (s *Server) matchCalendar(e *calendar.Entry, f *compFilter) (bool, error) {
	for i := range f.Comps {
		c := &f.Comps[i]
		var ok bool
		switch {
		case c.Name == "VEVENT" && c.IsNotDefined != nil:
			ok = false
		case c.Name == "VEVENT":
			var err error
			if ok, err = s.matchEvent(e, c); err != nil {
				return false, err
			}
		default:
			ok = c.IsNotDefined != nil // Hearth publishes only VEVENTs
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

// matchEvent is true when the series has an occurrence overlapping the time
// range, with exceptions applied, and its properties pass the prop-filters.
func (s *Server) matchEvent(e *calendar.Entry, f *compFilter) (bool, error) {
	if f.TimeRange != nil {
		tr, ok := parseRange(f.TimeRange.Attrs)
		if !ok {
			return false, fmt.Errorf("caldav: bad time-range")
		}
		if !hasOccurrence(s.zones, e, tr) {
			return false, nil
		}
	}
	if len(f.Props) == 0 {
		return true, nil
	}
	events, err := s.cfg.Feed.Events(e)
	if err != nil || len(events) == 0 {
		return false, err
	}
	for _, pf := range f.Props {
		if !matchProp(events[0], &pf) {
			return false, nil
		}
	}
	return true, nil
}

// hasOccurrence checks overlap over a window clamped to the series' life, so
// that an open-ended range does not walk to the year 9999.
func hasOccurrence(zones *meetings.Zones, e *calendar.Entry, tr timeRange) bool {
	loc, err := zones.Load(e.Series.TimeZone)
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
	for _, o := range e.Series.Occurrences(loc, e.Exceptions, from, to) {
		if !o.Cancelled {
			return true
		}
	}
	return false
}

func matchProp(ev *ical.Component, pf *propFilter) bool {
	p := ev.Props.Get(strings.ToUpper(pf.Name))
	if pf.IsNotDefined != nil {
		return p == nil
	}
	if p == nil {
		return false
	}
	if pf.TextMatch == nil {
		return true
	}
	hit := strings.Contains(strings.ToLower(p.Value), strings.ToLower(pf.TextMatch.Text))
	return hit != (pf.TextMatch.Negate == "yes")
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
	ms, err := s.members(r.Context(), t.coll)
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
		davError(w, http.StatusForbidden, "<d:valid-sync-token/>")
		return
	}
	multistatus(w, resps, token)
}

// expandObject replaces a series' recurrence with its instances in tr, each
// a VEVENT in UTC with a RECURRENCE-ID and no RRULE (RFC 4791 §9.6.5).
func expandObject(zones *meetings.Zones, cal *ical.Calendar, e *calendar.Entry, tr *timeRange) (*ical.Calendar, error) {
	loc, err := zones.Load(e.Series.TimeZone)
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
	for _, o := range e.Series.Occurrences(loc, e.Exceptions, tr.start, tr.end) {
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
