package ui

import (
	"net/http"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// adminData fills the admin form's pickers. The page itself holds no data:
// admin.js reads and writes through the JSON API with the bearer token, so
// nothing here is behind a cookie a cross-site form could ride on.
type adminData struct {
	Formats  []meetings.Format
	Programs []meetings.Program
	Types    []meetings.TypeCode
	Zones    []string
	Weekdays []string
}

func (h *Handler) admin(w http.ResponseWriter, r *http.Request) {
	v := h.viewerOf(w, r)
	days := make([]string, 7)
	for i := range days {
		days[i] = time.Weekday(i).String()
	}
	h.render(w, r, http.StatusOK, "admin", page{Title: "Administration", Viewer: v, Data: adminData{
		Formats: meetings.Formats(), Programs: meetings.Programs(), Types: meetings.TypeCodes(),
		Zones: commonZones(), Weekdays: days,
	}})
}
