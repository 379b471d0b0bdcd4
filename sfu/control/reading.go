package control

import (
	"fmt"
	"slices"
	"time"
)

// Readings instead of screen sharing: a chair, or the one member a chair
// names as reader, opens one of the group's readings as text in everyone's
// room and moves through it paragraph by paragraph; everyone else follows.
// The texts come from the group's record (Settings.Readings), never from
// signaling, so nobody in the room can put words of their own in front of
// everyone; and only chairs and the named reader may open, move or close
// one. Secure takes the reader's role away.

// Reading is one of the group's readings as the room offers it.
type Reading struct {
	ID         string
	Title      string
	Paragraphs []string
}

// ReadingState is the reading open in the room: which one, and the
// paragraph the reader is at (0-based).
type ReadingState struct {
	Reading
	Paragraph int
}

// Reading-move pacing: a reader steps through paragraphs and scrolls, a
// few moves a second at most; more is refused so that nobody can flood
// everyone's queue with moves.
const (
	readingMoveBurst  = 10
	readingMoveRefill = 200 * time.Millisecond
)

// SetReader names the member who may show and move readings; an empty
// Target takes the role away. Chairs and co-chairs may always read.
type SetReader struct{ Target ParticipantID }

// ShowReading opens the group's reading ID for everyone, at its first
// paragraph (another open reading is replaced).
type ShowReading struct{ ID string }

// MoveReading moves the open reading to Paragraph (0-based).
type MoveReading struct{ Paragraph int }

// CloseReading closes the open reading for everyone.
type CloseReading struct{}

func (SetReader) Name() string     { return "set-reader" }
func (ShowReading) Name() string   { return "show-reading" }
func (MoveReading) Name() string   { return "move-reading" }
func (CloseReading) Name() string  { return "close-reading" }
func (SetReader) minRole() Role    { return RoleCoChair }
func (ShowReading) minRole() Role  { return RoleMember } // and canRead
func (MoveReading) minRole() Role  { return RoleMember } // and canRead
func (CloseReading) minRole() Role { return RoleMember } // and canRead

// canRead refuses a member who is not the named reader.
func (r *Room) canRead(p *participant, what string) error {
	if p.role >= RoleCoChair || (r.reader != "" && p.id == r.reader) {
		return nil
	}
	return fmt.Errorf("%s: %w", what, CodeNotReader)
}

func (c SetReader) apply(r *Room, from *participant) ([]Event, error) {
	if c.Target == "" {
		if r.reader == "" {
			return nil, fmt.Errorf("set reader: %w", CodeNoReader)
		}
		return []Event{r.setReader("", from.id)}, nil
	}
	p, err := r.admittedMember(c.Target)
	if err != nil {
		return nil, err
	}
	return []Event{r.setReader(p.id, from.id)}, nil
}

// setReader changes the named reader and announces it to everyone.
func (r *Room) setReader(id, by ParticipantID) Event {
	r.reader = id
	return Event{To: toEveryone(), Kind: KindReader, Subject: id, By: by}
}

// dropReader takes the reader's role from id, if it has it.
func (r *Room) dropReader(id, by ParticipantID) []Event {
	if r.reader == "" || r.reader != id {
		return nil
	}
	return []Event{r.setReader("", by)}
}

func (c ShowReading) apply(r *Room, from *participant) ([]Event, error) {
	if err := r.canRead(from, "show reading"); err != nil {
		return nil, err
	}
	i := slices.IndexFunc(r.settings.Readings, func(x Reading) bool { return x.ID == c.ID })
	if i < 0 || len(r.settings.Readings[i].Paragraphs) == 0 {
		return nil, fmt.Errorf("show reading %q: not one of the group's readings: %w", c.ID, CodeInvalid)
	}
	r.reading = &ReadingState{Reading: r.settings.Readings[i]}
	return []Event{{To: toEveryone(), Kind: KindReading, By: from.id, Reading: *r.reading}}, nil
}

func (c MoveReading) apply(r *Room, from *participant) ([]Event, error) {
	if err := r.canRead(from, "move reading"); err != nil {
		return nil, err
	}
	switch {
	case r.reading == nil:
		return nil, fmt.Errorf("move reading: %w", CodeNoReading)
	case c.Paragraph < 0 || c.Paragraph >= len(r.reading.Paragraphs):
		return nil, fmt.Errorf("move reading to %d of %d paragraphs: %w", c.Paragraph, len(r.reading.Paragraphs), CodeInvalid)
	case c.Paragraph == r.reading.Paragraph:
		return nil, nil
	case !from.readingMoves.take(r.clock.Now(), readingMoveBurst, readingMoveRefill):
		return nil, fmt.Errorf("move reading: %w", CodeRateLimited)
	}
	r.reading.Paragraph = c.Paragraph
	return []Event{{To: toEveryone(), Kind: KindReadingMoved, By: from.id,
		Reading: ReadingState{Reading: Reading{ID: r.reading.ID}, Paragraph: c.Paragraph}}}, nil
}

func (CloseReading) apply(r *Room, from *participant) ([]Event, error) {
	if err := r.canRead(from, "close reading"); err != nil {
		return nil, err
	}
	if r.reading == nil {
		return nil, fmt.Errorf("close reading: %w", CodeNoReading)
	}
	r.reading = nil
	return []Event{{To: toEveryone(), Kind: KindReading, By: from.id}}, nil
}

// OpenReading returns the reading open in the room, for a late joiner.
func (r *Room) OpenReading() (ReadingState, bool) {
	if r.reading == nil {
		return ReadingState{}, false
	}
	return *r.reading, true
}

// Reader returns the member named as reader, or "".
func (r *Room) Reader() ParticipantID { return r.reader }

// Readings returns the group's readings the room offers, in order.
func (r *Room) Readings() []Reading { return r.settings.Readings }
