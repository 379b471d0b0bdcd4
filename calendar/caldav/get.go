package caldav

import (
	"bytes"
	"context"
	"net/http"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// serveGet answers GET and HEAD: an object, or a whole collection as one
// iCalendar document, with ETag and Last-Modified so that conditional
// requests get 304.
func (s *Server) serveGet(w http.ResponseWriter, r *http.Request, t target) {
	var body bytes.Buffer
	var etag string
	var modified time.Time
	var err error
	switch t.kind {
	case targetObject:
		var ok bool
		etag, modified, ok, err = s.objectBody(r.Context(), t, &body)
		if err == nil && !ok {
			http.Error(w, "no such meeting in this calendar", http.StatusNotFound)
			return
		}
	case targetCollection:
		etag, err = s.collectionBody(r.Context(), t.coll, &body)
	default:
		http.Error(w, "use PROPFIND to list this collection", http.StatusNotFound)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("ETag", etag)
	http.ServeContent(w, r, "", modified.UTC().Truncate(time.Second), bytes.NewReader(body.Bytes()))
}

func (s *Server) objectBody(ctx context.Context, t target, body *bytes.Buffer) (etag string, modified time.Time, ok bool, err error) {
	m, ok, err := s.member(ctx, t.coll, t.slug)
	if err != nil || !ok {
		return "", time.Time{}, ok, err
	}
	text, _, _, err := s.cfg.Feed.ObjectText(&m.entry)
	body.WriteString(text)
	return m.etag, m.entry.LastChange(), true, err
}

// collectionBody renders a whole collection as one iCalendar document.
func (s *Server) collectionBody(ctx context.Context, c *collection, body *bytes.Buffer) (string, error) {
	ms, err := s.listMembers(ctx, c)
	if err != nil {
		return "", err
	}
	entries := make([]meetings.Meeting, len(ms))
	for i := range ms {
		entries[i] = ms[i].entry
	}
	if err := s.cfg.Feed.Write(body, "Hearth: "+c.display, entries); err != nil {
		return "", err
	}
	return `"` + ctag(ms) + `"`, nil
}
