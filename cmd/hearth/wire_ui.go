package main

import (
	"context"
	"net/http"

	"github.com/hearth-recovery/hearth/calendar"
	"github.com/hearth-recovery/hearth/calendar/caldav"
	"github.com/hearth-recovery/hearth/meetings"
	"github.com/hearth-recovery/hearth/ui"
	"github.com/hearth-recovery/hearth/ui/i18n"
)

// uiSignalPath is where the SFU's signaling WebSocket is mounted; the room
// page connects there.
const uiSignalPath = "/rtc"

// mountUI mounts the browser pages: / (schedule), /m/{slug} and its /join,
// /subscribe, /admin/ and /static/.
func (a *app) mountUI(mux *http.ServeMux) {
	cat, err := a.catalogs()
	if err != nil {
		a.log.Error("browser pages disabled", "err", err)
		return
	}
	h, err := ui.New(ui.Config{
		Reader: a.store, Feeds: uiFeedsFor(a.cfg.PublicURL, a.feeds), Static: ui.StaticFS(),
		SignalPath: uiSignalPath, DefaultLanguage: a.cfg.DefaultLanguage, Catalog: cat,
		DialIn: a.cfg.Dialin.number(), Nodes: a.nodeOrigins(),
	}, a.log)
	if err != nil {
		// The config above is fixed in code, so this is a bug; the API and
		// the feeds still run.
		a.log.Error("browser pages disabled", "err", err)
		return
	}
	for _, p := range []string{"/{$}", "/m/", "/subscribe", "/admin/", "/static/", "/favicon.ico"} {
		mux.Handle(p, h)
	}
}

// catalogs loads the message catalogs once, at start; the pages and the
// feeds' names (?lang=) share them.
func (a *app) catalogs() (*i18n.Catalog, error) {
	if a.cat == nil {
		cat, err := i18n.Load(i18n.Options{Pseudo: a.cfg.PseudoLocale})
		if err != nil {
			return nil, err
		}
		a.cat = cat
	}
	return a.cat, nil
}

// uiFeedsFor gives the pages the calendar package's own subscribe links, so
// a page links exactly the feed that shows what it lists. Without a public
// URL the links are built from the address each request came to.
func uiFeedsFor(publicURL string, feeds *calendar.Handler) func(*http.Request, string) ui.FeedLinker {
	return func(r *http.Request, lang string) ui.FeedLinker {
		base := publicURL
		if base == "" {
			base = calendar.RequestBase(r)
		}
		l, err := calendar.NewLinks(base)
		if err != nil {
			// Only a Host header that is not a host gets here; relative
			// links still work for the one who sent it.
			l, _ = calendar.NewLinks("http://localhost")
		}
		return uiFeeds{links: l.InLanguage(lang), feeds: feeds}
	}
}

// uiFeeds implements ui.FeedLinker for one base URL.
type uiFeeds struct {
	links calendar.Links
	feeds *calendar.Handler
}

func (f uiFeeds) FeedSize(ctx context.Context, fl meetings.Filter) (ui.FeedSize, error) {
	s, err := f.feeds.Size(ctx, f.links, fl)
	return ui.FeedSize{Bytes: s.Bytes, Events: s.Events}, err
}

func (f uiFeeds) FilterFeeds(fl meetings.Filter) ui.Feeds {
	s := f.links.Subscribe(fl)
	return ui.Feeds{Download: s.HTTPS, Webcal: s.Webcal, Google: s.Google, CalDAV: caldavCollection(f.links.Base(), fl)}
}

func (f uiFeeds) MeetingFeeds(slug string) ui.Feeds {
	s := f.links.MeetingSubscribe(slug)
	return ui.Feeds{Download: s.HTTPS, Webcal: s.Webcal, Google: s.Google}
}

// caldavCollection is the CalDAV collection that holds what fl selects, or ""
// when the filter has no collection of its own.
func caldavCollection(base string, fl meetings.Filter) string {
	p := caldav.CollectionPath(caldavPrefix, fl)
	if p == "" {
		return ""
	}
	return base + p
}
