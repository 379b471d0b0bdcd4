package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/hearth-recovery/hearth/calendar"
	"github.com/hearth-recovery/hearth/calendar/caldav"
	"github.com/hearth-recovery/hearth/calendar/meetingguide"
	"github.com/hearth-recovery/hearth/meetings"
	"github.com/hearth-recovery/hearth/ui/i18n"
)

// caldavPrefix is where the CalDAV server is mounted; pages link into it.
const caldavPrefix = "/dav"

// calendarSource reads the store for the calendar feeds: the store's
// meetings already carry their group and zone.
type calendarSource struct{ store meetings.Store }

func (c calendarSource) Schedule(ctx context.Context, f meetings.Filter) ([]meetings.Meeting, error) {
	return c.store.ListMeetings(ctx, f)
}

func (c calendarSource) Meeting(ctx context.Context, slug string) (meetings.Meeting, bool, error) {
	m, err := c.store.Meeting(ctx, slug)
	if errors.Is(err, meetings.ErrNotFound) {
		return meetings.Meeting{}, false, nil
	}
	return m, err == nil, err
}

func (c calendarSource) LastModified(ctx context.Context) (time.Time, error) {
	ch, err := c.store.Changes(ctx)
	return ch.Modified, err
}

// buildCalendar builds the iCalendar feeds, the CalDAV server and the
// Meeting Guide export once, at start. Without --public-url their links
// follow each request's Host (calendar.Origin), so nothing is rebuilt per
// request and the feeds' render cache keeps working.
func (a *app) buildCalendar() error {
	src := calendarSource{store: a.store}
	cat, err := a.catalogs()
	if err != nil {
		return fmt.Errorf("calendar feeds: %w", err)
	}
	feed, err := calendar.NewFeed(calendar.FeedConfig{PublicURL: a.cfg.PublicURL, Namer: newFeedNamer(cat)})
	if err != nil {
		return fmt.Errorf("calendar feeds: %w", err)
	}
	dav, err := caldav.New(caldav.Config{Feed: feed, Source: src, Prefix: caldavPrefix}, a.log)
	if err != nil {
		return fmt.Errorf("caldav: %w", err)
	}
	if !feed.Origin().Fixed() {
		a.log.Warn("no --public-url: calendar links are built from each request's Host header; set it in production")
	}
	mux := http.NewServeMux()
	a.feeds = calendar.NewHandler(feed, src, a.log)
	a.feeds.Register(mux)
	dav.Register(mux)
	meetingguide.NewHandler(src, feed.Origin(), a.log, nil).WithDialIn(a.cfg.Dialin.number()).Register(mux)
	a.calendar = mux
	return nil
}

// feedNamer names the feeds' categories and types with the pages' catalogs
// (calendar.Namer), so ?lang=es on a feed says what the Spanish pages say.
type feedNamer struct {
	// langs holds one read-only view per catalog tag, made at start.
	langs map[string]*i18n.Lang
	cat   *i18n.Catalog
}

func newFeedNamer(cat *i18n.Catalog) feedNamer {
	n := feedNamer{langs: map[string]*i18n.Lang{}, cat: cat}
	for _, tag := range cat.AllTags() {
		n.langs[tag] = cat.Lang(tag)
	}
	return n
}

func (n feedNamer) Language(tag string) (string, bool) { return n.cat.Supported(tag) }

func (n feedNamer) lang(tag string) *i18n.Lang {
	if l, ok := n.langs[tag]; ok {
		return l
	}
	return n.langs[i18n.Reference]
}

func (n feedNamer) FormatName(lang string, f meetings.Format) string {
	return n.lang(lang).FormatName(string(f))
}

func (n feedNamer) ProgramName(lang string, p meetings.Program) string {
	// The catalogs name default programs; any other keeps its key, as in
	// the feed without ?lang=.
	return n.lang(lang).ProgramName(meetings.ProgramSlug(p), string(p))
}

func (n feedNamer) TypeName(lang, code string) string { return n.lang(lang).TypeName(code) }

// mountCalendar mounts the iCalendar feeds (/calendar/...), CalDAV
// (/.well-known/caldav, /dav/...) and the Meeting Guide export
// (/api/meeting-guide.json, /api/meeting-guide/...), and CalDAV discovery
// on the root (PROPFIND and OPTIONS on /; GET / stays the schedule page).
func (a *app) mountCalendar(mux *http.ServeMux) {
	paths := []string{"/calendar/", "/.well-known/caldav", "/dav/", "/api/meeting-guide.json", "/api/meeting-guide/"}
	for _, p := range append(paths, caldav.RootPatterns...) {
		mux.Handle(p, a.calendar)
	}
}

// importTarget writes imported groups and series to the store.
type importTarget struct{ store meetings.Store }

func (t importTarget) Group(ctx context.Context, slug string) (meetings.Group, bool, error) {
	g, err := t.store.Group(ctx, slug)
	if errors.Is(err, meetings.ErrNotFound) {
		return g, false, nil
	}
	return g, err == nil, err
}

func (t importTarget) UpsertGroup(ctx context.Context, g meetings.Group) (meetings.Group, error) {
	if g.ID != 0 {
		if err := t.store.UpdateGroup(ctx, &g); err != nil {
			return g, fmt.Errorf("update group %s: %w", g.Slug, err)
		}
		return g, nil
	}
	if err := t.store.CreateGroup(ctx, &g); err != nil {
		return g, fmt.Errorf("create group %s: %w", g.Slug, err)
	}
	return g, nil
}

func (t importTarget) Programs(ctx context.Context) ([]meetings.ProgramInfo, error) {
	return t.store.Programs(ctx)
}

func (t importTarget) CreateProgram(ctx context.Context, p *meetings.ProgramInfo) error {
	return t.store.CreateProgram(ctx, p)
}

func (t importTarget) Series(ctx context.Context, slug string) (meetings.Series, bool, error) {
	m, err := t.store.Meeting(ctx, slug)
	if errors.Is(err, meetings.ErrNotFound) {
		return meetings.Series{}, false, nil
	}
	return m.Series, err == nil, err
}

func (t importTarget) UpsertSeries(ctx context.Context, s meetings.Series) error {
	if s.ID != 0 {
		return t.store.UpdateSeries(ctx, &s, meetings.SecretChange{})
	}
	return t.store.CreateSeries(ctx, &s)
}
