package calendar

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-ical"

	"github.com/hearth-recovery/hearth/meetings"
)

// FeedConfig says how feeds describe themselves and link back to Hearth.
type FeedConfig struct {
	// PublicURL is Hearth's public base URL ("https://meet.example.org");
	// empty means links are built from each request (Origin).
	PublicURL string
	// ProductID is the PRODID of every calendar.
	ProductID string
	// Refresh is the polling interval suggested to subscribers.
	Refresh time.Duration
	// YearsAhead is how many years past the current one each VTIMEZONE is
	// exact for (later years follow the zone's current yearly rule).
	YearsAhead int
	// Now returns the current time; the zero value uses time.Now.
	Now func() time.Time
	// Namer names categories and types for a feed asked for in a language
	// (?lang=); nil serves every feed with the untranslated names.
	Namer Namer
}

// Defaults fills unset fields.
func (c *FeedConfig) Defaults() {
	if c.ProductID == "" {
		c.ProductID = "-//Hearth//Hearth meeting schedule//EN"
	}
	if c.Refresh == 0 {
		c.Refresh = 6 * time.Hour
	}
	if c.YearsAhead == 0 {
		c.YearsAhead = 2
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Validate reports a configuration that cannot work.
func (c *FeedConfig) Validate() error {
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("calendar: public URL %q must be an absolute http(s) URL", c.PublicURL)
		}
	}
	if c.Refresh < time.Hour || c.Refresh > 7*24*time.Hour {
		return fmt.Errorf("calendar: refresh interval %s must be between 1h and 7 days", c.Refresh)
	}
	if c.YearsAhead < 1 || c.YearsAhead > 20 {
		return fmt.Errorf("calendar: years ahead %d must be between 1 and 20", c.YearsAhead)
	}
	return nil
}

// Links builds the absolute URLs Hearth publishes for a series.
type Links struct {
	base string
	host string
	// lang is the ?lang= subscribe links carry (InLanguage).
	lang string
}

// NewLinks parses the public base URL.
func NewLinks(publicURL string) (Links, error) {
	u, err := url.Parse(strings.TrimRight(publicURL, "/"))
	if err != nil || u.Host == "" {
		return Links{}, fmt.Errorf("calendar: public URL %q is not an absolute URL", publicURL)
	}
	return Links{base: u.String(), host: u.Hostname()}, nil
}

// MeetingPage is the public page of a series.
func (l Links) MeetingPage(slug string) string { return l.base + "/m/" + url.PathEscape(slug) }

// Room is the link that opens the series' live room. It carries no passcode:
// rooms with one ask for it on entry.
func (l Links) Room(slug string) string { return l.MeetingPage(slug) + "/join" }

// UID is the stable iCalendar UID of a series: its database ID, which never
// changes, under Hearth's host name.
func (l Links) UID(s *meetings.Series) string { return fmt.Sprintf("series-%d@%s", s.ID, l.host) }

// Base is the public base URL without a trailing slash.
func (l Links) Base() string { return l.base }

// Feed renders iCalendar documents. One Feed is built at start; For gives
// the view of it that links to one base URL.
type Feed struct {
	cfg    FeedConfig
	origin Origin
	// links is the base URL this view renders links with; the zero Links
	// until For is called when no public URL is configured.
	links Links
	// lang is the catalog tag this view names categories and types in
	// (InLanguage), "" for the untranslated names.
	lang string
	// tzs caches VTIMEZONEs and events caches each series' encoded
	// VEVENTs; both are shared by every view (For) of the feed.
	tzs    *tzCache
	events *textCache
}

// NewFeed checks cfg and returns a Feed.
func NewFeed(cfg FeedConfig) (*Feed, error) {
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	origin, err := NewOrigin(cfg.PublicURL)
	if err != nil {
		return nil, err
	}
	f := &Feed{cfg: cfg, origin: origin,
		tzs: newTZCache(), events: newTextCache(maxEventBytes)}
	if origin.fixed != nil {
		f.links = *origin.fixed
	}
	return f, nil
}

// For returns the view of f that links to l; it shares f's caches.
func (f *Feed) For(l Links) *Feed {
	c := *f
	c.links = l
	return &c
}

// Origin says where the feed's links point.
func (f *Feed) Origin() Origin { return f.origin }

// Year is the current year, which sets the years each VTIMEZONE covers and
// so is part of every ETag.
func (f *Feed) Year() int { return f.cfg.Now().Year() }

// ProductID is the PRODID of every calendar the feed renders.
func (f *Feed) ProductID() string { return f.cfg.ProductID }

// Links returns the feed's link builder.
func (f *Feed) Links() Links { return f.links }

// Write renders entries as one VCALENDAR named name. Output is deterministic
// for the same input, so its hash is a valid ETag. Each series' VEVENTs are
// encoded once and kept (by ETag) until it changes, so the render after a
// change encodes only what changed.
func (f *Feed) Write(w io.Writer, name string, entries []meetings.Meeting) error {
	sorted := make([]*meetings.Meeting, len(entries))
	for i := range entries {
		sorted[i] = &entries[i]
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Series.Slug < sorted[j].Series.Slug })
	if err := f.warm(sorted); err != nil {
		return err
	}
	zones := map[string]*time.Location{}
	firstYear := f.cfg.Now().Year()
	chunks := make([]string, 0, len(sorted))
	size := 0
	for _, e := range sorted {
		text, ok, err := f.eventsText(e)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		loc, _ := e.Location()
		zones[e.Series.TimeZone] = loc
		if y := e.Series.Recurrence.Start.Year; y < firstYear {
			firstYear = y
		}
		chunks = append(chunks, text)
		size += len(text)
	}
	cal := ical.NewCalendar()
	f.calendarProps(cal, name)
	head, err := encodeHead(cal)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	b.Grow(len(head) + size + 4096*len(zones) + len(calendarEnd))
	b.WriteString(head)
	for _, n := range sortedKeys(zones) {
		tz, err := f.tzs.text(zones[n], firstYear, f.cfg.Now().Year()+f.cfg.YearsAhead)
		if err != nil {
			return err
		}
		b.WriteString(tz)
	}
	for _, c := range chunks {
		b.WriteString(c)
	}
	b.WriteString(calendarEnd)
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("calendar: write: %w", err)
	}
	return nil
}

func sortedKeys(m map[string]*time.Location) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// warm encodes the series whose VEVENTs are not cached yet on every core,
// which is most of the first render after start.
func (f *Feed) warm(entries []*meetings.Meeting) error {
	var misses []*meetings.Meeting
	for _, e := range entries {
		if _, ok := f.events.get(f.ETag(e)); !ok {
			misses = append(misses, e)
		}
	}
	workers := min(runtime.GOMAXPROCS(0), len(misses)/64)
	if workers < 2 {
		return nil
	}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(misses); i += workers {
				if _, _, err := f.eventsText(misses[i]); err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// eventsText is the encoded VEVENTs of e (master and overrides), cached by
// ETag; ok is false for a rule that never occurs.
func (f *Feed) eventsText(e *meetings.Meeting) (text string, ok bool, err error) {
	etag := f.ETag(e)
	if t, ok := f.events.get(etag); ok {
		return t, t != "", nil
	}
	events, err := f.Events(e)
	if err != nil {
		return "", false, err
	}
	if len(events) > 0 {
		if text, err = encodeComponents(events); err != nil {
			return "", false, err
		}
	}
	f.events.put(etag, text)
	return text, text != "", nil
}

// Object is one series as a CalDAV calendar object resource: its VTIMEZONE,
// master VEVENT and overrides, with no METHOD (RFC 4791 §4.1). ok is false
// for a rule that never occurs.
func (f *Feed) Object(e *meetings.Meeting) (cal *ical.Calendar, ok bool, err error) {
	events, err := f.Events(e)
	if err != nil || len(events) == 0 {
		return nil, false, err
	}
	loc, err := e.Location()
	if err != nil {
		return nil, false, err
	}
	cal = ical.NewCalendar()
	cal.Props.SetText(ical.PropProductID, f.cfg.ProductID)
	cal.Props.SetText(ical.PropVersion, "2.0")
	firstYear := min(e.Series.Recurrence.Start.Year, f.cfg.Now().Year())
	cal.Children = append(f.timezones(map[string]*time.Location{e.Series.TimeZone: loc}, firstYear), events...)
	return cal, true, nil
}

// ObjectText is the Object of e encoded, and its ETag; ok is false for a
// rule that never occurs. It is assembled from the cached VTIMEZONE and
// VEVENTs, so CalDAV clients fetching objects again (a multiget after every
// sync) cost no render.
func (f *Feed) ObjectText(e *meetings.Meeting) (text, etag string, ok bool, err error) {
	etag = f.ETag(e)
	events, ok, err := f.eventsText(e)
	if err != nil || !ok {
		return "", etag, false, err
	}
	loc, err := e.Location()
	if err != nil {
		return "", etag, false, err
	}
	firstYear := min(e.Series.Recurrence.Start.Year, f.cfg.Now().Year())
	tz, err := f.tzs.text(loc, firstYear, f.cfg.Now().Year()+f.cfg.YearsAhead)
	if err != nil {
		return "", etag, false, err
	}
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropProductID, f.cfg.ProductID)
	cal.Props.SetText(ical.PropVersion, "2.0")
	head, err := encodeHead(cal)
	if err != nil {
		return "", etag, false, err
	}
	return head + tz + events + calendarEnd, etag, true, nil
}

// ETag is a strong entity tag for the Object of e. It changes whenever the
// series, its exceptions or its group change, and each new year (when the
// VTIMEZONE's covered years move on), without rendering the object.
func (f *Feed) ETag(e *meetings.Meeting) string {
	// Appended by hand rather than with fmt: a PROPFIND of 10,000 objects
	// computes 10,000 of these.
	b := make([]byte, 0, 128)
	b = append(b, f.links.base...)
	for _, n := range []int64{e.Series.ID, int64(e.Series.Sequence), e.LastChange().UnixNano(),
		int64(len(e.Exceptions)), int64(f.cfg.Now().Year())} {
		b = append(b, '/')
		b = strconv.AppendInt(b, n, 10)
	}
	b = append(b, '/')
	b = append(b, e.Series.Slug...)
	// The language names the categories: the VEVENT cache (keyed by this
	// ETag) must never hand one language's events to another. Without one
	// the tag is what it always was.
	if f.lang != "" {
		b = append(b, "/lang="...)
		b = append(b, f.lang...)
	}
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}

// Events returns the VEVENTs of one series: the master, then one override per
// moved or annotated occurrence. It returns none for a rule that never occurs.
func (f *Feed) Events(e *meetings.Meeting) ([]*ical.Component, error) {
	s := &e.Series
	loc, err := e.Location()
	if err != nil {
		return nil, fmt.Errorf("calendar: series %s: %w", s.Slug, err)
	}
	first, ok := s.Recurrence.FirstDate()
	if !ok {
		return nil, nil
	}
	master := f.event(e)
	setLocal(master, ical.PropDateTimeStart, s.TimeZone, first, s.Start)
	master.Props.Set(&ical.Prop{Name: ical.PropRecurrenceRule, Params: ical.Params{},
		Value: s.Recurrence.RRule(s.Start, loc)})
	setDuration(master, s.Duration)
	out := []*ical.Component{master}
	exs := append([]meetings.Exception(nil), e.Exceptions...)
	sort.Slice(exs, func(i, j int) bool { return exs[i].Date.Before(exs[j].Date) })
	for i := range exs {
		ex := &exs[i]
		if !s.Recurrence.OccursOn(ex.Date) || ex.Date.Before(first) {
			continue
		}
		switch ex.Kind {
		case meetings.Cancelled:
			addLocal(master, ical.PropExceptionDates, s.TimeZone, ex.Date, s.Start)
		case meetings.Moved, meetings.Note:
			out = append(out, f.override(e, ex))
		}
	}
	return out, nil
}

func (f *Feed) calendarProps(cal *ical.Calendar, name string) {
	cal.Props.SetText(ical.PropProductID, f.cfg.ProductID)
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropCalendarScale, "GREGORIAN")
	cal.Props.SetText(ical.PropMethod, "PUBLISH")
	cal.Props.SetText(ical.PropName, name)
	cal.Props.Set(&ical.Prop{Name: "X-WR-CALNAME", Params: ical.Params{}, Value: escapeText(name)})
	refresh := ical.NewProp(ical.PropRefreshInterval)
	refresh.SetDuration(f.cfg.Refresh)
	refresh.Params.Set(ical.ParamValue, "DURATION") // go-ical drops a default VALUE; RFC 7986 requires it
	cal.Props.Set(refresh)
	cal.Props.Set(&ical.Prop{Name: "X-PUBLISHED-TTL", Params: ical.Params{}, Value: refresh.Value})
}

func (f *Feed) timezones(zones map[string]*time.Location, firstYear int) []*ical.Component {
	names := make([]string, 0, len(zones))
	for n := range zones {
		names = append(names, n)
	}
	sort.Strings(names)
	lastYear := f.cfg.Now().Year() + f.cfg.YearsAhead
	out := make([]*ical.Component, 0, len(names))
	for _, n := range names {
		out = append(out, f.tzs.component(zones[n], firstYear, lastYear))
	}
	return out
}

// emptyMarker stands in for the events of an empty feed: go-ical refuses to
// encode a VCALENDAR without components, which a filter that matches nothing
// legitimately produces, so a marker is encoded and then cut out.
const emptyMarker = "X-HEARTH-EMPTY"

// Encode writes cal with CRLF line endings, folded at 75 octets.
func Encode(w io.Writer, cal *ical.Calendar) error {
	empty := len(cal.Children) == 0
	if empty {
		cal.Children = []*ical.Component{ical.NewComponent(emptyMarker)}
	}
	var raw bytes.Buffer
	if err := ical.NewEncoder(&raw).Encode(cal); err != nil {
		return fmt.Errorf("calendar: encode: %w", err)
	}
	if empty {
		marker := "BEGIN:" + emptyMarker + "\r\nEND:" + emptyMarker + "\r\n"
		cut := bytes.Replace(raw.Bytes(), []byte(marker), nil, 1)
		raw.Reset()
		raw.Write(cut)
	}
	var folded bytes.Buffer
	folded.Grow(raw.Len() + raw.Len()/40)
	foldLines(&folded, raw.Bytes())
	if _, err := w.Write(folded.Bytes()); err != nil {
		return fmt.Errorf("calendar: write: %w", err)
	}
	return nil
}

func localValue(d meetings.Date, t meetings.LocalTime) string {
	return fmt.Sprintf("%04d%02d%02dT%02d%02d00", d.Year, d.Month, d.Day, t.Hour, t.Minute)
}

func setLocal(c *ical.Component, name, tzid string, d meetings.Date, t meetings.LocalTime) {
	c.Props.Set(&ical.Prop{Name: name, Params: ical.Params{ical.ParamTimezoneID: {tzid}}, Value: localValue(d, t)})
}

func addLocal(c *ical.Component, name, tzid string, d meetings.Date, t meetings.LocalTime) {
	c.Props.Add(&ical.Prop{Name: name, Params: ical.Params{ical.ParamTimezoneID: {tzid}}, Value: localValue(d, t)})
}

func setDuration(c *ical.Component, d time.Duration) {
	p := ical.NewProp(ical.PropDuration)
	p.SetDuration(d)
	c.Props.Set(p)
}

func utcProp(c *ical.Component, name string, t time.Time) {
	c.Props.Set(&ical.Prop{Name: name, Params: ical.Params{}, Value: t.UTC().Format("20060102T150405Z")})
}

// escapeText escapes a TEXT value (RFC 5545 §3.3.11) for props set by hand.
func escapeText(s string) string {
	p := ical.NewProp("X")
	p.SetText(strings.ReplaceAll(s, "\r", ""))
	return p.Value
}

func seqValue(n int) string { return strconv.Itoa(n) }
