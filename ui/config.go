// Package ui is Hearth's browser front end: server-rendered schedule pages
// that work without JavaScript, and the join, room and admin pages built on
// small vanilla ES modules. Everything it serves is embedded in the binary.
//
// ui reads the schedule through the Reader interface it declares here;
// cmd/hearth implements it with the store, so ui never imports storage.
package ui

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
	"github.com/hearth-recovery/hearth/ui/i18n"
)

// Reader is everything the schedule pages read: the read half of
// meetings.Store, which satisfies it. A missing slug must give an error
// wrapping meetings.ErrNotFound (the pages answer 404 for it and 500 for any
// other error). Implementations must be safe for concurrent use, and the
// pages treat returned values as read-only.
type Reader interface {
	// ListMeetings returns the meetings that pass f, each with its
	// exceptions, group and zone.
	ListMeetings(ctx context.Context, f meetings.Filter) ([]meetings.Meeting, error)
	// Meeting returns one meeting with its exceptions, group and zone.
	Meeting(ctx context.Context, slug string) (meetings.Meeting, error)
	// Programs lists every program, retired ones too, in display order.
	Programs(ctx context.Context) ([]meetings.ProgramInfo, error)
}

// Feeds are the ways to put a set of meetings in a calendar.
type Feeds struct {
	// Download is the .ics file URL (https).
	Download string
	// Webcal is the same feed as a webcal:// subscription URL.
	Webcal string
	// Google is Google Calendar's "add by URL" link for the feed.
	Google string
	// CalDAV is the read-only CalDAV collection address, empty when none.
	CalDAV string
}

// FeedLinker builds calendar URLs; cmd implements it with the calendar
// package so that the pages link exactly what the feeds serve.
type FeedLinker interface {
	// FilterFeeds returns the feeds of the series f matches.
	FilterFeeds(f meetings.Filter) Feeds
	// MeetingFeeds returns the feeds of one series.
	MeetingFeeds(slug string) Feeds
	// FeedSize is how big the feed of the series f matches is.
	FeedSize(ctx context.Context, f meetings.Filter) (FeedSize, error)
}

// FeedSize is the size of a feed as a GET of it sends it.
type FeedSize struct {
	Bytes  int
	Events int
}

// Google Calendar silently drops a subscription past about 1 MB or about
// 1,100 events (reported in its help forum and issue trackers).
const (
	googleMaxBytes  = 1 << 20
	googleMaxEvents = 1100
)

// TooBigForGoogle reports a feed Google Calendar is likely to drop.
func (s FeedSize) TooBigForGoogle() bool {
	return s.Bytes > googleMaxBytes || s.Events > googleMaxEvents
}

// Config configures a Handler.
type Config struct {
	Reader Reader
	// Feeds returns the linker for one request. Links are absolute, and
	// without a configured public URL they are built from the address the
	// request came to, hence a function of the request. lang is the
	// viewer's language (a catalog tag): the feeds linked name categories
	// and types in it (?lang= on the feed).
	Feeds func(r *http.Request, lang string) FeedLinker
	// Static holds the files served under /static/ (css/, js/, img/);
	// cmd passes the embedded ui/static tree.
	Static fs.FS
	// SignalPath is where the SFU's signaling WebSocket is mounted.
	SignalPath string
	// SiteName is shown in titles and the header.
	SiteName string
	// MeetingGuideURL is the Meeting Guide JSON feed linked from every head.
	MeetingGuideURL string
	// DefaultZone is the viewer timezone used until the browser reports one.
	DefaultZone string
	// Horizon is how far ahead the home page lists occurrences, rounded to
	// whole days: each page of the schedule lists that many days.
	Horizon time.Duration
	// SoonWindow is how close a start must be to count as "starting soon".
	SoonWindow time.Duration
	// Now returns the current time; tests inject a fixed clock.
	Now func() time.Time
	// DefaultLanguage is the page language when neither the member's choice,
	// the meeting nor the browser's Accept-Language names a catalog ("en").
	DefaultLanguage string
	// Catalog holds the messages; nil loads the embedded catalogs. Tests
	// pass one loaded with the pseudo-locale.
	Catalog *i18n.Catalog
	// DialIn is the number members call to join by telephone, shown with
	// each meeting's phone ID; "" when dial-in is off.
	DialIn string
	// Nodes, when set, lists the signaling origins (ws://host:port or
	// wss://host) of the other nodes a room page may be sent to; the
	// pages' Content-Security-Policy allows connecting to them.
	Nodes func() []string
}

func (c *Config) setDefaults() {
	if c.SiteName == "" {
		c.SiteName = "Hearth"
	}
	if c.SignalPath == "" {
		c.SignalPath = "/rtc"
	}
	if c.MeetingGuideURL == "" {
		c.MeetingGuideURL = "/api/meeting-guide.json"
	}
	if c.DefaultZone == "" {
		c.DefaultZone = "UTC"
	}
	if c.Horizon == 0 {
		c.Horizon = 7 * 24 * time.Hour
	}
	if c.SoonWindow == 0 {
		c.SoonWindow = time.Hour
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.DefaultLanguage == "" {
		c.DefaultLanguage = i18n.Reference
	}
}

// Validate reports the first missing or impossible setting.
func (c *Config) Validate() error {
	switch {
	case c.Reader == nil:
		return errors.New("ui: Config.Reader is required")
	case c.Feeds == nil:
		return errors.New("ui: Config.Feeds is required")
	case c.Static == nil:
		return errors.New("ui: Config.Static is required")
	case c.Horizon < time.Hour || c.Horizon > 62*24*time.Hour:
		return fmt.Errorf("ui: Config.Horizon %v must be between 1h and 62 days", c.Horizon)
	case c.SoonWindow < 0 || c.SoonWindow > 24*time.Hour:
		return fmt.Errorf("ui: Config.SoonWindow %v must be between 0 and 24h", c.SoonWindow)
	}
	if _, err := time.LoadLocation(c.DefaultZone); err != nil {
		return fmt.Errorf("ui: Config.DefaultZone: %w", err)
	}
	return c.checkLanguage()
}

// checkLanguage loads the catalogs when none was given and resolves
// DefaultLanguage to one of them ("pt" is pt-BR).
func (c *Config) checkLanguage() error {
	if c.Catalog == nil {
		cat, err := i18n.Load(i18n.Options{})
		if err != nil {
			return fmt.Errorf("ui: %w", err)
		}
		c.Catalog = cat
	}
	tag, ok := c.Catalog.Supported(c.DefaultLanguage)
	if !ok {
		return fmt.Errorf("ui: Config.DefaultLanguage %q has no catalog (have %v)", c.DefaultLanguage, c.Catalog.Tags())
	}
	c.DefaultLanguage = tag
	return nil
}
