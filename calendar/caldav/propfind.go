package caldav

import (
	"bytes"
	"context"
	"encoding/xml"
	"net/http"
	"time"

	"github.com/hearth-recovery/hearth/calendar"
	"github.com/hearth-recovery/hearth/meetings"
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
	case targetRoot, targetPrincipal:
		resps = s.propfindDiscovery(r.URL.Path, t.kind, &pr, deep)
	case targetHome:
		resps, err = s.propfindHome(r.Context(), r.URL.Path, &pr, deep)
	case targetCollection:
		resps, err = s.propfindCollection(r.Context(), r.URL.Path, t.coll, &pr, deep)
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

// propfindHome answers the home set; the first response names the URL as
// requested (RFC 4918 §9.1), the others the collections' own paths.
func (s *Server) propfindHome(ctx context.Context, path string, pr *propRequest, deep bool) ([]response, error) {
	resps := []response{pr.answer(path, s.homeProps())}
	if !deep {
		return resps, nil
	}
	for i := range s.collections {
		c := &s.collections[i]
		ms, err := s.listMembers(ctx, c)
		if err != nil {
			return nil, err
		}
		resps = append(resps, pr.answer(s.collectionPath(c), s.collectionProps(c, ms)))
	}
	return resps, nil
}

func (s *Server) propfindCollection(ctx context.Context, path string, c *collection, pr *propRequest, deep bool) ([]response, error) {
	ms, err := s.listMembers(ctx, c)
	if err != nil {
		return nil, err
	}
	resps := []response{pr.answer(path, s.collectionProps(c, ms))}
	if deep {
		for i := range ms {
			resps = append(resps, pr.answer(s.objectPath(c, ms[i].entry.Series.Slug), s.objectProps(&ms[i], pr)))
		}
	}
	return resps, nil
}

// readOnly is the privilege set of every resource: a public schedule can be
// read by anyone and changed by no one over CalDAV.
func readOnly() prop {
	return prop{children: []elem{
		el("d:privilege", el("d:read")),
		el("d:privilege", el("d:read-current-user-privilege-set")),
	}}
}

func hrefProp(path string) prop { return prop{children: []elem{href(path)}} }

func textProp(s string) prop { return prop{text: s} }

func (s *Server) homeProps() props {
	return props{
		dav("resourcetype"):               {children: []elem{el("d:collection")}},
		dav("displayname"):                textProp("Hearth calendars"),
		dav("current-user-principal"):     hrefProp(s.principalPath()),
		dav("current-user-privilege-set"): readOnly(),
		dav("owner"):                      hrefProp(s.principalPath()),
	}
}

func reports(names ...elem) prop {
	var out []elem
	for _, n := range names {
		out = append(out, el("d:supported-report", el("d:report", n)))
	}
	return prop{children: out}
}

func (s *Server) collectionProps(c *collection, ms []member) props {
	return props{
		dav("resourcetype"):                        {children: []elem{el("d:collection"), el("c:calendar")}},
		dav("displayname"):                         textProp(c.display),
		caldav("calendar-description"):             textProp(c.description),
		caldav("supported-calendar-component-set"): {children: []elem{{XMLName: xml.Name{Local: "c:comp"}, Attrs: []xml.Attr{{Name: xml.Name{Local: "name"}, Value: "VEVENT"}}}}},
		caldav("supported-calendar-data"): {children: []elem{{XMLName: xml.Name{Local: "c:calendar-data"},
			Attrs: []xml.Attr{{Name: xml.Name{Local: "content-type"}, Value: "text/calendar"}, {Name: xml.Name{Local: "version"}, Value: "2.0"}}}}},
		dav("current-user-privilege-set"):       readOnly(),
		dav("current-user-principal"):           hrefProp(s.principalPath()),
		dav("owner"):                            hrefProp(s.principalPath()),
		xml.Name{Space: nsCS, Local: "getctag"}: textProp(ctag(ms)),
		dav("sync-token"):                       textProp(syncToken(ms)),
		dav("supported-report-set"):             reports(el("c:calendar-query"), el("c:calendar-multiget"), el("d:sync-collection")),
	}
}

// objectProps lists a member's properties; calendar-data is rendered only
// when asked for, expanded over pr.expand when that is set.
func (s *Server) objectProps(m *member, pr *propRequest) props {
	p := make(props, 2)
	set := func(n xml.Name, v func() prop) {
		if pr.wants(n) {
			p[n] = v()
		}
	}
	set(nameGetETag, func() prop { return textProp(m.etag) })
	set(dav("getcontenttype"), func() prop { return textProp("text/calendar; charset=utf-8; component=VEVENT") })
	set(dav("resourcetype"), func() prop { return prop{} })
	set(dav("getlastmodified"), func() prop { return textProp(m.entry.LastChange().UTC().Format(http.TimeFormat)) })
	set(dav("displayname"), func() prop { return textProp(m.entry.Series.Name) })
	set(dav("current-user-privilege-set"), readOnly)
	if pr.wants(nameCalendarData) {
		if data, err := s.calendarData(&m.entry, pr.expand); err == nil {
			p[nameCalendarData] = textProp(data)
		}
	}
	return p
}

func (s *Server) calendarData(e *meetings.Meeting, expand *timeRange) (string, error) {
	if expand == nil {
		text, _, _, err := s.cfg.Feed.ObjectText(e)
		return text, err
	}
	cal, ok, err := s.cfg.Feed.Object(e)
	if err != nil || !ok {
		return "", err
	}
	if cal, err = expandObject(cal, e, expand); err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := calendar.Encode(&b, cal); err != nil {
		return "", err
	}
	return b.String(), nil
}
