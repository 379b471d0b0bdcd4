package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The Monday 19:00 Los Angeles meeting on 2 March 2026 (PST) runs
// 03:00-04:00Z on 3 March.
var mondayStart = time.Date(2026, 3, 3, 3, 0, 0, 0, time.UTC)

func (h *harness) nowList(query string) NowList {
	h.t.Helper()
	var out NowList
	if err := json.Unmarshal(h.mustStatus(200, "GET", "/api/now?"+query, nil), &out); err != nil {
		h.t.Fatal(err)
	}
	return out
}

func TestNowWindowEdges(t *testing.T) {
	h := newHarness(t)
	h.seed(meeting("m"))
	for _, tc := range []struct {
		name             string
		at               time.Time
		inProgress, soon int
	}{
		{"exactly 60 min before (window is half-open)", mondayStart.Add(-60 * time.Minute), 0, 0},
		{"59 min before", mondayStart.Add(-59 * time.Minute), 0, 1},
		{"one second before", mondayStart.Add(-time.Second), 0, 1},
		{"at the start", mondayStart, 1, 0},
		{"last minute", mondayStart.Add(59 * time.Minute), 1, 0},
		{"at the end", mondayStart.Add(time.Hour), 0, 0},
	} {
		h.setNow(tc.at)
		got := h.nowList("tz=UTC")
		if len(got.InProgress) != tc.inProgress || len(got.StartingSoon) != tc.soon {
			t.Errorf("%s: %d in progress, %d soon; want %d, %d", tc.name, len(got.InProgress), len(got.StartingSoon), tc.inProgress, tc.soon)
		}
	}
	h.setNow(mondayStart.Add(-90 * time.Minute))
	if got := h.nowList("within=120"); len(got.StartingSoon) != 1 {
		t.Errorf("within=120 at 90 min before: %d soon", len(got.StartingSoon))
	}
	// A cancelled occurrence is listed as starting soon, marked; it is never in progress.
	h.mustStatus(200, "PUT", "/api/meetings/m/exceptions/2026-03-02", ExceptionInput{Kind: "cancelled", Reason: "Holiday"})
	h.setNow(mondayStart.Add(-30 * time.Minute))
	if got := h.nowList(""); len(got.StartingSoon) != 1 || !got.StartingSoon[0].Cancelled || got.StartingSoon[0].Reason != "Holiday" {
		t.Errorf("cancelled occurrence: %+v", got.StartingSoon)
	}
	h.setNow(mondayStart.Add(10 * time.Minute))
	if got := h.nowList(""); len(got.InProgress) != 0 {
		t.Errorf("cancelled occurrence in progress: %+v", got.InProgress)
	}
}

func TestOccurrencesBothClocks(t *testing.T) {
	h := newHarness(t)
	h.seed(meeting("m"))
	h.mustStatus(200, "PUT", "/api/meetings/m/exceptions/2026-03-04", ExceptionInput{Kind: "cancelled", Reason: "Holiday"})
	var out OccurrenceList
	json.Unmarshal(h.mustStatus(200, "GET", "/api/occurrences?tz=Europe/Berlin&from=2026-03-02T00:00:00Z&to=2026-03-06T00:00:00Z", nil), &out)
	if out.Total != 2 {
		t.Fatalf("occurrences: %+v", out)
	}
	mon, wed := out.Occurrences[0], out.Occurrences[1]
	if mon.Viewer != (Clock{"2026-03-03", "Tuesday", "04:00", "Europe/Berlin"}) ||
		mon.Local != (Clock{"2026-03-02", "Monday", "19:00", "America/Los_Angeles"}) ||
		mon.Start != "2026-03-03T04:00:00+01:00" || mon.End != "2026-03-03T05:00:00+01:00" {
		t.Errorf("Monday occurrence: %+v", mon)
	}
	if !wed.Cancelled || wed.Reason != "Holiday" || wed.Date != "2026-03-04" {
		t.Errorf("cancelled Wednesday is hidden or unmarked: %+v", wed)
	}
	// After DST starts in Los Angeles (8 March) the local time stays 19:00.
	json.Unmarshal(h.mustStatus(200, "GET", "/api/occurrences?tz=UTC&from=2026-03-09T00:00:00Z&to=2026-03-10T12:00:00Z", nil), &out)
	if out.Total != 1 || out.Occurrences[0].Viewer.Time != "02:00" || out.Occurrences[0].Local.Time != "19:00" {
		t.Errorf("after DST: %+v", out.Occurrences)
	}
}

func TestListFiltersAndPaging(t *testing.T) {
	h := newHarness(t)
	london := meeting("london")
	london.Name, london.Timezone, london.Time, london.Program = "Thames Step Study", "Europe/London", "18:30", "NA"
	london.Languages, london.Types, london.Recurrence.Weekdays = []string{"en", "es"}, []string{"ST", "C"}, []int{5}
	h.seed(meeting("la"), london, meeting("la-2"))
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{"la", "la-2", "london"}},
		{"program=NA", []string{"london"}},
		{"type=ST", []string{"london"}},
		{"language=es", []string{"london"}},
		{"timezone=America/Los_Angeles", []string{"la", "la-2"}},
		{"day=5", []string{"london"}},
		{"day=1", []string{"la", "la-2"}},
		{"q=thames", []string{"london"}},
		{"format=smart", nil},
		{"limit=1&offset=1", []string{"la-2"}},
		// Monday 2 March at 18:00Z: London's Friday 18:30 is 18:30Z, LA's 19:00 PST is 03:00Z.
		{"tz=UTC&after=18:00&before=21:00", []string{"london"}},
		{"tz=UTC&after=22:00&before=04:00", []string{"la", "la-2"}},
		{"tz=Asia/Kolkata&after=23:30&before=23:59", nil}, // London's 18:30Z is 00:00 IST: just outside
	} {
		var out MeetingList
		json.Unmarshal(h.mustStatus(200, "GET", "/api/meetings?"+tc.query, nil), &out)
		var got []string
		for _, m := range out.Meetings {
			got = append(got, m.Slug)
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%q: got %v, want %v", tc.query, got, tc.want)
		}
	}
	var out MeetingList
	json.Unmarshal(h.mustStatus(200, "GET", "/api/meetings?limit=2", nil), &out)
	if out.Total != 3 || len(out.Meetings) != 2 {
		t.Errorf("paging: total %d, %d returned", out.Total, len(out.Meetings))
	}
}

func TestOpenAPIAndDocs(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{"/openapi.json", "/openapi.yaml", "/docs"} {
		resp, body := h.do("GET", path, "", nil)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
		if path == "/openapi.json" && (!strings.Contains(string(body), `"openapi":"3.1`) || !strings.Contains(string(body), "bearer")) {
			t.Errorf("openapi.json is not 3.1 with bearer security: %.200s", body)
		}
	}
}
