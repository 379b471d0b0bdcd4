package calendar

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// Handler serves the iCalendar subscription feeds under /calendar/. It is
// built once; the base URL of the links is taken per request (Origin).
type Handler struct {
	feed  *Feed
	src   Source
	log   *slog.Logger
	cache renderCache
}

// NewHandler returns a Handler that reads src and renders with feed.
func NewHandler(feed *Feed, src Source, log *slog.Logger) *Handler {
	return &Handler{feed: feed, src: src, log: log, cache: renderCache{byKey: map[string]rendered{}}}
}

// maxCached bounds the render cache; subscribers poll a few popular feeds,
// so a small cache that is emptied when full is enough.
const maxCached = 256

// rendered is one feed body, valid while the schedule's last change and the
// year (which sets the VTIMEZONE years) are those it was made with.
type rendered struct {
	modified time.Time
	year     int
	body     []byte
	etag     string
	// events counts the VEVENTs in body.
	events int
}

// renderCache keeps rendered feeds so that polling clients, most of which
// send conditional requests, do not cost a render each.
type renderCache struct {
	mu sync.Mutex // guards byKey
	// byKey maps a feed's path and normalised query to its last render.
	byKey map[string]rendered
}

func (c *renderCache) get(key string, modified time.Time, year int) (rendered, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.byKey[key]
	return r, ok && r.modified.Equal(modified) && r.year == year
}

func (c *renderCache) put(key string, r rendered) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.byKey) >= maxCached {
		clear(c.byKey)
	}
	c.byKey[key] = r
}

// Register mounts the feed routes on mux:
//
//	/calendar/all.ics
//	/calendar/format/{format}.ics
//	/calendar/program/{program}.ics
//	/calendar/group/{slug}.ics
//	/calendar/meeting/{slug}.ics
//
// each taking the query filters type, language, timezone, format, program and
// day (0-6), as the API's list does.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /calendar/all.ics", h.serve)
	mux.HandleFunc("GET /calendar/{kind}/{name}", h.serveNamed)
}

func (h *Handler) serveNamed(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutSuffix(r.PathValue("name"), ".ics")
	if !ok || name == "" {
		http.Error(w, "calendar feeds end in .ics", http.StatusNotFound)
		return
	}
	if r.PathValue("kind") == "program" {
		// A program's feed exists while the program has meetings, as its
		// CalDAV collection does; programs are data an admin adds and
		// deletes.
		in, err := h.src.Schedule(r.Context(), meetings.Filter{Program: meetings.Program(name)})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if len(in) == 0 {
			http.Error(w, "no meetings of program "+strconv.Quote(name), http.StatusNotFound)
			return
		}
	}
	h.serve(w, r)
}

// serve answers a feed: one meeting's, or the list of what its path and
// query select, in the language ?lang= names.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request) {
	f, title, err := FilterFromRequest(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	lang, served, err := feedLanguage(h.feed.cfg.Namer, r.URL.Query())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	feed, ok := h.feedFor(w, r)
	if !ok {
		return
	}
	feed = feed.InLanguage(lang)
	if r.PathValue("kind") == "meeting" {
		name, _ := strings.CutSuffix(r.PathValue("name"), ".ics")
		h.serveMeeting(w, r, feed, f, name, served)
		return
	}
	c, err := h.list(r.Context(), feed, cacheQuery(r.URL), f, title)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	send(w, r, c, served)
}

// cacheQuery is a feed's path and normalised query without its lang, which
// list keys by the catalog tag it resolved to ("es-MX" and "es" are one
// feed).
func cacheQuery(u *url.URL) string {
	q := u.Query()
	q.Del("lang")
	return u.Path + "?" + q.Encode()
}

// list renders the feed of f, or takes it from the cache when the schedule
// has not changed since. path is the feed's path and normalised query
// without its language, which comes from feed.
func (h *Handler) list(ctx context.Context, feed *Feed, path string, f meetings.Filter, title string) (rendered, error) {
	modified, err := h.src.LastModified(ctx)
	if err != nil {
		return rendered{}, err
	}
	// The base URL is part of the key: without a public URL, answers to
	// different host names carry different links. So is the language, so
	// that one language's names are never served for another's.
	key := feed.links.base + " " + feed.lang + " " + path
	year := h.feed.cfg.Now().Year()
	if c, ok := h.cache.get(key, modified, year); ok {
		return c, nil
	}
	entries, err := h.src.Schedule(ctx, f)
	if err != nil {
		return rendered{}, err
	}
	c, err := renderFeed(feed, title, entries, modified)
	if err != nil {
		return rendered{}, err
	}
	c.year = year
	h.cache.put(key, c)
	return c, nil
}

// FeedSize is how big a feed is, for the subscribe page: Google Calendar
// silently drops a subscription past about 1 MB or 1,100 events.
type FeedSize struct {
	Bytes  int
	Events int
}

// Size is the size of the feed that l.Subscribe(f) links to, as a GET of
// it would send (from the render cache when the schedule is unchanged).
func (h *Handler) Size(ctx context.Context, l Links, f meetings.Filter) (FeedSize, error) {
	u, err := url.Parse(strings.TrimPrefix(l.Subscribe(f).HTTPS, l.base))
	if err != nil {
		return FeedSize{}, fmt.Errorf("calendar: feed link: %w", err)
	}
	var kind, name string
	if rest, ok := strings.CutPrefix(u.Path, "/calendar/"); ok && rest != "all.ics" {
		kind, name, _ = strings.Cut(rest, "/")
	}
	f2, title, err := filterFrom(kind, name, u.Query())
	if err != nil {
		return FeedSize{}, err
	}
	lang, _, err := feedLanguage(h.feed.cfg.Namer, u.Query())
	if err != nil {
		return FeedSize{}, err
	}
	c, err := h.list(ctx, h.feed.For(l).InLanguage(lang), cacheQuery(u), f2, title)
	if err != nil {
		return FeedSize{}, err
	}
	return FeedSize{Bytes: len(c.body), Events: c.events}, nil
}

// serveMeeting answers the feed of one meeting, empty when f does not match it.
func (h *Handler) serveMeeting(w http.ResponseWriter, r *http.Request, feed *Feed, f meetings.Filter, slug, served string) {
	e, ok, err := h.src.Meeting(r.Context(), slug)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !ok {
		http.Error(w, "no meeting "+strconv.Quote(slug), http.StatusNotFound)
		return
	}
	var entries []meetings.Meeting
	if f.Match(&e) {
		entries = []meetings.Meeting{e}
	}
	c, err := renderFeed(feed, e.Series.Name, entries, e.LastChange())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	send(w, r, c, served)
}

// feedFor is the view of the feed that links to the base URL r should see.
func (h *Handler) feedFor(w http.ResponseWriter, r *http.Request) (*Feed, bool) {
	l, err := h.feed.origin.Links(r)
	if err != nil {
		badHost(w, err)
		return nil, false
	}
	return h.feed.For(l), true
}

func renderFeed(feed *Feed, title string, entries []meetings.Meeting, modified time.Time) (rendered, error) {
	var body bytes.Buffer
	if err := feed.Write(&body, "Hearth: "+title, entries); err != nil {
		return rendered{}, err
	}
	sum := sha256.Sum256(body.Bytes())
	return rendered{modified: modified, body: body.Bytes(), etag: `"` + hex.EncodeToString(sum[:16]) + `"`,
		events: bytes.Count(body.Bytes(), []byte("BEGIN:VEVENT\r\n"))}, nil
}

// send writes a rendered feed; lang, when the feed was asked for in one,
// is its Content-Language.
func send(w http.ResponseWriter, r *http.Request, c rendered, lang string) {
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	if lang != "" {
		w.Header().Set("Content-Language", lang)
	}
	w.Header().Set("ETag", c.etag)
	w.Header().Set("Cache-Control", "public, max-age=300")
	// ServeContent answers If-None-Match / If-Modified-Since with 304 and HEAD.
	http.ServeContent(w, r, "", c.modified.UTC().Truncate(time.Second), bytes.NewReader(c.body))
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.log.ErrorContext(r.Context(), "calendar feed", "path", r.URL.Path, "err", err)
	http.Error(w, "the calendar could not be built", http.StatusInternalServerError)
}

// FilterFromRequest reads the feed's filter from its path and query and names
// the calendar after it.
func FilterFromRequest(r *http.Request) (meetings.Filter, string, error) {
	name, _ := strings.CutSuffix(r.PathValue("name"), ".ics")
	return filterFrom(r.PathValue("kind"), name, r.URL.Query())
}

// filterFrom reads a feed's filter from its path's kind and name and its
// query (meetings.ParseFilter, as the pages and the API read it).
func filterFrom(kind, name string, q url.Values) (meetings.Filter, string, error) {
	f, problems := meetings.ParseFilter(q)
	if len(problems) > 0 {
		return f, "", problems[0]
	}
	title := "all meetings"
	name, _ = strings.CutSuffix(name, ".ics")
	switch kind {
	case "format":
		f.Format, title = meetings.Format(name), name+" meetings"
	case "program":
		f.Program, title = meetings.Program(name), name+" meetings"
	case "group":
		f.GroupSlug, title = name, "group "+name
	case "", "meeting":
	default:
		return f, "", fmt.Errorf("unknown feed kind %q: use format, program, group or meeting", kind)
	}
	return f, title, nil
}

// SubscribeLinks are the ways to subscribe to the feed of a filter.
type SubscribeLinks struct {
	// HTTPS is the feed itself.
	HTTPS string
	// Webcal is the same URL with the webcal scheme, which opens the
	// subscribe dialog of the system's calendar app.
	Webcal string
	// Google opens Google Calendar's "add by URL" for the feed.
	Google string
}

// Subscribe builds the feed URLs that show what a page listing f shows: a
// group, format or program has a feed path of its own, and the rest of the
// filter is its query (meetings.Filter.Values), with the feed's language.
func (l Links) Subscribe(f meetings.Filter) SubscribeLinks {
	path := "/calendar/all.ics"
	switch {
	case f.GroupSlug != "":
		path = "/calendar/group/" + url.PathEscape(f.GroupSlug) + ".ics"
		f.GroupSlug = ""
	case f.Format != "":
		path = "/calendar/format/" + url.PathEscape(string(f.Format)) + ".ics"
		f.Format = ""
	case f.Program != "":
		path = "/calendar/program/" + url.PathEscape(string(f.Program)) + ".ics"
		f.Program = ""
	}
	q := f.Values()
	if l.lang != "" {
		q.Set("lang", l.lang)
	}
	u := l.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return subscribeLinks(u)
}

// subscribeLinks gives Google the webcal:// form inside cid: with https://
// there Google Calendar is reported to refuse the subscription.
func subscribeLinks(u string) SubscribeLinks {
	webcal := "webcal" + u[strings.Index(u, "://"):]
	return SubscribeLinks{
		HTTPS:  u,
		Webcal: webcal,
		Google: "https://calendar.google.com/calendar/render?cid=" + url.QueryEscape(webcal),
	}
}

// MeetingSubscribe is the feed of a single series.
func (l Links) MeetingSubscribe(slug string) SubscribeLinks {
	u := l.base + "/calendar/meeting/" + url.PathEscape(slug) + ".ics"
	if l.lang != "" {
		u += "?" + url.Values{"lang": {l.lang}}.Encode()
	}
	return subscribeLinks(u)
}

// InLanguage returns links whose subscribe URLs ask for categories and
// types named in lang (a catalog tag; "" for none), so that a page's
// subscribe links give the viewer's language.
func (l Links) InLanguage(lang string) Links {
	l.lang = lang
	return l
}
