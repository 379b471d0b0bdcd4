package ui

import (
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
	"github.com/hearth-recovery/hearth/ui/i18n"
)

// tzCookie remembers the viewer's timezone. It holds only an IANA zone name,
// which the browser reports anyway; it is not a session.
const tzCookie = "tz"

// viewer is who is looking: only their timezone and language, never who
// they are.
type viewer struct {
	// Lang is the page language (languageOf).
	Lang *i18n.Lang
	Zone string
	Loc  *time.Location
	// Known is false until the browser (or the picker) has told us the zone,
	// so the page can offer to detect it.
	Known bool
}

// viewerOf reads the zone from ?tz= (remembering it in a cookie), then the
// cookie, then the default. A bad name is ignored rather than an error: a
// stale cookie must never break the schedule.
func (h *Handler) viewerOf(w http.ResponseWriter, r *http.Request) viewer {
	v := h.zoneOf(w, r)
	v.Lang = h.languageOf(w, r, nil)
	return v
}

func (h *Handler) zoneOf(w http.ResponseWriter, r *http.Request) viewer {
	if q := r.URL.Query().Get("tz"); q != "" && len(q) <= 64 {
		if loc, err := meetings.LoadZone(q); err == nil {
			http.SetCookie(w, &http.Cookie{
				Name: tzCookie, Value: q, Path: "/", MaxAge: 400 * 24 * 3600,
				SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil,
			})
			return viewer{Zone: q, Loc: loc, Known: true}
		}
	}
	if c, err := r.Cookie(tzCookie); err == nil && len(c.Value) <= 64 {
		if loc, err := meetings.LoadZone(c.Value); err == nil {
			return viewer{Zone: c.Value, Loc: loc, Known: true}
		}
	}
	loc, err := meetings.LoadZone(h.cfg.DefaultZone)
	if err != nil {
		// DefaultZone was validated; only "UTC" can fail LoadZone's rules.
		loc = time.UTC
	}
	return viewer{Zone: h.cfg.DefaultZone, Loc: loc}
}

// commonZones are offered in the timezone picker (a datalist, so any other
// IANA name can still be typed).
func commonZones() []string {
	return []string{
		"Pacific/Honolulu", "America/Anchorage", "America/Los_Angeles", "America/Phoenix",
		"America/Denver", "America/Chicago", "America/New_York", "America/Halifax",
		"America/St_Johns", "America/Mexico_City", "America/Bogota", "America/Lima",
		"America/Sao_Paulo", "America/Argentina/Buenos_Aires", "America/Santiago",
		"Atlantic/Reykjavik", "Europe/London", "Europe/Dublin", "Europe/Lisbon",
		"Europe/Madrid", "Europe/Paris", "Europe/Berlin", "Europe/Rome", "Europe/Warsaw",
		"Europe/Athens", "Europe/Helsinki", "Europe/Istanbul", "Europe/Moscow",
		"Africa/Lagos", "Africa/Cairo", "Africa/Johannesburg", "Africa/Nairobi",
		"Asia/Dubai", "Asia/Karachi", "Asia/Kolkata", "Asia/Dhaka", "Asia/Bangkok",
		"Asia/Jakarta", "Asia/Manila", "Asia/Singapore", "Asia/Shanghai", "Asia/Tokyo",
		"Asia/Seoul", "Australia/Perth", "Australia/Adelaide", "Australia/Sydney",
		"Pacific/Auckland", "UTC",
	}
}

// staticHandler serves the embedded files without directory listings; the
// files change only with the binary, so browsers may cache them for a day.
func staticHandler(files fs.FS) http.Handler {
	fsrv := http.FileServerFS(files)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "" || strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		fsrv.ServeHTTP(w, r)
	})
}
