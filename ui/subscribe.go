package ui

import (
	"net/http"

	"github.com/hearth-recovery/hearth/meetings"
)

// feedRow is one subscribable set of meetings.
type feedRow struct {
	Label string
	Feeds Feeds
}

type subscribeData struct {
	All      Feeds
	Formats  []feedRow
	Programs []feedRow
}

func (h *Handler) subscribe(w http.ResponseWriter, r *http.Request) {
	v := h.viewerOf(w, r)
	all, err := h.cfg.Reader.ListMeetings(r.Context(), meetings.Filter{})
	if err != nil {
		h.fail(w, r, v, err)
		return
	}
	links := h.cfg.Feeds(r)
	d := subscribeData{All: links.FilterFeeds(meetings.Filter{})}
	// Only formats and programs that have meetings get a row, so nobody
	// subscribes to a feed that is empty by construction.
	usedFormat := map[meetings.Format]bool{}
	usedProgram := map[meetings.Program]bool{}
	for _, s := range all {
		usedFormat[s.Format], usedProgram[s.Program] = true, true
	}
	for _, f := range meetings.Formats() {
		if usedFormat[f] {
			d.Formats = append(d.Formats, feedRow{string(f), links.FilterFeeds(meetings.Filter{Format: f})})
		}
	}
	for _, p := range meetings.Programs() {
		if usedProgram[p] {
			d.Programs = append(d.Programs, feedRow{string(p), links.FilterFeeds(meetings.Filter{Program: p})})
		}
	}
	h.render(w, r, http.StatusOK, "subscribe", page{Title: "Subscribe", Viewer: v, Data: d})
}
