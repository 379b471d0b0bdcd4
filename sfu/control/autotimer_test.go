package control

import (
	"testing"
	"time"
)

// TestAutoShareTimer (issue 15): with the room setting, a chair's (or
// co-chair's) ask-to-unmute starts the share timer for that member, with
// the usual warning a minute before the end; asked again during the same
// share it keeps running; asking another member starts theirs. Without the
// setting nothing starts; a setting past the limits is brought within them.
func TestAutoShareTimer(t *testing.T) {
	for _, tc := range []struct {
		name    string
		setting time.Duration
		steps   []struct{ by, target string }
		subject string        // whose timer runs at the end; "" none
		ends    time.Duration // after the start (the clock does not move)
	}{
		{"off", 0, []struct{ by, target string }{{"c", "m"}}, "", 0},
		{"chair asks", 3 * time.Minute, []struct{ by, target string }{{"c", "m"}}, "m", 3 * time.Minute},
		{"co-chair asks", 3 * time.Minute, []struct{ by, target string }{{"co", "t"}}, "t", 3 * time.Minute},
		{"asked twice", 5 * time.Minute, []struct{ by, target string }{{"c", "m"}, {"c", "m"}}, "m", 5 * time.Minute},
		{"next member", 5 * time.Minute, []struct{ by, target string }{{"c", "m"}, {"c", "t"}}, "t", 5 * time.Minute},
		{"past the limit", 3 * time.Hour, []struct{ by, target string }{{"c", "m"}}, "m", time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, clk := fixtureWith(t, Settings{ShareTimer: tc.setting})
			start := clk.Now()
			var last []Event
			for i, s := range tc.steps {
				if i > 0 {
					clk.Advance(30 * time.Second)
				}
				last = mustHandle(t, r, s.by, AskUnmute{Target: ParticipantID(s.target)})
			}
			timer := r.Timer()
			if tc.subject == "" {
				if !timer.Ends.IsZero() || hasEvent(last, KindTimer, "") {
					t.Fatalf("a timer started: %+v", timer)
				}
				return
			}
			if string(timer.Subject) != tc.subject || !timer.Ends.Equal(start.Add(tc.ends)) && tc.name != "next member" {
				t.Fatalf("timer %+v, want %s ending %v after the start", timer, tc.subject, tc.ends)
			}
			if tc.name == "next member" && !timer.Ends.Equal(clk.Now().Add(tc.ends)) {
				t.Fatalf("the next member's timer %+v does not start with its ask", timer)
			}
			if tc.name == "asked twice" && hasEvent(last, KindTimer, "m") {
				t.Fatal("asking again restarted the running timer")
			}
			if !timer.Warn.Equal(timer.Ends.Add(-time.Minute)) {
				t.Fatalf("warning at %v, want a minute before %v", timer.Warn, timer.Ends)
			}
			// Everyone hears of the timer as of one a chair started by hand.
			var told bool
			for _, e := range last {
				told = told || (e.Kind == KindTimer && e.To == toEveryone() && string(e.Subject) == tc.subject)
			}
			if !told && tc.name != "asked twice" {
				t.Fatalf("no timer event to everyone in %+v", last)
			}
		})
	}
}
