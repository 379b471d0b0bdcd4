package ui

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// With dial-in on, the meeting and join pages show the number and the
// meeting's phone ID (never the PIN), with a tel: link that dials both; with
// it off, a group's own conference phone is shown instead.
func TestPhoneOnMeetingAndJoinPages(t *testing.T) {
	h, err := New(Config{Reader: sampleSchedule(), Feeds: fakeLinks, Static: os.DirFS("static"),
		DefaultZone: "America/New_York", Now: func() time.Time { return testNow }, DialIn: "+1 (555) 010-2030"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := meetings.PhoneID(1)
	for _, path := range []string{"/m/monday-night", "/m/monday-night/join", "/m/madrid-manana"} {
		body := get(t, h, path).Body.String()
		want, text := id, "meeting ID "+id+", then #"
		if path == "/m/madrid-manana" { // a Spanish meeting's page is in Spanish
			want = meetings.PhoneID(2)
			text = "ID de la reunión " + want + ", luego #"
		}
		mustContain(t, body, "&#43;1 (555) 010-2030", `href="tel:&#43;15550102030,,`+want+`#"`, text)
		mustNotContain(t, body, "ZgotmplZ")
	}
	r := sampleSchedule()
	g := r.groups["downtown"]
	g.ConferencePhone = "+44 20 7946 0000"
	r.groups["downtown"] = g
	off := newTestHandler(t, r)
	body := get(t, off, "/m/monday-night").Body.String()
	mustContain(t, body, `href="tel:&#43;442079460000"`, "&#43;44 20 7946 0000")
	mustNotContain(t, body, "meeting ID")
	if body := get(t, off, "/m/smart-evening").Body.String(); strings.Contains(body, "By phone") {
		t.Error("a meeting with no dial-in and no group phone shows a phone line")
	}
}
