package control

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

var testReadings = []Reading{
	{ID: "1", Title: "Preamble", Paragraphs: []string{"One.", "Two.", "Three."}},
	{ID: "2", Title: "How it works", Paragraphs: []string{"Only."}},
}

// readingFixture is fixture with the group's readings: chair "c", co-chair
// "co", members "m" and "t".
func readingFixture(t *testing.T) (*Room, *manualClock) {
	t.Helper()
	return fixtureWith(t, Settings{Readings: testReadings})
}

// TestReadings: who may name the reader and show, move and close a
// reading, and what everyone is told. A member who is not the reader is
// refused (not-reader) whatever it sends; a refusal changes nothing.
func TestReadings(t *testing.T) {
	tests := []struct {
		name   string
		reader string // named before the command ("" none)
		open   bool   // reading 1 is open at paragraph 1 before the command
		from   string
		cmd    Command
		err    Code
		kind   Kind // the one event to everyone when accepted
	}{
		{"chair shows", "", false, "c", ShowReading{ID: "1"}, "", KindReading},
		{"co-chair shows", "", false, "co", ShowReading{ID: "2"}, "", KindReading},
		{"chair shows another over one", "", true, "c", ShowReading{ID: "2"}, "", KindReading},
		{"member shows", "", false, "m", ShowReading{ID: "1"}, CodeNotReader, ""},
		{"member shows while another reads", "t", false, "m", ShowReading{ID: "1"}, CodeNotReader, ""},
		{"named reader shows", "t", false, "t", ShowReading{ID: "1"}, "", KindReading},
		{"unknown reading", "", false, "c", ShowReading{ID: "9"}, CodeInvalid, ""},
		{"no id", "", false, "c", ShowReading{}, CodeInvalid, ""},
		{"member moves (forged)", "", true, "m", MoveReading{Paragraph: 2}, CodeNotReader, ""},
		{"member moves while another reads", "t", true, "m", MoveReading{Paragraph: 2}, CodeNotReader, ""},
		{"named reader moves", "t", true, "t", MoveReading{Paragraph: 2}, "", KindReadingMoved},
		{"chair moves back", "t", true, "c", MoveReading{Paragraph: 0}, "", KindReadingMoved},
		{"co-chair moves", "", true, "co", MoveReading{Paragraph: 2}, "", KindReadingMoved},
		{"past the end", "", true, "c", MoveReading{Paragraph: 3}, CodeInvalid, ""},
		{"negative", "", true, "c", MoveReading{Paragraph: -1}, CodeInvalid, ""},
		{"move with none open", "", false, "c", MoveReading{Paragraph: 1}, CodeNoReading, ""},
		{"member closes", "", true, "m", CloseReading{}, CodeNotReader, ""},
		{"named reader closes", "t", true, "t", CloseReading{}, "", KindReading},
		{"chair closes", "t", true, "c", CloseReading{}, "", KindReading},
		{"close with none open", "", false, "c", CloseReading{}, CodeNoReading, ""},
		{"chair names reader", "", false, "c", SetReader{Target: "t"}, "", KindReader},
		{"co-chair names reader", "", false, "co", SetReader{Target: "t"}, "", KindReader},
		{"chair names another reader", "t", false, "c", SetReader{Target: "m"}, "", KindReader},
		{"chair revokes reader", "t", true, "c", SetReader{}, "", KindReader},
		{"member names itself reader", "", false, "m", SetReader{Target: "m"}, CodeNotChair, ""},
		{"reader names another", "t", false, "t", SetReader{Target: "m"}, CodeNotChair, ""},
		{"reader revokes itself", "t", false, "t", SetReader{}, CodeNotChair, ""},
		{"chair as reader", "", false, "c", SetReader{Target: "co"}, CodeTargetIsChair, ""},
		{"unknown reader", "", false, "c", SetReader{Target: "x"}, CodeUnknownParticipant, ""},
		{"revoke with none", "", false, "c", SetReader{}, CodeNoReader, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := readingFixture(t)
			if tt.reader != "" {
				mustHandle(t, r, "c", SetReader{Target: ParticipantID(tt.reader)})
			}
			if tt.open {
				mustHandle(t, r, "c", ShowReading{ID: "1"})
				mustHandle(t, r, "c", MoveReading{Paragraph: 1})
			}
			before := snapshot(r)
			evs, err := r.Handle(ParticipantID(tt.from), tt.cmd)
			if tt.err != "" {
				if !errors.Is(err, tt.err) || evs != nil {
					t.Fatalf("got %v, %v; want %s", evs, err, tt.err)
				}
				if snapshot(r) != before {
					t.Fatal("refused command changed state")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 1 || evs[0].Kind != tt.kind || evs[0].To != toEveryone() || evs[0].By != ParticipantID(tt.from) {
				t.Fatalf("events %+v, want one %s to everyone by %s", evs, tt.kind, tt.from)
			}
			st, open := r.OpenReading()
			switch c := tt.cmd.(type) {
			case ShowReading:
				if !open || st.ID != c.ID || st.Paragraph != 0 || evs[0].Reading.Title != st.Title || len(evs[0].Reading.Paragraphs) == 0 {
					t.Fatalf("open %v %+v, event %+v", open, st, evs[0])
				}
			case MoveReading:
				if !open || st.Paragraph != c.Paragraph || evs[0].Reading.Paragraph != c.Paragraph || evs[0].Reading.ID != "1" {
					t.Fatalf("open %v %+v, event %+v", open, st, evs[0])
				}
			case CloseReading:
				if open || evs[0].Reading.ID != "" {
					t.Fatalf("still open %+v, event %+v", st, evs[0])
				}
			case SetReader:
				if r.Reader() != c.Target || evs[0].Subject != c.Target {
					t.Fatalf("reader %q, event %+v", r.Reader(), evs[0])
				}
			}
		})
	}
}

// TestReaderTakenAway: a reader whose role a chair took away, or who was
// named before Secure, is refused like any member; Undo does not give it
// back; a reader who leaves or is removed is no longer the reader.
func TestReaderTakenAway(t *testing.T) {
	r, _ := readingFixture(t)
	mustHandle(t, r, "c", SetReader{Target: "t"})
	mustHandle(t, r, "t", ShowReading{ID: "1"})
	mustHandle(t, r, "t", MoveReading{Paragraph: 1})
	mustHandle(t, r, "c", SetReader{})
	if _, err := r.Handle("t", MoveReading{Paragraph: 2}); !errors.Is(err, CodeNotReader) {
		t.Fatalf("revoked reader moved: %v", err)
	}

	mustHandle(t, r, "c", SetReader{Target: "t"})
	evs := mustHandle(t, r, "co", Secure{})
	if !hasEvent(evs, KindReader, "") || r.Reader() != "" {
		t.Fatalf("Secure kept the reader %q: %+v", r.Reader(), evs)
	}
	if _, err := r.Handle("t", MoveReading{Paragraph: 2}); !errors.Is(err, CodeNotReader) {
		t.Fatalf("reader moved after Secure: %v", err)
	}
	mustHandle(t, r, "co", UndoSecure{})
	if _, err := r.Handle("t", CloseReading{}); !errors.Is(err, CodeNotReader) || r.Reader() != "" {
		t.Fatalf("Undo gave the reader back: %v", err)
	}
	// The reading the reader opened stays: its text is the group's own.
	if st, open := r.OpenReading(); !open || st.Paragraph != 1 {
		t.Fatalf("reading after Secure %v %+v", open, st)
	}

	mustHandle(t, r, "c", SetReader{Target: "t"})
	if evs := r.Leave("t"); !hasEvent(evs, KindReader, "") || r.Reader() != "" {
		t.Fatalf("reader left, still reader %q: %+v", r.Reader(), evs)
	}
	mustHandle(t, r, "c", SetReader{Target: "m"})
	if evs := mustHandle(t, r, "c", Remove{Target: "m"}); !hasEvent(evs, KindReader, "") || r.Reader() != "" {
		t.Fatalf("removed reader still reader %q: %+v", r.Reader(), evs)
	}
	// A Secure with no reader says nothing about readers.
	if evs := mustHandle(t, r, "c", Secure{}); hasEvent(evs, KindReader, "") {
		t.Fatalf("Secure without a reader: %+v", evs)
	}
}

// TestReadingMovePacing: a reader's moves are paced (a burst, then a few a
// second); a refused move changes nothing, and time brings moves back.
func TestReadingMovePacing(t *testing.T) {
	r, clk := readingFixture(t)
	long := Reading{ID: "long", Title: "Long", Paragraphs: make([]string, 40)}
	for i := range long.Paragraphs {
		long.Paragraphs[i] = "p"
	}
	r.settings.Readings = append(r.settings.Readings, long)
	mustHandle(t, r, "c", SetReader{Target: "t"})
	mustHandle(t, r, "t", ShowReading{ID: "long"})
	for i := 1; i <= readingMoveBurst; i++ {
		mustHandle(t, r, "t", MoveReading{Paragraph: i})
	}
	before := snapshot(r)
	if _, err := r.Handle("t", MoveReading{Paragraph: readingMoveBurst + 1}); !errors.Is(err, CodeRateLimited) || snapshot(r) != before {
		t.Fatalf("move past the burst: %v", err)
	}
	// Another's moves are paced on their own: the chair still moves.
	mustHandle(t, r, "c", MoveReading{Paragraph: 0})
	clk.Advance(readingMoveRefill)
	mustHandle(t, r, "t", MoveReading{Paragraph: 5})
	// The same paragraph again is no move and costs nothing.
	if evs := mustHandle(t, r, "t", MoveReading{Paragraph: 5}); evs != nil {
		t.Fatalf("move to the same paragraph: %+v", evs)
	}
	if _, err := r.Handle("t", MoveReading{Paragraph: 6}); !errors.Is(err, CodeRateLimited) {
		t.Fatalf("bucket refilled more than one: %v", err)
	}
	clk.Advance(time.Second)
	mustHandle(t, r, "t", MoveReading{Paragraph: 6})
}

// TestRaidReadings: raiders spamming reading commands move nothing; one
// raider the chair named reader by mistake moves the reading until Secure,
// and nothing after it. A refused command returns no event, so no member
// hears of it.
func TestRaidReadings(t *testing.T) {
	r, _ := newTestRoom(t, Settings{Readings: testReadings, MaxParticipants: 50})
	join(t, r, "c", GrantHostKey)
	var raiders []ParticipantID
	for i := range 30 {
		id := ParticipantID(fmt.Sprint("raider", i))
		join(t, r, string(id), GrantNone)
		raiders = append(raiders, id)
	}
	mustHandle(t, r, "c", ShowReading{ID: "1"})
	mustHandle(t, r, "c", SetReader{Target: raiders[0]})
	spam := []Command{ShowReading{ID: "2"}, MoveReading{Paragraph: 2}, CloseReading{}, SetReader{Target: raiders[1]}}
	for _, id := range raiders[1:] {
		for _, c := range spam {
			if evs, err := r.Handle(id, c); err == nil || evs != nil {
				t.Fatalf("raider %s %s: %v %+v", id, c.Name(), err, evs)
			}
		}
	}
	if st, _ := r.OpenReading(); st.ID != "1" || st.Paragraph != 0 {
		t.Fatalf("raiders changed the reading: %+v", st)
	}
	mustHandle(t, r, string(raiders[0]), MoveReading{Paragraph: 2})
	mustHandle(t, r, "c", Secure{})
	for _, c := range spam {
		if evs, err := r.Handle(raiders[0], c); err == nil || evs != nil {
			t.Fatalf("named raider %s after Secure: %v %+v", c.Name(), err, evs)
		}
	}
	if st, _ := r.OpenReading(); st.ID != "1" || st.Paragraph != 2 || r.Reader() != "" {
		t.Fatalf("after Secure: reading %+v reader %q", st, r.Reader())
	}
}
