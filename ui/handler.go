package ui

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/hearth-recovery/hearth/ui/i18n"
)

//go:embed templates
var templateFS embed.FS

// Handler serves the browser pages. It is safe for concurrent use: after New
// it holds only read-only state.
type Handler struct {
	cfg   Config
	log   *slog.Logger
	pages map[string]*template.Template
	cat   *i18n.Catalog
	mux   *http.ServeMux
}

// New builds the page handler.
func New(cfg Config, log *slog.Logger) (*Handler, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	h := &Handler{cfg: cfg, log: log, pages: pages, cat: cfg.Catalog}
	h.mux = h.routes()
	return h, nil
}

func (h *Handler) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", h.home)
	mux.HandleFunc("GET /m/{slug}", h.meeting)
	mux.HandleFunc("GET /m/{slug}/join", h.join)
	mux.HandleFunc("GET /subscribe", h.subscribe)
	mux.HandleFunc("GET /admin/{$}", h.admin)
	mux.HandleFunc("GET /admin/new", h.adminNew)
	mux.HandleFunc("GET /admin/m/{slug}", h.adminMeeting)
	mux.Handle("GET /static/", http.StripPrefix("/static/", staticHandler(h.cfg.Static)))
	// Browsers ask for /favicon.ico whatever the page links; it is the
	// same SVG the pages link (Chromium and Firefox read SVG by its type).
	mux.HandleFunc("GET /favicon.ico", h.favicon)
	return mux
}

func (h *Handler) favicon(w http.ResponseWriter, r *http.Request) {
	icon, err := fs.ReadFile(h.cfg.Static, "favicon.svg")
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(icon))
}

// ServeHTTP adds the security headers every page needs and dispatches.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var nodes []string
	if h.cfg.Nodes != nil {
		nodes = h.cfg.Nodes()
	}
	setSecurityHeaders(w.Header(), nodes)
	h.mux.ServeHTTP(w, r)
}

// contentSecurityPolicy allows only same-origin files: no inline script or
// style, no framing, and media only from the page's own WebRTC streams.
// Connections go to the page's origin, and to the other nodes of a
// deployment whose rooms run on several (their signaling).
func contentSecurityPolicy(nodes []string) string {
	connect := "'self'"
	for _, n := range nodes {
		connect += " " + n
	}
	return "default-src 'self'; script-src 'self'; style-src 'self'; " +
		"img-src 'self' data:; media-src 'self' blob: mediastream:; connect-src " + connect + "; " +
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}

func setSecurityHeaders(hd http.Header, nodes []string) {
	hd.Set("Content-Security-Policy", contentSecurityPolicy(nodes))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Permissions-Policy", "camera=(self), microphone=(self), geolocation=(), payment=()")
}

// page is the data every template receives.
type page struct {
	Site            string
	Title           string
	MeetingGuideURL string
	Viewer          viewer
	Path            string
	Data            any
	// L is the page's language; templates take every text from it.
	L *i18n.Lang
	// Languages and Keep fill the language picker.
	Languages []langOption
	Keep      []keepParam
	// Script is the messages the page's modules use (ui/static/js/i18n.js).
	Script map[string]any
}

// scriptMessages names the catalog prefixes each page's modules read;
// tz.js runs on every page.
var scriptMessages = map[string][]string{
	"join":  {"tz.", "room.", "chair."},
	"admin": {"tz.", "admin."},
	"home":  {"tz.", "filter.toggle"},
}

// render executes a page into a buffer first so that a template error gives a
// clean 500 instead of half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	t, ok := h.pages[name]
	if !ok {
		h.log.Error("ui: unknown template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	p.Site = h.cfg.SiteName
	p.MeetingGuideURL = h.cfg.MeetingGuideURL
	p.Path = r.URL.Path
	p.L = p.Viewer.Lang
	p.Languages = h.languageOptions(p.L.Tag)
	p.Keep = keptParams(r.URL.Query())
	prefixes, ok := scriptMessages[name]
	if !ok {
		prefixes = []string{"tz."}
	}
	p.Script = p.L.Script(prefixes...)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		h.log.Error("ui: render", "template", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// fail renders the error page: 404 for ErrNotFound, 500 (logged) otherwise.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, v viewer, err error) {
	status, title, msg := http.StatusNotFound, "error.notFoundTitle", "error.notFound"
	if !isNotFound(err) {
		status, title, msg = http.StatusInternalServerError, "error.serverTitle", "error.server"
		h.log.Error("ui: page", "path", r.URL.Path, "err", err)
	}
	h.render(w, r, status, "error", page{Title: v.Lang.T(title), Viewer: v, Data: v.Lang.T(msg)})
}

func parsePages() (map[string]*template.Template, error) {
	names := []string{"home", "meeting", "subscribe", "error", "join", "admin"}
	pages := make(map[string]*template.Template, len(names))
	for _, n := range names {
		t, err := template.New(n).Funcs(templateFuncs()).ParseFS(templateFS,
			"templates/layout.html", "templates/"+n+".html")
		if err != nil {
			return nil, fmt.Errorf("ui: parse template %s: %w", n, err)
		}
		pages[n] = t
	}
	return pages, nil
}
