package sfu

import (
	"net/http/httptest"
	"testing"
	"time"
)

// With a cookie domain the pages' cookie is set for the domain when the
// page was asked for under it, replacing a host-only one; a page asked for
// by another name (an address, an internal name) gets a host-only cookie,
// which the browser would otherwise drop.
func TestBrowserCookieDomain(t *testing.T) {
	b := newBrowserCookies([]byte("key"), time.Now)
	b.domain = "meet.example.org"
	for _, c := range []struct {
		host   string
		domain string
		n      int
	}{
		{"meet.example.org", "meet.example.org", 2},
		{"MEET.example.org:8443", "meet.example.org", 2},
		{"node1.meet.example.org", "meet.example.org", 2},
		{"127.0.0.1:8080", "", 1},
		{"evilmeet.example.org", "", 1},
	} {
		r := httptest.NewRequest("GET", "http://"+c.host+"/m/x/join", nil)
		w := httptest.NewRecorder()
		b.issue(w, r, "source "+c.host, true)
		got := w.Result().Cookies()
		if len(got) != c.n {
			t.Fatalf("%s: cookies %v", c.host, got)
		}
		last := got[len(got)-1]
		if last.Domain != c.domain || last.Value == "" || last.MaxAge <= 0 {
			t.Errorf("%s: cookie %v, want domain %q", c.host, last, c.domain)
		}
		if c.n == 2 && (got[0].Domain != "" || got[0].MaxAge >= 0) {
			t.Errorf("%s: the host-only cookie is not removed: %v", c.host, got[0])
		}
	}
}
