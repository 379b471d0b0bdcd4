package caldav

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hearth-recovery/hearth/calendar"
	"github.com/hearth-recovery/hearth/meetings"
)

// Config sets up a Server.
type Config struct {
	// Prefix is the URL path the server is mounted at; default "/dav".
	Prefix string
	// MaxBody bounds request bodies; default 1 MiB.
	MaxBody int64
	Feed    *calendar.Feed
	Source  calendar.Source
}

// Defaults fills unset fields.
func (c *Config) Defaults() {
	if c.Prefix == "" {
		c.Prefix = "/dav"
	}
	if c.MaxBody == 0 {
		c.MaxBody = 1 << 20
	}
}

// Validate reports a configuration that cannot work.
func (c *Config) Validate() error {
	if !strings.HasPrefix(c.Prefix, "/") || strings.HasSuffix(c.Prefix, "/") {
		return fmt.Errorf("caldav: prefix %q must start and not end with /", c.Prefix)
	}
	if c.Feed == nil || c.Source == nil {
		return fmt.Errorf("caldav: a feed and a source are required")
	}
	if c.MaxBody < 1024 || c.MaxBody > 16<<20 {
		return fmt.Errorf("caldav: max body %d must be between 1 KiB and 16 MiB", c.MaxBody)
	}
	return nil
}

// Server is the read-only CalDAV handler.
type Server struct {
	cfg         Config
	log         *slog.Logger
	collections []collection
	// members caches each collection's members, shared by every view (at).
	members *memberCache
}

// memberCache keeps each collection's members with their ETags while the
// schedule is unchanged, so that a sync client's PROPFIND or REPORT does
// not list and hash every series again.
type memberCache struct {
	mu sync.Mutex // guards byKey
	// byKey maps base URL and collection name to its members.
	byKey map[string]cachedMembers
}

// cachedMembers is valid while the schedule's last change and the year
// (part of every ETag) are those it was made with. ms is never modified.
type cachedMembers struct {
	modified time.Time
	year     int
	ms       []member
}

// maxMemberLists bounds the cache: a list per collection and host name.
const maxMemberLists = 256

func (c *memberCache) get(key string, modified time.Time, year int) ([]member, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.byKey[key]
	return m.ms, ok && m.modified.Equal(modified) && m.year == year
}

func (c *memberCache) put(key string, m cachedMembers) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.byKey) >= maxMemberLists {
		clear(c.byKey)
	}
	c.byKey[key] = m
}

// collection is one published calendar.
type collection struct {
	name, display, description string
	filter                     meetings.Filter
}

// New checks cfg and returns a Server.
func New(cfg Config, log *slog.Logger) (*Server, error) {
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Server{cfg: cfg, log: log, collections: collections(),
		members: &memberCache{byKey: map[string]cachedMembers{}}}, nil
}

// RootPatterns are the requests on the site's root (/) that belong to
// CalDAV discovery; GET / stays with the pages.
var RootPatterns = []string{"PROPFIND /{$}", "OPTIONS /{$}"}

// Register mounts the server, /.well-known/caldav and discovery on the
// root (RootPatterns) on mux.
func (s *Server) Register(mux *http.ServeMux) {
	mux.Handle("/.well-known/caldav", s)
	mux.Handle(s.cfg.Prefix+"/", s)
	for _, p := range RootPatterns {
		mux.Handle(p, s)
	}
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

func slugify(s string) string {
	return strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
}

func collections() []collection {
	out := []collection{{name: "all", display: "All meetings", description: "Every meeting on this Hearth"}}
	for _, f := range meetings.Formats() {
		out = append(out, collection{name: "format-" + slugify(string(f)), display: string(f) + " meetings",
			description: "Meetings of the " + string(f) + " format", filter: meetings.Filter{Format: f}})
	}
	return out
}

// withPrograms is s with a collection for each program that has meetings
// now, after the fixed ones: a program's collection appears with its first
// meeting and goes with its last, as its feed does.
func (s *Server) withPrograms(ctx context.Context) (*Server, error) {
	all, err := s.cfg.Source.Schedule(ctx, meetings.Filter{})
	if err != nil {
		return nil, fmt.Errorf("caldav: programs in use: %w", err)
	}
	var used []meetings.Program
	for i := range all {
		if p := all[i].Series.Program; !slices.Contains(used, p) {
			used = append(used, p)
		}
	}
	slices.Sort(used)
	v := *s
	v.collections = slices.Clip(s.collections)
	for _, p := range used {
		v.collections = append(v.collections, collection{name: "program-" + slugify(string(p)),
			display: string(p) + " meetings", description: string(p) + " meetings", filter: meetings.Filter{Program: p}})
	}
	return &v, nil
}

func (s *Server) principalPath() string { return s.cfg.Prefix + "/public/" }
func (s *Server) homePath() string      { return s.cfg.Prefix + "/public/calendars/" }

func (s *Server) collectionPath(c *collection) string { return s.homePath() + c.name + "/" }

func (s *Server) objectPath(c *collection, slug string) string {
	return s.collectionPath(c) + slug + ".ics"
}

// target is what a request path names.
type target struct {
	kind int
	coll *collection
	slug string
}

const (
	targetNone = iota
	targetWellKnown
	targetRoot
	targetPrincipal
	targetHome
	targetCollection
	targetObject
)

func (s *Server) resolve(path string) target {
	switch {
	case path == "/.well-known/caldav" || path == "/.well-known/caldav/":
		return target{kind: targetWellKnown}
	case path == "/" || path == s.cfg.Prefix || path == s.cfg.Prefix+"/":
		return target{kind: targetRoot}
	case path == s.principalPath() || path+"/" == s.principalPath():
		return target{kind: targetPrincipal}
	case path == s.homePath() || path+"/" == s.homePath():
		return target{kind: targetHome}
	}
	rest, ok := strings.CutPrefix(path, s.homePath())
	if !ok {
		return target{}
	}
	name, obj, _ := strings.Cut(rest, "/")
	for i := range s.collections {
		c := &s.collections[i]
		if c.name != name {
			continue
		}
		if obj == "" {
			return target{kind: targetCollection, coll: c}
		}
		if slug, ok := strings.CutSuffix(obj, ".ics"); ok && slug != "" && !strings.Contains(slug, "/") {
			return target{kind: targetObject, coll: c, slug: slug}
		}
	}
	return target{}
}

// ServeHTTP implements http.Handler. The server is built once; each request
// is answered by the view of it whose feed links to the base URL that
// request should see (calendar.Origin).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l, err := s.cfg.Feed.Origin().Links(r)
	if err != nil {
		http.Error(w, "bad Host header: "+err.Error(), http.StatusBadRequest)
		return
	}
	s.at(l).serve(w, r)
}

// at is the view of s that renders links to l; it shares s's caches.
func (s *Server) at(l calendar.Links) *Server {
	v := *s
	v.cfg.Feed = s.cfg.Feed.For(l)
	return &v
}

// writeMethods change resources; this server refuses them all, wherever
// they are aimed, with 403 and a DAV error (RFC 4918 §16, RFC 3744 §7.1.1).
var writeMethods = map[string]bool{
	http.MethodPut: true, http.MethodDelete: true, http.MethodPost: true, http.MethodPatch: true,
	"MKCALENDAR": true, "MKCOL": true, "MOVE": true, "COPY": true, "LOCK": true, "UNLOCK": true, "ACL": true,
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBody)
	v, err := s.withPrograms(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s = v
	t := s.resolve(r.URL.Path)
	switch {
	case writeMethods[r.Method]:
		davError(w, http.StatusForbidden, el("d:need-privileges", el("d:resource", href(r.URL.Path),
			el("d:privilege", el("d:write")))), "This calendar server is read-only: the schedule is changed in Hearth itself.")
		return
	case t.kind == targetNone:
		http.Error(w, "no such CalDAV resource", http.StatusNotFound)
		return
	case t.kind == targetWellKnown:
		s.serveWellKnown(w, r)
		return
	}
	switch r.Method {
	case http.MethodOptions:
		w.Header().Set("DAV", "1, 3, calendar-access")
		w.Header().Set("Allow", "OPTIONS, GET, HEAD, PROPFIND, PROPPATCH, REPORT")
		w.WriteHeader(http.StatusNoContent)
	case http.MethodGet, http.MethodHead:
		s.serveGet(w, r, t)
	case "PROPFIND":
		s.servePropfind(w, r, t)
	case "REPORT":
		s.serveReport(w, r, t)
	case "PROPPATCH":
		s.serveProppatch(w, r)
	default:
		w.Header().Set("Allow", "OPTIONS, GET, HEAD, PROPFIND, PROPPATCH, REPORT")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// member is one series of a collection with its ETag.
type member struct {
	entry meetings.Meeting
	etag  string
}

// listMembers lists a collection's series that occur at least once, with
// their ETags; the list is shared and must not be modified.
func (s *Server) listMembers(ctx context.Context, c *collection) ([]member, error) {
	modified, err := s.cfg.Source.LastModified(ctx)
	if err != nil {
		return nil, fmt.Errorf("caldav: last change: %w", err)
	}
	key := s.cfg.Feed.Links().Base() + " " + c.name
	year := s.cfg.Feed.Year()
	if ms, ok := s.members.get(key, modified, year); ok {
		return ms, nil
	}
	entries, err := s.cfg.Source.Schedule(ctx, c.filter)
	if err != nil {
		return nil, fmt.Errorf("caldav: list %s: %w", c.name, err)
	}
	out := make([]member, 0, len(entries))
	for i := range entries {
		if _, ok := entries[i].Series.Recurrence.FirstDate(); !ok {
			continue
		}
		out = append(out, member{entry: entries[i], etag: s.cfg.Feed.ETag(&entries[i])})
	}
	s.members.put(key, cachedMembers{modified: modified, year: year, ms: out})
	return out, nil
}

// member finds one series in a collection; ok is false when it is not there.
func (s *Server) member(ctx context.Context, c *collection, slug string) (member, bool, error) {
	e, ok, err := s.cfg.Source.Meeting(ctx, slug)
	if err != nil {
		return member{}, false, fmt.Errorf("caldav: get %s: %w", slug, err)
	}
	if !ok || !c.filter.Match(&e) {
		return member{}, false, nil
	}
	if _, ok := e.Series.Recurrence.FirstDate(); !ok {
		return member{}, false, nil
	}
	return member{entry: e, etag: s.cfg.Feed.ETag(&e)}, true, nil
}

// ctag changes whenever a member is added, removed or changed.
func ctag(ms []member) string {
	h := sha256.New()
	for _, m := range ms {
		fmt.Fprintf(h, "%s=%s\n", m.entry.Series.Slug, m.etag)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func syncToken(ms []member) string { return "https://hearth.invalid/sync/" + ctag(ms) }

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	s.log.ErrorContext(r.Context(), "caldav", "method", r.Method, "path", r.URL.Path, "err", err)
	http.Error(w, "the calendar could not be read", http.StatusInternalServerError)
}

// serveProppatch refuses every property change with a 207 that marks each
// one 403, which Apple clients accept during set-up where a 501 breaks it.
func (s *Server) serveProppatch(w http.ResponseWriter, r *http.Request) {
	var req struct {
		XMLName xml.Name `xml:"DAV: propertyupdate"`
		Set     []struct {
			Prop anyElem `xml:"DAV: prop"`
		} `xml:"DAV: set"`
		Remove []struct {
			Prop anyElem `xml:"DAV: prop"`
		} `xml:"DAV: remove"`
	}
	if _, err := decodeBody(r, s.cfg.MaxBody, &req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var names []xml.Name
	for _, set := range req.Set {
		for _, p := range set.Prop.Any {
			names = append(names, p.XMLName)
		}
	}
	for _, rm := range req.Remove {
		for _, p := range rm.Prop.Any {
			names = append(names, p.XMLName)
		}
	}
	resp := el("d:response", href(r.URL.Path))
	if ps, ok := propstat(names, http.StatusForbidden, "This calendar is read-only."); ok {
		resp.Children = append(resp.Children, ps)
	}
	writeXML(w, http.StatusMultiStatus, &multistatusXML{Attrs: rootNamespaces, Responses: []elem{resp}})
}

// CollectionPath is the path of the collection that holds exactly the series
// f matches, or "" when no collection does (CalDAV collections exist for all
// meetings, each format and each program, not for every filter).
func CollectionPath(prefix string, f meetings.Filter) string {
	home := prefix + "/public/calendars/"
	rest := f
	rest.Format, rest.Program = "", ""
	if rest != (meetings.Filter{}) {
		return ""
	}
	switch {
	case f.Format != "" && f.Program != "":
		return ""
	case f.Format != "":
		return home + "format-" + slugify(string(f.Format)) + "/"
	case f.Program != "":
		return home + "program-" + slugify(string(f.Program)) + "/"
	}
	return home + "all/"
}
