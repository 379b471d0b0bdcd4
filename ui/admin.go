package ui

import (
	"net/http"
	"time"
)

// adminData fills the admin form's pickers. The page itself holds no data:
// admin.js reads and writes through the JSON API with the bearer token, so
// nothing here is behind a cookie a cross-site form could ride on.
type adminData struct {
	Formats  []option
	Programs []option
	Types    []option
	Zones    []string
	Weekdays []string
}

func (h *Handler) admin(w http.ResponseWriter, r *http.Request) {
	v := h.viewerOf(w, r)
	l := v.Lang
	days := make([]string, 7)
	for i := range days {
		days[i] = l.Weekday(time.Weekday(i))
	}
	h.render(w, r, http.StatusOK, "admin", page{Title: l.T("admin.title"), Viewer: v, Data: adminData{
		Formats: formatOptions(l), Programs: programOptions(l), Types: typeOptions(l),
		Zones: commonZones(), Weekdays: days,
	}})
}
