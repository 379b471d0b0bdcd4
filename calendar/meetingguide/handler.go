package meetingguide

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-recovery/hearth/calendar"
	"github.com/hearth-recovery/hearth/meetings"
)

// Handler serves the export at /api/meeting-guide.json and per format and
// program at /api/meeting-guide/format/{format}.json and
// /api/meeting-guide/program/{program}.json.
type Handler struct {
	src    calendar.Source
	origin calendar.Origin
	log    *slog.Logger
	now    func() time.Time
	dialIn string // see ExportOptions.DialIn
}

// NewHandler returns a Handler reading src whose links point to origin; now
// may be nil (time.Now).
func NewHandler(src calendar.Source, origin calendar.Origin, log *slog.Logger, now func() time.Time) *Handler {
	if now == nil {
		now = time.Now
	}
	return &Handler{src: src, origin: origin, log: log, now: now}
}

// WithDialIn makes the export announce Hearth's dial-in number (empty:
// each group's own conference_phone).
func (h *Handler) WithDialIn(number string) *Handler {
	h.dialIn = number
	return h
}

// Register mounts the export routes on mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/meeting-guide.json", h.serve)
	mux.HandleFunc("GET /api/meeting-guide/{kind}/{name}", h.serve)
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) {
	links, err := h.origin.Links(r)
	if err != nil {
		problem(w, http.StatusBadRequest, "Bad Request", "the Host header cannot make a link: "+err.Error())
		return
	}
	var f meetings.Filter
	if kind := r.PathValue("kind"); kind != "" {
		name, ok := strings.CutSuffix(r.PathValue("name"), ".json")
		switch {
		case !ok || name == "":
			problem(w, http.StatusNotFound, "Not Found", "Meeting Guide feeds end in .json")
			return
		case kind == "format":
			f.Format = meetings.Format(name)
		case kind == "program":
			f.Program = meetings.Program(name)
		default:
			problem(w, http.StatusNotFound, "Not Found", "feeds are per format or per program")
			return
		}
	}
	entries, err := h.src.Schedule(r.Context(), f)
	if err == nil && f.Program != "" && len(entries) == 0 {
		// A program's feed exists while it has meetings, as its iCalendar
		// feed and CalDAV collection do.
		problem(w, http.StatusNotFound, "Not Found", "no meetings of program "+strconv.Quote(string(f.Program)))
		return
	}
	if err == nil {
		var modified time.Time
		if modified, err = h.src.LastModified(r.Context()); err == nil {
			h.write(w, r, links, entries, modified)
			return
		}
	}
	h.log.ErrorContext(r.Context(), "meeting guide export", "err", err)
	problem(w, http.StatusInternalServerError, "Internal Server Error", "the export could not be built")
}

func (h *Handler) write(w http.ResponseWriter, r *http.Request, links calendar.Links, entries []meetings.Meeting, modified time.Time) {
	out, omitted := Export(entries, links, ExportOptions{SplitDays: r.URL.Query().Get("split") == "days", Now: h.now(), DialIn: h.dialIn})
	body, err := json.Marshal(out)
	if err != nil {
		problem(w, http.StatusInternalServerError, "Internal Server Error", "the export could not be encoded")
		return
	}
	sum := sha256.Sum256(body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
	w.Header().Set("Access-Control-Allow-Origin", "*") // directories fetch it from their own sites
	w.Header().Set("X-Hearth-Omitted", strconv.Itoa(len(omitted)))
	http.ServeContent(w, r, "", modified.UTC().Truncate(time.Second), bytes.NewReader(body))
}

// problem answers with an RFC 9457 problem document.
func problem(w http.ResponseWriter, status int, title, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"title": title, "status": status, "detail": detail})
}
