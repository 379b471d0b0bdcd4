package caldav

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// BenchmarkCalendarQueryMonth10k runs one calendar-query with a one-month
// time range over a collection of 10,000 weekly series in six zones, one in
// ten with a cancellation, asking for ETags (what sync clients ask).
func BenchmarkCalendarQueryMonth10k(b *testing.B) {
	benchReport(b, "REPORT", strings.Replace(strings.Replace(strings.Replace(calQuery, "%s", "", 1),
		"%s", "20260301T000000Z", 1), "%s", "20260401T000000Z", 1))
}

// BenchmarkPropfindDepth1_10k lists the ETags of a 10,000-series collection,
// what vdirsyncer and DAVx5 do on every sync.
func BenchmarkPropfindDepth1_10k(b *testing.B) {
	benchReport(b, "PROPFIND", `<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>`)
}

// BenchmarkMultiget100_10k fetches 100 objects with their data by href from
// a 10,000-series collection, what vdirsyncer and DAVx5 do after a PROPFIND.
func BenchmarkMultiget100_10k(b *testing.B) {
	var body strings.Builder
	body.WriteString(`<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>`)
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&body, "<d:href>/dav/public/calendars/all/m-%05d.ics</d:href>", i*97)
	}
	body.WriteString(`</c:calendar-multiget>`)
	benchReport(b, "REPORT", body.String())
}

// BenchmarkMultiget100Cold_10k is the multiget above with objects not
// rendered before: each iteration asks for 100 others (run it at most 100
// times: -benchtime 100x).
func BenchmarkMultiget100Cold_10k(b *testing.B) {
	ts := benchServer(b)
	client := ts.Client()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		var body strings.Builder
		body.WriteString(`<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>`)
		for j := 0; j < 100; j++ {
			fmt.Fprintf(&body, "<d:href>/dav/public/calendars/all/m-%05d.ics</d:href>", (i*100+j)%10000)
		}
		body.WriteString(`</c:calendar-multiget>`)
		i++
		send(b, client, ts.URL, "REPORT", body.String())
	}
}

// benchReport sends one request, over and over, to a server holding 10,000
// weekly series in six zones, one in ten with a cancellation.
func benchReport(b *testing.B, method, body string) {
	ts := benchServer(b)
	client := ts.Client()
	b.ReportAllocs()
	for b.Loop() {
		send(b, client, ts.URL, method, body)
	}
}

func send(b *testing.B, client *http.Client, base, method, body string) {
	req, _ := http.NewRequest(method, base+"/dav/public/calendars/all/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/xml")
	req.Header.Set("Depth", "1")
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusMultiStatus {
		b.Fatalf("status %d", resp.StatusCode)
	}
}

// benchServer holds 10,000 weekly series in six zones, one in ten with a
// cancellation.
func benchServer(b *testing.B) *httptest.Server {
	zones := []string{"America/New_York", "America/Chicago", "Europe/London", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata"}
	entries := make([]meetings.Meeting, 10000)
	for i := range entries {
		e := series(int64(i+1), fmt.Sprintf("m-%05d", i), zones[i%len(zones)], meetings.Format12Step,
			meetings.LocalTime{Hour: 6 + i%16, Minute: 15 * (i % 4)}, time.Weekday(i%7))
		if i%10 == 0 {
			e.Exceptions = []meetings.Exception{{Date: date(2026, 3, 2+i%7), Kind: meetings.Cancelled, Updated: updated}}
		}
		entries[i] = e
	}
	return newServer(b, entries)
}
