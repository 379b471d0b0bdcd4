package ui

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// adminData fills the admin form's pickers. The page itself holds no data:
// admin.js reads and writes through the JSON API with the bearer token, so
// nothing here is behind a cookie a cross-site form could ride on.
type adminData struct {
	Formats []option
	// Programs are offered for new meetings; ProgramNames labels every
	// program, retired ones too, in the page language.
	Programs     []option
	ProgramNames []option
	Types        []option
	Zones        []string
	Weekdays     []string
	// View is which admin page this is: "home" (the meetings and the
	// groups), "new" (the form for a new meeting) or "meeting" (one
	// meeting: its details, exceptions, host key and deletion), so that no
	// page is a phone's arm long (issue 12, point 7).
	View string
	// Slug and Name are the meeting of a "meeting" page: its name is
	// public, as on its own page.
	Slug, Name string
}

func (h *Handler) admin(w http.ResponseWriter, r *http.Request) {
	h.adminPage(w, r, adminData{View: "home"}, "")
}

func (h *Handler) adminNew(w http.ResponseWriter, r *http.Request) {
	v := h.viewerOf(w, r)
	h.adminPage(w, r, adminData{View: "new"}, v.Lang.T("admin.newMeeting"))
}

func (h *Handler) adminMeeting(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	if len(slug) > 100 {
		h.fail(w, r, h.viewerOf(w, r), meetings.ErrNotFound)
		return
	}
	m, err := h.cfg.Reader.Meeting(r.Context(), slug)
	if err != nil {
		h.fail(w, r, h.viewerOf(w, r), fmt.Errorf("admin %q: %w", slug, err))
		return
	}
	h.adminPage(w, r, adminData{View: "meeting", Slug: m.Slug, Name: m.Name}, m.Name)
}

// adminPage renders one admin page; title names what it shows, "" for the
// home page.
func (h *Handler) adminPage(w http.ResponseWriter, r *http.Request, d adminData, title string) {
	v := h.viewerOf(w, r)
	l := v.Lang
	programs, err := h.cfg.Reader.Programs(r.Context())
	if err != nil {
		h.fail(w, r, v, err)
		return
	}
	// Retired programs are not offered for new meetings; admin.js adds one
	// back to the picker of a meeting that has it, and adds new programs.
	offered := slices.DeleteFunc(slices.Clone(programs), func(p meetings.ProgramInfo) bool { return p.Retired })
	d.Programs, d.ProgramNames = programOptions(l, offered), programOptions(l, programs)
	d.Weekdays = make([]string, 7)
	for i := range d.Weekdays {
		d.Weekdays[i] = l.Weekday(time.Weekday(i))
	}
	d.Formats, d.Types, d.Zones = formatOptions(l), typeOptions(l, func(string) bool { return true }), commonZones()
	full := l.T("admin.title")
	if title != "" {
		full = l.T("admin.pageTitle", "Name", title)
	}
	h.render(w, r, http.StatusOK, "admin", page{Title: full, Viewer: v, Data: d})
}
