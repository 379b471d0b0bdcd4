package main

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/hearth-recovery/hearth/meetings"
	"github.com/hearth-recovery/hearth/sfu"
)

// The pages are mounted and every calendar link they print is served.
func TestUIPagesLinkServedFeeds(t *testing.T) {
	srv := testApp(t, true)
	code, home := get(t, srv.URL+"/?program=SMART%20Recovery")
	if code != 200 || !strings.Contains(home, `title="Meetings Feed"`) || !strings.Contains(home, "/m/") {
		t.Fatalf("home: %d %.300s", code, home)
	}
	code, sub := get(t, srv.URL+"/subscribe")
	if code != 200 || !strings.Contains(sub, srv.URL+"/dav/public/calendars/program-smart-recovery/") {
		t.Fatalf("subscribe: %d", code)
	}
	feeds := regexp.MustCompile(`href="(`+regexp.QuoteMeta(srv.URL)+`/calendar/[^"]+)"`).FindAllStringSubmatch(sub, -1)
	if len(feeds) < 3 {
		t.Fatalf("only %d feed links on /subscribe", len(feeds))
	}
	for _, m := range feeds {
		link := html.UnescapeString(m[1])
		if code, body := get(t, link); code != 200 || !strings.HasPrefix(body, "BEGIN:VCALENDAR") {
			t.Errorf("%s: %d", link, code)
		}
	}
	slug := regexp.MustCompile(`href="/m/([a-z0-9-]+)"`).FindStringSubmatch(home)[1]
	code, page := get(t, srv.URL+"/m/"+slug)
	if code != 200 || !strings.Contains(page, `href="/m/`+slug+`/join"`) ||
		!strings.Contains(page, "webcal://"+strings.TrimPrefix(srv.URL, "http://")+"/calendar/meeting/"+slug+".ics") {
		t.Fatalf("meeting page: %d", code)
	}
	if code, _ := get(t, srv.URL+"/m/"+slug+"/join"); code != 200 {
		t.Errorf("join page: %d", code)
	}
	// The join page gives the browser its id cookie before the room opens
	// the signaling socket (its own turn at verifying a secret).
	resp, err := http.Get(srv.URL + "/m/" + slug + "/join")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if ck := resp.Cookies(); len(ck) != 1 || ck[0].Name != sfu.BrowserCookie || !ck[0].HttpOnly {
		t.Errorf("join page cookies %v", ck)
	}
	for _, p := range []string{"/admin/", "/static/css/hearth.css", "/static/js/room.js", "/static/js/rtc.js"} {
		if code, _ := get(t, srv.URL+p); code != 200 {
			t.Errorf("%s: %d", p, code)
		}
	}
}

func TestCaldavCollection(t *testing.T) {
	base := "https://meet.example.org"
	for _, tc := range []struct {
		f    meetings.Filter
		want string
	}{
		{meetings.Filter{}, base + "/dav/public/calendars/all/"},
		{meetings.Filter{Format: meetings.FormatSMART}, base + "/dav/public/calendars/format-smart/"},
		{meetings.Filter{Program: "Al-Anon"}, base + "/dav/public/calendars/program-al-anon/"},
		{meetings.Filter{Program: "AA", Type: "W"}, ""},
		{meetings.Filter{Program: "AA", Format: meetings.Format12Step}, ""},
	} {
		if got := caldavCollection(base, tc.f); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.f, got, tc.want)
		}
	}
}
