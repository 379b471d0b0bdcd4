package caldav

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

func do(t *testing.T, method, url, body string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(body, "<") {
		req.Header.Set("Content-Type", "application/xml; charset=utf-8")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, selfClose(string(b))
}

// emptyElem is an element with no content, as encoding/xml writes it.
var emptyElem = regexp.MustCompile(`<([a-zA-Z:-]+)((?: [a-zA-Z:-]+="[^"]*")*)></([a-zA-Z:-]+)>`)

// selfClose writes empty elements the short way (<d:read/>), as the
// assertions spell them; encoding/xml always writes <d:read></d:read>.
func selfClose(s string) string {
	return emptyElem.ReplaceAllStringFunc(s, func(m string) string {
		g := emptyElem.FindStringSubmatch(m)
		if g[1] != g[3] {
			return m
		}
		return "<" + g[1] + g[2] + "/>"
	})
}

const calQuery = `<?xml version="1.0"?>
<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
 <d:prop><d:getetag/>%s</d:prop>
 <c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">
  <c:time-range start="%s" end="%s"/></c:comp-filter></c:comp-filter></c:filter>
</c:calendar-query>`

func query(t *testing.T, base, start, end, extra string) string {
	t.Helper()
	body := strings.NewReplacer("%s1", "").Replace(calQuery)
	body = strings.Replace(body, "%s", extra, 1)
	body = strings.Replace(body, "%s", start, 1)
	body = strings.Replace(body, "%s", end, 1)
	resp, out := do(t, "REPORT", base+"/dav/public/calendars/all/", body, "Depth", "1")
	if resp.StatusCode != http.StatusMultiStatus {
		t.Fatalf("calendar-query: %d %s", resp.StatusCode, out)
	}
	return out
}

func TestDiscovery(t *testing.T) {
	ts := newServer(t, fixture())
	resp, _ := do(t, http.MethodGet, ts.URL+"/.well-known/caldav", "")
	if resp.StatusCode/100 != 3 || resp.Header.Get("Location") != "/dav/public/" {
		t.Errorf("well-known: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	body := `<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:current-user-principal/><c:calendar-home-set/></d:prop></d:propfind>`
	resp, out := do(t, "PROPFIND", ts.URL+"/dav/public/", body, "Depth", "0")
	if resp.StatusCode != http.StatusMultiStatus || !strings.Contains(out, "/dav/public/calendars/") {
		t.Errorf("principal PROPFIND: %d %s", resp.StatusCode, out)
	}
	// Clients may send PROPFIND without a body (allprop).
	for _, p := range []string{"/dav/", "/dav/public/"} {
		if resp, out := do(t, "PROPFIND", ts.URL+p, "", "Depth", "0"); resp.StatusCode != http.StatusMultiStatus {
			t.Errorf("empty PROPFIND on %s: %d %s", p, resp.StatusCode, out)
		}
	}
	resp, out = do(t, "PROPFIND", ts.URL+"/dav/public/calendars/", `<d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/><d:displayname/></d:prop></d:propfind>`, "Depth", "1")
	if resp.StatusCode != http.StatusMultiStatus || strings.Count(out, "<c:calendar/>") != 8 {
		t.Errorf("home set depth 1: %d, %d calendars", resp.StatusCode, strings.Count(out, "<c:calendar/>"))
	}
}

func TestCollectionProps(t *testing.T) {
	ts := newServer(t, fixture())
	body := `<d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/" xmlns:c="urn:ietf:params:xml:ns:caldav">
	<d:prop><d:current-user-privilege-set/><cs:getctag/><d:sync-token/><c:supported-calendar-component-set/><d:displayname/><x:unknown xmlns:x="urn:x"/></d:prop></d:propfind>`
	resp, out := do(t, "PROPFIND", ts.URL+"/dav/public/calendars/format-smart/", body, "Depth", "0")
	if resp.StatusCode != http.StatusMultiStatus {
		t.Fatalf("PROPFIND: %d", resp.StatusCode)
	}
	for _, want := range []string{"<d:read/>", "<cs:getctag>", "<d:sync-token>", `<c:comp name="VEVENT"/>`, "smart meetings", "404 Not Found"} {
		if !strings.Contains(out, want) {
			t.Errorf("collection PROPFIND lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "<d:write") {
		t.Error("collection claims write privilege")
	}
	_, out = do(t, "PROPFIND", ts.URL+"/dav/public/calendars/format-smart/", `<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>`, "Depth", "1")
	if strings.Count(out, "<d:getetag>") != 1 || !strings.Contains(out, "berlin-smart.ics") {
		t.Errorf("depth 1 on format-smart: %s", out)
	}
}

func TestTimeRangeQuery(t *testing.T) {
	ts := newServer(t, fixture())
	cases := []struct {
		name, start, end string
		want             []string
	}{
		// Monday 2026-03-09 19:00 EDT is cancelled; nothing else that evening.
		{"cancelled occurrence", "20260309T220000Z", "20260310T000000Z", nil},
		// The Thursday 12 March meeting moved from 19:00 to 21:00 EDT (01:00Z).
		{"moved away", "20260312T230000Z", "20260313T000000Z", nil},
		{"moved to", "20260313T010000Z", "20260313T013000Z", []string{"ny-evening"}},
		// A range inside the Tokyo meeting (23:30-00:30 JST) still matches.
		{"inside an occurrence", "20260306T150000Z", "20260306T151000Z", []string{"tokyo-late"}},
		// The range end is exclusive: Berlin starts 07:00Z on Saturday 7 March.
		{"end is exclusive", "20260307T060000Z", "20260307T070000Z", nil},
		{"exact occurrence", "20260307T070000Z", "20260307T080000Z", []string{"berlin-smart"}},
		{"a week", "20260302T000000Z", "20260309T000000Z", []string{"berlin-smart", "ny-evening", "tokyo-late"}},
		{"before the first date", "20250101T000000Z", "20251201T000000Z", nil},
	}
	for _, c := range cases {
		out := query(t, ts.URL, c.start, c.end, "")
		got := strings.Count(out, "<d:response>")
		if got != len(c.want) {
			t.Errorf("%s: %d responses, want %v:\n%s", c.name, got, c.want, out)
		}
		for _, slug := range c.want {
			if !strings.Contains(out, "/"+slug+".ics") {
				t.Errorf("%s: missing %s", c.name, slug)
			}
		}
	}
}

func TestExpand(t *testing.T) {
	ts := newServer(t, fixture())
	out := query(t, ts.URL, "20260309T000000Z", "20260316T000000Z",
		`<c:calendar-data><c:expand start="20260309T000000Z" end="20260316T000000Z"/></c:calendar-data>`)
	// The NY week: Monday cancelled, Thursday moved to 21:00 EDT = 01:00Z Friday.
	if !strings.Contains(out, "DTSTART:20260313T010000Z") || strings.Contains(out, "DTSTART:20260309T230000Z") {
		t.Errorf("expanded NY week wrong:\n%s", out)
	}
	if !strings.Contains(out, "RECURRENCE-ID:20260312T230000Z") || strings.Contains(out, "RRULE") {
		t.Errorf("expanded instances need RECURRENCE-ID and no RRULE:\n%s", out)
	}
}

func TestMultigetAndGet(t *testing.T) {
	ts := newServer(t, fixture())
	body := `<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>
	<d:href>/dav/public/calendars/all/tokyo-late.ics</d:href><d:href>/dav/public/calendars/all/missing.ics</d:href></c:calendar-multiget>`
	resp, out := do(t, "REPORT", ts.URL+"/dav/public/calendars/all/", body)
	if resp.StatusCode != http.StatusMultiStatus || !strings.Contains(out, "BEGIN:VCALENDAR") || !strings.Contains(out, "404 Not Found") {
		t.Errorf("multiget: %d %s", resp.StatusCode, out)
	}
	resp, ics := do(t, http.MethodGet, ts.URL+"/dav/public/calendars/all/tokyo-late.ics", "")
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || etag == "" || !strings.Contains(ics, "BEGIN:VTIMEZONE") || strings.Contains(ics, "METHOD:") {
		t.Fatalf("GET object: %d %q", resp.StatusCode, etag)
	}
	if !strings.Contains(out, strings.ReplaceAll(etag, `"`, "&#34;")) && !strings.Contains(out, etag) {
		t.Errorf("multiget ETag differs from GET's %s", etag)
	}
	if resp, _ := do(t, http.MethodGet, ts.URL+"/dav/public/calendars/all/tokyo-late.ics", "", "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET: %d, want 304", resp.StatusCode)
	}
	if resp, _ := do(t, http.MethodGet, ts.URL+"/dav/public/calendars/format-smart/tokyo-late.ics", ""); resp.StatusCode != 404 {
		t.Errorf("object outside its collection: %d, want 404", resp.StatusCode)
	}
}

func TestSyncCollection(t *testing.T) {
	ts := newServer(t, fixture())
	sync := func(token string) (*http.Response, string) {
		return do(t, "REPORT", ts.URL+"/dav/public/calendars/all/", `<d:sync-collection xmlns:d="DAV:"><d:sync-token>`+token+
			`</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`)
	}
	resp, out := sync("")
	if resp.StatusCode != http.StatusMultiStatus || strings.Count(out, "<d:response>") != 3 {
		t.Fatalf("initial sync: %d %s", resp.StatusCode, out)
	}
	token := out[strings.Index(out, "<d:sync-token>")+len("<d:sync-token>") : strings.Index(out, "</d:sync-token>")]
	if _, out := sync(token); strings.Count(out, "<d:response>") != 0 {
		t.Errorf("sync with the current token returned changes: %s", out)
	}
	if resp, out := sync("https://hearth.invalid/sync/old"); resp.StatusCode != 403 || !strings.Contains(out, "valid-sync-token") {
		t.Errorf("stale token: %d %s", resp.StatusCode, out)
	}
}

func TestReadOnlyAndBadInput(t *testing.T) {
	ts := newServer(t, fixture())
	obj := ts.URL + "/dav/public/calendars/all/ny-evening.ics"
	for _, m := range []string{http.MethodPut, http.MethodDelete, "MKCALENDAR", "MOVE"} {
		resp, out := do(t, m, obj, "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
		if resp.StatusCode != 403 || !strings.Contains(out, "<d:error") {
			t.Errorf("%s: %d %s", m, resp.StatusCode, out)
		}
	}
	resp, out := do(t, "PROPPATCH", ts.URL+"/dav/public/calendars/all/",
		`<d:propertyupdate xmlns:d="DAV:" xmlns:ical="http://apple.com/ns/ical/"><d:set><d:prop><ical:calendar-color>#FF0000</ical:calendar-color><d:displayname>x</d:displayname></d:prop></d:set></d:propertyupdate>`)
	if resp.StatusCode != http.StatusMultiStatus || strings.Count(out, "403 Forbidden") != 1 || !strings.Contains(out, "<ical:calendar-color/>") {
		t.Errorf("PROPPATCH: %d %s", resp.StatusCode, out)
	}
	for _, c := range []struct{ method, path, body string }{
		{"PROPFIND", "/dav/public/calendars/all/", "<d:propfind xmlns:d='DAV:'><d:prop>"},
		{"REPORT", "/dav/public/calendars/all/", "not xml"},
		{"REPORT", "/dav/public/calendars/all/", ""},
		{"PROPFIND", "/dav/public/calendars/nope/", ""},
		{"GET", "/dav/elsewhere", ""},
	} {
		if resp, _ := do(t, c.method, ts.URL+c.path, c.body); resp.StatusCode/100 != 4 {
			t.Errorf("%s %s with %q: %d, want 4xx", c.method, c.path, c.body, resp.StatusCode)
		}
	}
	resp, _ = do(t, "REPORT", ts.URL+"/dav/public/calendars/all/", `<d:expand-property xmlns:d="DAV:"/>`)
	if resp.StatusCode != 403 {
		t.Errorf("unsupported report: %d", resp.StatusCode)
	}
}

func TestCollectionPath(t *testing.T) {
	ts := newServer(t, fixture())
	for f, want := range map[*meetings.Filter]string{
		{}:                               "/dav/public/calendars/all/",
		{Format: meetings.FormatSMART}:   "/dav/public/calendars/format-smart/",
		{Program: "SMART Recovery"}:      "/dav/public/calendars/program-smart-recovery/",
		{Program: "AA", Type: "W"}:       "",
		{Format: "smart", Program: "AA"}: "",
	} {
		got := CollectionPath("/dav", *f)
		if got != want {
			t.Errorf("CollectionPath(%+v) = %q, want %q", *f, got, want)
		}
		if got == "" {
			continue
		}
		if resp, _ := do(t, "PROPFIND", ts.URL+got, "", "Depth", "0"); resp.StatusCode != http.StatusMultiStatus {
			t.Errorf("%s does not exist: %d", got, resp.StatusCode)
		}
	}
}

func TestGetCollection(t *testing.T) {
	ts := newServer(t, fixture())
	resp, body := do(t, http.MethodGet, ts.URL+"/dav/public/calendars/format-12-step/", "")
	if resp.StatusCode != 200 || strings.Count(body, "BEGIN:VEVENT") != 3 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("GET collection: %d, %d events", resp.StatusCode, strings.Count(body, "BEGIN:VEVENT"))
	}
	if resp, _ := do(t, http.MethodGet, ts.URL+"/dav/public/calendars/format-12-step/", "", "If-None-Match", resp.Header.Get("ETag")); resp.StatusCode != 304 {
		t.Errorf("conditional GET of a collection: %d", resp.StatusCode)
	}
}

// TestRootDiscovery: a client pointed at the bare host name (README's
// advice; python-caldav does not try /.well-known first) finds the
// principal with PROPFIND or OPTIONS on /, and the answer names the URL it
// was asked about.
func TestRootDiscovery(t *testing.T) {
	ts := newServer(t, fixture())
	body := `<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:current-user-principal/><c:calendar-home-set/><d:resourcetype/></d:prop></d:propfind>`
	for _, p := range []string{"/", "/dav/", "/dav/public/"} {
		resp, out := do(t, "PROPFIND", ts.URL+p, body, "Depth", "0")
		if resp.StatusCode != http.StatusMultiStatus || !strings.Contains(out, "<d:current-user-principal><d:href>/dav/public/</d:href>") ||
			!strings.Contains(out, "<c:calendar-home-set><d:href>/dav/public/calendars/</d:href>") {
			t.Errorf("PROPFIND %s: %d %s", p, resp.StatusCode, out)
		}
		if strings.Count(out, "<d:response>") != 1 || !strings.Contains(out, "<d:response><d:href>"+p+"</d:href>") {
			t.Errorf("PROPFIND depth 0 on %s must answer for %s alone: %s", p, p, out)
		}
	}
	resp, _ := do(t, http.MethodOptions, ts.URL+"/", "")
	if resp.StatusCode/100 != 2 || !strings.Contains(resp.Header.Get("DAV"), "calendar-access") {
		t.Errorf("OPTIONS /: %d DAV %q", resp.StatusCode, resp.Header.Get("DAV"))
	}
	_, out := do(t, "PROPFIND", ts.URL+"/dav/public/", body, "Depth", "1")
	if !strings.Contains(out, "<d:principal/>") || !strings.Contains(out, "<d:href>/dav/public/calendars/</d:href><d:propstat>") {
		t.Errorf("principal depth 1 lacks its resourcetype or the home set: %s", out)
	}
}

// TestWritesRefused: every write, on any path under the server (a new
// calendar's too), is 403 with a DAV error body.
func TestWritesRefused(t *testing.T) {
	ts := newServer(t, fixture())
	for _, c := range []struct{ method, path string }{
		{"MKCALENDAR", "/dav/public/calendars/pythoncaldav-test/"},
		{"MKCOL", "/dav/public/calendars/new/"},
		{http.MethodPut, "/dav/public/calendars/all/new.ics"},
		{http.MethodDelete, "/dav/public/calendars/all/"},
		{"ACL", "/dav/public/"},
	} {
		resp, out := do(t, c.method, ts.URL+c.path, "")
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(out, "<d:need-privileges>") || !strings.Contains(out, "read-only") {
			t.Errorf("%s %s: %d %s", c.method, c.path, resp.StatusCode, out)
		}
	}
}

// uidQuery is what python-caldav's object_by_uid sends: first with the
// prop-filter right under VCALENDAR, then under each component.
func uidQuery(comp, uid, extra string) string {
	inner := `<c:prop-filter name="UID"><c:text-match collation="i;octet">` + uid + `</c:text-match>` + extra + `</c:prop-filter>`
	if comp != "" {
		inner = `<c:comp-filter name="` + comp + `">` + inner + `</c:comp-filter>`
	}
	return `<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop>` +
		`<c:filter><c:comp-filter name="VCALENDAR">` + inner + `</c:comp-filter></c:filter></c:calendar-query>`
}

func TestPropFilter(t *testing.T) {
	ts := newServer(t, fixture())
	report := func(body string) (int, string) {
		resp, out := do(t, "REPORT", ts.URL+"/dav/public/calendars/all/", body, "Depth", "1")
		return resp.StatusCode, out
	}
	for _, c := range []struct {
		name, body string
		want       []string
	}{
		{"UID of one series", uidQuery("VEVENT", "series-2@meet.example.org", ""), []string{"berlin-smart"}},
		{"UID that does not exist", uidQuery("VEVENT", "no-such-uid@meet.example.org", ""), nil},
		{"i;octet is case-sensitive", uidQuery("VEVENT", "SERIES-2@MEET.EXAMPLE.ORG", ""), nil},
		{"UID under VCALENDAR (it has none)", uidQuery("", "series-2@meet.example.org", ""), nil},
		{"UID on a VTODO", uidQuery("VTODO", "series-2@meet.example.org", ""), nil},
		{"summary, case-insensitive by default", `<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:prop-filter name="SUMMARY"><c:text-match>TOKYO</c:text-match></c:prop-filter></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>`, []string{"tokyo-late"}},
		{"negated", `<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:prop-filter name="SUMMARY"><c:text-match negate-condition="yes">tokyo</c:text-match></c:prop-filter></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>`, []string{"berlin-smart", "ny-evening"}},
		{"is-not-defined", `<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:prop-filter name="SUMMARY"><c:is-not-defined/></c:prop-filter></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>`, nil},
		// Any VEVENT of the object may match (RFC 4791 §9.7.1): the NY
		// series' overrides carry no RRULE.
		{"is-not-defined on an override", `<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:prop-filter name="RRULE"><c:is-not-defined/></c:prop-filter></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>`, []string{"ny-evening"}},
	} {
		code, out := report(c.body)
		if code != http.StatusMultiStatus || strings.Count(out, "<d:response>") != len(c.want) {
			t.Errorf("%s: %d, want %v: %s", c.name, code, c.want, out)
			continue
		}
		for _, slug := range c.want {
			if !strings.Contains(out, "/"+slug+".ics") {
				t.Errorf("%s: %s missing", c.name, slug)
			}
		}
	}
	// What Hearth does not evaluate is refused, never answered with everything.
	for name, body := range map[string]string{
		"param-filter":            uidQuery("VEVENT", "x", `<c:param-filter name="X"/>`),
		"unknown collation":       strings.Replace(uidQuery("VEVENT", "x", ""), "i;octet", "i;unicode-casemap", 1),
		"time-range on VCALENDAR": `<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:time-range start="20260101T000000Z" end="20260201T000000Z"/></c:comp-filter></c:filter></c:calendar-query>`,
	} {
		if code, out := report(body); code != http.StatusForbidden || !strings.Contains(out, "<d:error") {
			t.Errorf("%s: %d %s", name, code, out)
		}
	}
}

// TestMembersFollowChanges: the collection listing is cached while the
// schedule is unchanged and rebuilt when it changes.
func TestMembersFollowChanges(t *testing.T) {
	src := newFakeSource(fixture())
	ts := serverOn(t, src)
	list := func() string {
		_, out := do(t, "PROPFIND", ts.URL+"/dav/public/calendars/all/", `<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>`, "Depth", "1")
		return out
	}
	before := list()
	src.entries = src.entries[:2]
	if list() != before {
		t.Error("the listing changed although the schedule reported no change (the cache was not used)")
	}
	src.modified = updated.Add(time.Minute)
	if after := list(); strings.Count(after, "<d:getetag>") != 2 || strings.Contains(after, "tokyo-late") {
		t.Errorf("after a change the listing still holds the removed series: %s", after)
	}
}

// A program's collection exists while the program has meetings: it appears
// with the first and goes with the last (programs are data an admin adds).
func TestProgramCollectionsFollowUse(t *testing.T) {
	src := newFakeSource(fixture())
	ts := serverOn(t, src)
	home := func() string {
		t.Helper()
		resp, out := do(t, "PROPFIND", ts.URL+"/dav/public/calendars/", `<d:propfind xmlns:d="DAV:"><d:prop><d:displayname/></d:prop></d:propfind>`, "Depth", "1")
		if resp.StatusCode != http.StatusMultiStatus {
			t.Fatalf("home PROPFIND: %d", resp.StatusCode)
		}
		return out
	}
	ga := "/dav/public/calendars/program-ga/"
	if strings.Contains(home(), ga) {
		t.Fatal("a collection for a program without meetings")
	}
	if resp, _ := do(t, "PROPFIND", ts.URL+ga, "", "Depth", "0"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unused program's collection: %d", resp.StatusCode)
	}
	m := series(9, "gamblers", "America/Chicago", meetings.Format12Step, meetings.LocalTime{Hour: 20}, time.Tuesday)
	m.Series.Program = "GA"
	src.entries = append(src.entries, m)
	src.bySlug["gamblers"] = len(src.entries) - 1
	src.modified = updated.Add(time.Minute)
	if out := home(); !strings.Contains(out, ga) || !strings.Contains(out, "GA meetings") {
		t.Fatalf("no collection for the program's first meeting:\n%s", out)
	}
	if _, body := do(t, http.MethodGet, ts.URL+ga, ""); !strings.Contains(body, "UID:") || strings.Count(body, "BEGIN:VEVENT") == 0 {
		t.Fatalf("the program's collection holds no event:\n%.300s", body)
	}
	src.entries = src.entries[:len(src.entries)-1]
	delete(src.bySlug, "gamblers")
	src.modified = updated.Add(2 * time.Minute)
	if strings.Contains(home(), ga) {
		t.Fatal("the collection stayed after the program's last meeting went")
	}
}
