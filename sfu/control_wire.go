package sfu

import (
	"time"

	"github.com/hearth-recovery/hearth/sfu/control"
)

// permsJSON is control.Perms on the wire.
type permsJSON struct {
	Audio      bool `json:"audio"`
	Video      bool `json:"video"`
	Chat       bool `json:"chat"`
	Rename     bool `json:"rename"`
	SelfUnmute bool `json:"selfUnmute"`
	StartVideo bool `json:"startVideo"`
	React      bool `json:"react"`
}

type chatJSON struct {
	ID       uint64    `json:"id"`
	From     string    `json:"from"`
	Name     string    `json:"name"`
	Text     string    `json:"text"`
	At       time.Time `json:"at"`
	ToChairs bool      `json:"toChairs,omitempty"`
	To       string    `json:"to,omitempty"`
}

type waitingJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type roleJSON struct {
	ID    string `json:"id"`
	Role  string `json:"role"`
	Label string `json:"label,omitempty"`
}

func rolesOut(cs []control.ChairInfo) []roleJSON {
	out := make([]roleJSON, len(cs))
	for i, c := range cs {
		out[i] = roleJSON{ID: string(c.ID), Role: c.Role.String(), Label: c.Label}
	}
	return out
}

type timerJSON struct {
	Subject string    `json:"subject"`
	Ends    time.Time `json:"ends"`
}

// controlEventMsg is one control event as the client sees it: event is the
// control.Kind, the other fields as listed for it in PROTOCOL.md.
type controlEventMsg struct {
	Type    string `json:"type"`
	Event   string `json:"event"`
	Subject string `json:"subject,omitempty"`
	By      string `json:"by,omitempty"`
	Control string `json:"control,omitempty"`
	Value   *bool  `json:"value,omitempty"`
	Name    string `json:"name,omitempty"`
	Role    string `json:"role,omitempty"`
	// Label is a chair's service role ("Secretary"), never its key.
	Label    string        `json:"label,omitempty"`
	Perms    *permsJSON    `json:"perms,omitempty"`
	Reason   string        `json:"reason,omitempty"`
	Chat     *chatJSON     `json:"chat,omitempty"`
	ChatID   uint64        `json:"chatId,omitempty"`
	Waiting  []waitingJSON `json:"waiting,omitempty"`
	Hands    []string      `json:"hands,omitempty"`
	Timer    *timerJSON    `json:"timer,omitempty"`
	Count    int           `json:"count,omitempty"`
	Mode     string        `json:"mode,omitempty"`
	Reaction string        `json:"reaction,omitempty"`
	Until    *time.Time    `json:"until,omitempty"` // tradition: when the card comes down
	// Reading is the reading opened (reading: its text; null when closed)
	// or where it moved (reading-moved: id and paragraph only).
	Reading *readingJSON `json:"reading,omitempty"`
}

// readingJSON is a reading on the wire: its text when it opens, only its
// id and the reader's paragraph when it moves.
type readingJSON struct {
	ID         string   `json:"id"`
	Title      string   `json:"title,omitempty"`
	Paragraphs []string `json:"paragraphs,omitempty"`
	Paragraph  int      `json:"paragraph"`
}

// readingTitleJSON is one reading a chair or the reader may open.
type readingTitleJSON struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

type switchesJSON struct {
	Locked      bool   `json:"locked"`
	WaitingRoom bool   `json:"waitingRoom"`
	SelfUnmute  bool   `json:"selfUnmute"`
	StartVideo  bool   `json:"startVideo"`
	Chat        bool   `json:"chat"` // chatMode is not "off"
	ChatMode    string `json:"chatMode"`
	RenameLock  bool   `json:"renameLock"`
	Reactions   bool   `json:"reactions"`
	Secured     bool   `json:"secured"`
}

func switchesOut(s control.Switches) switchesJSON {
	return switchesJSON{Locked: s.Locked, WaitingRoom: s.WaitingRoom, SelfUnmute: s.SelfUnmute,
		StartVideo: s.StartVideo, Chat: s.ChatMode != control.ChatOff, ChatMode: string(s.ChatMode),
		RenameLock: s.RenameLock, Reactions: s.Reactions, Secured: s.Secured}
}

// stateMsg answers control-state.
type stateMsg struct {
	Type     string       `json:"type"`
	Event    string       `json:"event"`
	Role     string       `json:"role"`
	Perms    permsJSON    `json:"perms"`
	Switches switchesJSON `json:"switches"`
	Chairs   []string     `json:"chairs"`
	// Roles are the chairs and co-chairs with their service roles, so a
	// late arrival sees who chairs and as what.
	Roles []roleJSON `json:"roles"`
	Timer *timerJSON `json:"timer,omitempty"`
	// Tradition is when the 7th-Tradition card comes down, when it is up.
	Tradition *time.Time    `json:"tradition,omitempty"`
	Chat      []chatJSON    `json:"chat"`
	Waiting   []waitingJSON `json:"waiting,omitempty"`
	Hands     []string      `json:"hands,omitempty"`
	Guesses   int           `json:"guesses,omitempty"`
	// Reading is the reading open now, with its text and the reader's
	// paragraph; Reader the member named as reader; Readings the group's
	// readings that may be opened.
	Reading  *readingJSON       `json:"reading,omitempty"`
	Reader   string             `json:"reader,omitempty"`
	Readings []readingTitleJSON `json:"readings,omitempty"`
}

func eventMsg(ev control.Event) controlEventMsg {
	m := controlEventMsg{Type: MsgControl, Event: string(ev.Kind), Subject: string(ev.Subject), By: string(ev.By),
		Control: ev.Control, Name: ev.Name, Reason: string(ev.Reason), ChatID: ev.ChatID, Count: ev.Count,
		Mode: string(ev.Mode), Reaction: string(ev.Reaction)}
	switch ev.Kind {
	case control.KindAdmitted, control.KindPerms:
		p := permsOut(ev.Perms)
		m.Perms = &p
	case control.KindControl, control.KindHand:
		v := ev.Value
		m.Value = &v
	case control.KindChat:
		c := chatOut([]control.ChatMessage{ev.Chat})[0]
		m.Chat = &c
	case control.KindWaitingList:
		m.Waiting = waitingOut(ev.Waiting)
	case control.KindHands:
		m.Hands = idsOut(ev.Hands)
	case control.KindTimer, control.KindTimerWarning:
		m.Timer = timerOut(ev.Timer)
	case control.KindTradition:
		m.Until = untilOut(ev.Until)
	case control.KindReading, control.KindReadingMoved:
		m.Reading = readingOut(ev.Reading)
	}
	if ev.Kind == control.KindAdmitted || ev.Kind == control.KindRole || ev.Kind == control.KindJoined {
		m.Role, m.Label = ev.Role.String(), ev.Label
	}
	return m
}

func permsOut(p control.Perms) permsJSON {
	return permsJSON{Audio: p.Audio, Video: p.Video, Chat: p.Chat, Rename: p.Rename,
		SelfUnmute: p.SelfUnmute, StartVideo: p.StartVideo, React: p.React}
}

func chatOut(ms []control.ChatMessage) []chatJSON {
	out := make([]chatJSON, len(ms))
	for i, m := range ms {
		out[i] = chatJSON{ID: m.ID, From: string(m.From), Name: m.Name, Text: m.Text, At: m.At,
			ToChairs: m.ToChairs, To: string(m.To)}
	}
	return out
}

func waitingOut(ws []control.WaitingEntry) []waitingJSON {
	out := make([]waitingJSON, len(ws))
	for i, w := range ws {
		out[i] = waitingJSON{ID: string(w.ID), Name: w.Name}
	}
	return out
}

func idsOut(ids []control.ParticipantID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}

func timerOut(t control.TimerState) *timerJSON {
	if t.Ends.IsZero() {
		return nil
	}
	return &timerJSON{Subject: string(t.Subject), Ends: t.Ends}
}

// untilOut is an instant on the wire, or nothing for the zero time.
func untilOut(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// readingOut is a reading event's payload; nil when the reading closed.
func readingOut(st control.ReadingState) *readingJSON {
	if st.ID == "" {
		return nil
	}
	return &readingJSON{ID: st.ID, Title: st.Title, Paragraphs: st.Paragraphs, Paragraph: st.Paragraph}
}

func openReadingOut(st *control.Room) *readingJSON {
	open, ok := st.OpenReading()
	if !ok {
		return nil
	}
	return readingOut(open)
}

func readingTitlesOut(rs []control.Reading) []readingTitleJSON {
	out := make([]readingTitleJSON, len(rs))
	for i, r := range rs {
		out[i] = readingTitleJSON{ID: r.ID, Title: r.Title}
	}
	return out
}
