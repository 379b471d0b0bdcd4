package ui

import (
	"fmt"
	"net/http"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// joinData is what the join page and the room need to know about a meeting.
// It never holds a secret: the passcode and host key are typed by the member
// and sent only inside the signaling WebSocket.
type joinData struct {
	Slug, Name     string
	HasPasscode    bool
	WaitingRoom    bool
	MaxNameLength  int
	SignalPath     string
	MaxChatLength  int
	HasTradition   bool
	TraditionURL   string
	TraditionGroup string
	// Contributions are the group's 7th-Tradition links with their QR
	// codes: the card a chair shows in the room.
	Contributions []contributionView
	Phone         *phoneView
	// Next says when the meeting meets after the one under way, in the
	// member's language and zone: what the ended screen and an "ended"
	// refusal show. Empty when nothing is scheduled in the next weeks.
	Next string
}

func (h *Handler) join(w http.ResponseWriter, r *http.Request) {
	v := h.viewerOf(w, r)
	slug := r.PathValue("slug")
	if len(slug) > 100 {
		h.fail(w, r, v, meetings.ErrNotFound)
		return
	}
	m, err := h.cfg.Reader.Meeting(r.Context(), slug)
	if err != nil {
		h.fail(w, r, v, fmt.Errorf("join %q: %w", slug, err))
		return
	}
	s := m.Series
	v.Lang = h.languageOf(w, r, s.Languages)
	d := joinData{
		Slug: s.Slug, Name: s.Name, HasPasscode: s.Room.HasPasscode(), WaitingRoom: s.Room.WaitingRoom,
		MaxNameLength: maxDisplayName, SignalPath: h.cfg.SignalPath, MaxChatLength: maxChatText,
	}
	var groupPhone string
	if g := m.Group; g != nil {
		groupPhone = g.ConferencePhone
		if cs := contributions(v.Lang, g, true); len(cs) > 0 {
			d.HasTradition, d.TraditionURL, d.TraditionGroup, d.Contributions = true, cs[0].URL, g.Name, cs
		}
	}
	d.Phone = h.phoneFor(s, groupPhone)
	d.Next = h.nextMeets(&m, v)
	h.render(w, r, http.StatusOK, "join", page{Title: v.Lang.T("join.title", "Name", s.Name), Viewer: v, Data: d})
}

// nextMeets words the first occurrence that starts after now and is not
// cancelled, for a member who finds the meeting ended.
func (h *Handler) nextMeets(m *meetings.Meeting, v viewer) string {
	now := h.cfg.Now()
	for _, o := range h.upcoming(m, now, now.Add(62*24*time.Hour)) {
		if o.Start.After(now) && !o.Cancelled {
			return occurrenceOf(o, v, m.TimeZone, now).When
		}
	}
	return ""
}

// Limits the browser enforces before the server does (the server checks again).
const (
	maxDisplayName = 40
	maxChatText    = 500
)
