package caldav

import (
	"bytes"
	"context"
	"encoding/xml"
	"net/http"
	"time"

	"github.com/hearth-recovery/hearth/calendar"
)

// propRequest is which properties a PROPFIND or REPORT asks for.
type propRequest struct {
	all   bool
	names []xml.Name
	// expand is set when calendar-data asks for server-side expansion.
	expand *timeRange
}

type timeRange struct{ start, end time.Time }

func (pr *propRequest) wants(n xml.Name) bool {
	if pr.all {
		return n != nameCalendarData
	}
	for _, x := range pr.names {
		if x == n {
			return true
		}
	}
	return false
}

// answer keeps the requested properties of have and lists the missing ones.
func (pr *propRequest) answer(href string, have props) response {
	r := response{href: href, found: props{}}
	if pr.all {
		for n, v := range have {
			if n != nameCalendarData {
				r.found[n] = v
			}
		}
		return r
	}
	for _, n := range pr.names {
		if v, ok := have[n]; ok {
			r.found[n] = v
		} else {
			r.missing = append(r.missing, n)
		}
	}
	return r
}

var (
	nameCalendarData = xml.Name{Space: nsCalDAV, Local: "calendar-data"}
	nameGetETag      = xml.Name{Space: nsDAV, Local: "getetag"}
)

func dav(local string) xml.Name    { return xml.Name{Space: nsDAV, Local: local} }
func caldav(local string) xml.Name { return xml.Name{Space: nsCalDAV, Local: local} }

// parsePropRequest reads <d:prop> children (or allprop) from elems.
func parsePropRequest(prop *anyElem) propRequest {
	var pr propRequest
	if prop == nil {
		pr.all = true
		return pr
	}
	for _, p := range prop.Any {
		pr.names = append(pr.names, p.XMLName)
		if p.XMLName == nameCalendarData {
			for _, c := range p.Any {
				if c.XMLName == caldav("expand") {
					if tr, ok := parseRange(c.Attrs); ok {
						pr.expand = &tr
					}
				}
			}
		}
	}
	return pr
}

func parseRange(attrs []xml.Attr) (timeRange, bool) {
	tr := timeRange{start: time.Unix(-62135596800, 0).UTC(), end: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)}
	for _, a := range attrs {
		t, err := time.Parse("20060102T150405Z", a.Value)
		if err != nil {
			return tr, false
		}
		switch a.Name.Local {
		case "start":
			tr.start = t
		case "end":
			tr.end = t
		}
	}
	return tr, tr.start.Before(tr.end)
}

func (s *Server) servePropfind(w http.ResponseWriter, r *http.Request, t target) {
	var req struct {
		XMLName xml.Name  `xml:"DAV: propfind"`
		Prop    *anyElem  `xml:"DAV: prop"`
		AllProp *struct{} `xml:"DAV: allprop"`
	}
	if _, err := decodeBody(r, s.cfg.MaxBody, &req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	pr := parsePropRequest(req.Prop)
	// No Depth means infinity (RFC 4918 §9.1), answered as depth 1.
	deep := r.Header.Get("Depth") != "0"
	var resps []response
	var err error
	switch t.kind {
	case targetHome:
		resps, err = s.propfindHome(r.Context(), &pr, deep)
	case targetCollection:
		resps, err = s.propfindCollection(r.Context(), t.coll, &pr, deep)
	case targetObject:
		m, ok, merr := s.member(r.Context(), t.coll, t.slug)
		if merr == nil && !ok {
			http.Error(w, "no such meeting in this calendar", http.StatusNotFound)
			return
		}
		resps, err = []response{pr.answer(r.URL.Path, s.objectProps(&m, &pr))}, merr
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	multistatus(w, resps, "")
}

func (s *Server) propfindHome(ctx context.Context, pr *propRequest, deep bool) ([]response, error) {
	resps := []response{pr.answer(s.homePath(), s.homeProps())}
	if !deep {
		return resps, nil
	}
	for i := range s.collections {
		c := &s.collections[i]
		ms, err := s.members(ctx, c)
		if err != nil {
			return nil, err
		}
		resps = append(resps, pr.answer(s.collectionPath(c), s.collectionProps(c, ms)))
	}
	return resps, nil
}

func (s *Server) propfindCollection(ctx context.Context, c *collection, pr *propRequest, deep bool) ([]response, error) {
	ms, err := s.members(ctx, c)
	if err != nil {
		return nil, err
	}
	resps := []response{pr.answer(s.collectionPath(c), s.collectionProps(c, ms))}
	if deep {
		for i := range ms {
			resps = append(resps, pr.answer(s.objectPath(c, ms[i].entry.Series.Slug), s.objectProps(&ms[i], pr)))
		}
	}
	return resps, nil
}

const readOnlyPrivileges = "<d:privilege><d:read/></d:privilege><d:privilege><d:read-current-user-privilege-set/></d:privilege>"

func (s *Server) homeProps() props {
	return props{
		dav("resourcetype"):               "<d:collection/>",
		dav("displayname"):                "Hearth calendars",
		dav("current-user-principal"):     "<d:href>" + escape(s.principalPath()) + "</d:href>",
		dav("current-user-privilege-set"): readOnlyPrivileges,
		dav("owner"):                      "<d:href>" + escape(s.principalPath()) + "</d:href>",
	}
}

func (s *Server) collectionProps(c *collection, ms []member) props {
	return props{
		dav("resourcetype"):                        "<d:collection/><c:calendar/>",
		dav("displayname"):                         escape(c.display),
		caldav("calendar-description"):             escape(c.description),
		caldav("supported-calendar-component-set"): `<c:comp name="VEVENT"/>`,
		caldav("supported-calendar-data"):          `<c:calendar-data content-type="text/calendar" version="2.0"/>`,
		dav("current-user-privilege-set"):          readOnlyPrivileges,
		dav("current-user-principal"):              "<d:href>" + escape(s.principalPath()) + "</d:href>",
		dav("owner"):                               "<d:href>" + escape(s.principalPath()) + "</d:href>",
		xml.Name{Space: nsCS, Local: "getctag"}:    ctag(ms),
		dav("sync-token"):                          escape(syncToken(ms)),
		dav("supported-report-set"): "<d:supported-report><d:report><c:calendar-query/></d:report></d:supported-report>" +
			"<d:supported-report><d:report><c:calendar-multiget/></d:report></d:supported-report>" +
			"<d:supported-report><d:report><d:sync-collection/></d:report></d:supported-report>",
	}
}

// objectProps lists a member's properties; calendar-data is rendered only
// when asked for, expanded over pr.expand when that is set.
func (s *Server) objectProps(m *member, pr *propRequest) props {
	p := props{
		nameGetETag:            escape(m.etag),
		dav("getcontenttype"):  "text/calendar; charset=utf-8; component=VEVENT",
		dav("resourcetype"):    "",
		dav("getlastmodified"): m.entry.LastChange().UTC().Format(http.TimeFormat),
		dav("displayname"):     escape(m.entry.Series.Name),
	}
	if pr.wants(nameCalendarData) {
		if data, err := s.calendarData(&m.entry, pr.expand); err == nil {
			p[nameCalendarData] = escape(data)
		}
	}
	return p
}

func (s *Server) calendarData(e *calendar.Entry, expand *timeRange) (string, error) {
	cal, ok, err := s.cfg.Feed.Object(e)
	if err != nil || !ok {
		return "", err
	}
	if expand != nil {
		if cal, err = expandObject(s.zones, cal, e, expand); err != nil {
			return "", err
		}
	}
	var b bytes.Buffer
	if err := calendar.Encode(&b, cal); err != nil {
		return "", err
	}
	return b.String(), nil
}
