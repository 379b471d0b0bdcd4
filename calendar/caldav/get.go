package caldav

import (
	"bytes"
	"net/http"
	"time"

	"github.com/hearth-recovery/hearth/calendar"
)

// serveGet answers GET and HEAD: an object, or a whole collection as one
// iCalendar document, with ETag and Last-Modified so that conditional
// requests get 304.
func (s *Server) serveGet(w http.ResponseWriter, r *http.Request, t target) {
	var body bytes.Buffer
	var etag string
	switch t.kind {
	case targetObject:
		m, ok, err := s.member(r.Context(), t.coll, t.slug)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if !ok {
			http.Error(w, "no such meeting in this calendar", http.StatusNotFound)
			return
		}
		cal, _, err := s.cfg.Feed.Object(&m.entry)
		if err == nil {
			err = calendar.Encode(&body, cal)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		etag = m.etag
		w.Header().Set("Last-Modified", m.entry.LastChange().UTC().Format(http.TimeFormat))
	case targetCollection:
		ms, err := s.members(r.Context(), t.coll)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		entries := make([]calendar.Entry, len(ms))
		for i := range ms {
			entries[i] = ms[i].entry
		}
		if err := s.cfg.Feed.Write(&body, "Hearth: "+t.coll.display, entries); err != nil {
			s.fail(w, r, err)
			return
		}
		etag = `"` + ctag(ms) + `"`
	default:
		http.Error(w, "use PROPFIND to list this collection", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("ETag", etag)
	http.ServeContent(w, r, "", lastModified(w), bytes.NewReader(body.Bytes()))
}

func lastModified(w http.ResponseWriter) time.Time {
	if v := w.Header().Get("Last-Modified"); v != "" {
		if p, err := http.ParseTime(v); err == nil {
			return p
		}
	}
	return time.Time{}
}
