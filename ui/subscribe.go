package ui

import (
	"net/http"

	"github.com/hearth-recovery/hearth/meetings"
)

// feedRow is one subscribable set of meetings.
type feedRow struct {
	Label string
	Feeds Feeds
	Size  FeedSize
}

type subscribeData struct {
	All      feedRow
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
	links := h.cfg.Feeds(r, v.Lang.Tag)
	row := func(label string, f meetings.Filter) (feedRow, error) {
		size, err := links.FeedSize(r.Context(), f)
		return feedRow{Label: label, Feeds: links.FilterFeeds(f), Size: size}, err
	}
	var d subscribeData
	if d.All, err = row("", meetings.Filter{}); err != nil {
		h.fail(w, r, v, err)
		return
	}
	// Only formats and programs that have meetings get a row, so nobody
	// subscribes to a feed that is empty by construction.
	usedFormat := map[meetings.Format]bool{}
	for _, s := range all {
		usedFormat[s.Format] = true
	}
	for _, f := range meetings.Formats() {
		if usedFormat[f] {
			fr, err := row(formatLabel(v.Lang, f), meetings.Filter{Format: f})
			if err != nil {
				h.fail(w, r, v, err)
				return
			}
			d.Formats = append(d.Formats, fr)
		}
	}
	programs, err := h.cfg.Reader.Programs(r.Context())
	if err != nil {
		h.fail(w, r, v, err)
		return
	}
	for _, p := range meetings.ProgramsInUse(programs, all) {
		fr, err := row(programLabel(v.Lang, &p), meetings.Filter{Program: p.Key})
		if err != nil {
			h.fail(w, r, v, err)
			return
		}
		d.Programs = append(d.Programs, fr)
	}
	h.render(w, r, http.StatusOK, "subscribe", page{Title: v.Lang.T("sub.title"), Viewer: v, Data: d})
}
