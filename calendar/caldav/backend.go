package caldav

import (
	"context"
	"fmt"
	"net/http"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav"
	webdavcaldav "github.com/emersion/go-webdav/caldav"
)

// backend lets go-webdav's handler answer discovery. Only the principal and
// root reach it; everything under the home set is answered by Server.
type backend struct {
	srv *Server
}

var errReadOnly = webdav.NewHTTPError(http.StatusForbidden, fmt.Errorf("caldav: this calendar is read-only"))

func (b *backend) CurrentUserPrincipal(context.Context) (string, error) {
	return b.srv.principalPath(), nil
}

func (b *backend) CalendarHomeSetPath(context.Context) (string, error) { return b.srv.homePath(), nil }

func (b *backend) CreateCalendar(context.Context, *webdavcaldav.Calendar) error { return errReadOnly }

func (b *backend) ListCalendars(context.Context) ([]webdavcaldav.Calendar, error) {
	out := make([]webdavcaldav.Calendar, len(b.srv.collections))
	for i := range b.srv.collections {
		out[i] = b.srv.webdavCalendar(&b.srv.collections[i])
	}
	return out, nil
}

func (b *backend) GetCalendar(_ context.Context, path string) (*webdavcaldav.Calendar, error) {
	t := b.srv.resolve(path)
	if t.kind != targetCollection {
		return nil, webdav.NewHTTPError(http.StatusNotFound, fmt.Errorf("caldav: no calendar at %s", path))
	}
	c := b.srv.webdavCalendar(t.coll)
	return &c, nil
}

func (b *backend) GetCalendarObject(ctx context.Context, path string, _ *webdavcaldav.CalendarCompRequest) (*webdavcaldav.CalendarObject, error) {
	t := b.srv.resolve(path)
	if t.kind != targetObject {
		return nil, webdav.NewHTTPError(http.StatusNotFound, fmt.Errorf("caldav: no object at %s", path))
	}
	m, ok, err := b.srv.member(ctx, t.coll, t.slug)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, webdav.NewHTTPError(http.StatusNotFound, fmt.Errorf("caldav: no object at %s", path))
	}
	return b.srv.object(t.coll, &m)
}

func (b *backend) ListCalendarObjects(ctx context.Context, path string, _ *webdavcaldav.CalendarCompRequest) ([]webdavcaldav.CalendarObject, error) {
	t := b.srv.resolve(path)
	if t.kind != targetCollection {
		return nil, webdav.NewHTTPError(http.StatusNotFound, fmt.Errorf("caldav: no calendar at %s", path))
	}
	ms, err := b.srv.members(ctx, t.coll)
	if err != nil {
		return nil, err
	}
	out := make([]webdavcaldav.CalendarObject, 0, len(ms))
	for i := range ms {
		o, err := b.srv.object(t.coll, &ms[i])
		if err != nil {
			return nil, err
		}
		out = append(out, *o)
	}
	return out, nil
}

// QueryCalendarObjects never filters with go-webdav's matcher, whose
// time-range test is wrong; Server answers calendar-query itself.
func (b *backend) QueryCalendarObjects(ctx context.Context, path string, _ *webdavcaldav.CalendarQuery) ([]webdavcaldav.CalendarObject, error) {
	return b.ListCalendarObjects(ctx, path, nil)
}

func (b *backend) PutCalendarObject(context.Context, string, *ical.Calendar, *webdavcaldav.PutCalendarObjectOptions) (*webdavcaldav.CalendarObject, error) {
	return nil, errReadOnly
}

func (b *backend) DeleteCalendarObject(context.Context, string) error { return errReadOnly }

func (s *Server) webdavCalendar(c *collection) webdavcaldav.Calendar {
	return webdavcaldav.Calendar{Path: s.collectionPath(c), Name: c.display, Description: c.description,
		SupportedComponentSet: []string{ical.CompEvent}}
}

func (s *Server) object(c *collection, m *member) (*webdavcaldav.CalendarObject, error) {
	cal, ok, err := s.cfg.Feed.Object(&m.entry)
	if err != nil || !ok {
		return nil, fmt.Errorf("caldav: render %s: %w", m.entry.Series.Slug, err)
	}
	return &webdavcaldav.CalendarObject{Path: s.objectPath(c, m.entry.Series.Slug), ETag: m.etag,
		ModTime: m.entry.LastChange(), Data: cal}, nil
}
