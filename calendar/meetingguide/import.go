package meetingguide

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// Target is where an import writes; cmd/hearth implements it over the store.
type Target interface {
	// Group returns a group by slug; ok is false when there is none.
	Group(ctx context.Context, slug string) (g meetings.Group, ok bool, err error)
	// UpsertGroup creates or replaces the group with g.Slug.
	UpsertGroup(ctx context.Context, g meetings.Group) (meetings.Group, error)
	// Series returns a series by slug; ok is false when there is none.
	Series(ctx context.Context, slug string) (s meetings.Series, ok bool, err error)
	// UpsertSeries creates or replaces the series with s.Slug.
	UpsertSeries(ctx context.Context, s meetings.Series) error
	// Programs lists the schedule's programs.
	Programs(ctx context.Context) ([]meetings.ProgramInfo, error)
	// CreateProgram adds a program the schedule lacks.
	CreateProgram(ctx context.Context, p *meetings.ProgramInfo) error
}

// ImportConfig fills what a feed may leave out.
type ImportConfig struct {
	// TimeZone is used for entries without one (the spec makes it optional).
	TimeZone string
	Format   meetings.Format
	Program  meetings.Program
	// MaxEntries bounds the size of a feed.
	MaxEntries int
	// Today is the first date of newly imported series.
	Today meetings.Date
}

// Defaults fills unset fields.
func (c *ImportConfig) Defaults() {
	if c.Format == "" {
		c.Format = meetings.Format12Step
	}
	if c.Program == "" {
		c.Program = "AA"
	}
	if c.MaxEntries == 0 {
		c.MaxEntries = 20000
	}
	if c.Today.IsZero() {
		c.Today = meetings.DateOf(time.Now().UTC())
	}
}

// Problem is one entry skipped, or imported with a change, and why.
type Problem struct {
	Index  int    `json:"index"`
	Slug   string `json:"slug,omitempty"`
	Reason string `json:"reason"`
}

// Report says what an import did, entry by entry.
type Report struct {
	Created, Updated, Unchanged int
	// NewPrograms are the programs the feed named that the schedule lacked,
	// added to it (an admin can rename them or set their format later).
	NewPrograms []meetings.ProgramInfo
	Skipped     []Problem
	Warnings    []Problem
}

// String summarises the report for the command line.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d created, %d updated, %d unchanged, %d skipped\n", r.Created, r.Updated, r.Unchanged, len(r.Skipped))
	for _, p := range r.NewPrograms {
		fmt.Fprintf(&b, "new program %q (%s) added; rename it or change its format on the admin page\n", p.Key, p.Format)
	}
	for _, p := range r.Skipped {
		fmt.Fprintf(&b, "skipped entry %d (%s): %s\n", p.Index, p.Slug, p.Reason)
	}
	for _, p := range r.Warnings {
		fmt.Fprintf(&b, "entry %d (%s): %s\n", p.Index, p.Slug, p.Reason)
	}
	if r.Created > 0 {
		b.WriteString("New meetings have random host keys; an admin can reset a meeting's host key to hand it to its chair.\n")
	}
	return b.String()
}

// rawMeeting reads the fields Hearth uses, loosely typed, because real feeds
// send numbers as strings and strings as numbers.
type rawMeeting struct {
	Name             string          `json:"name"`
	Slug             json.RawMessage `json:"slug"`
	Day              json.RawMessage `json:"day"`
	Time             string          `json:"time"`
	EndTime          string          `json:"end_time"`
	Timezone         string          `json:"timezone"`
	Types            json.RawMessage `json:"types"`
	Notes            string          `json:"notes"`
	ConferencePhone  string          `json:"conference_phone"`
	FormattedAddress string          `json:"formatted_address"`
	City             string          `json:"city"`
	State            string          `json:"state"`
	Country          string          `json:"country"`
	Group            string          `json:"group"`
	GroupNotes       string          `json:"group_notes"`
	Venmo            string          `json:"venmo"`
	Square           string          `json:"square"`
	PayPal           string          `json:"paypal"`
	Updated          string          `json:"updated"`
	HearthFormat     string          `json:"hearth_format"`
	HearthProgram    string          `json:"hearth_program"`
	Languages        []string        `json:"languages"`
}

// Import reads a feed from r and writes its valid entries to t. It is
// idempotent: an entry equal to what is stored is not written again.
func Import(ctx context.Context, r io.Reader, t Target, cfg ImportConfig) (Report, error) {
	cfg.Defaults()
	var rep Report
	var items []json.RawMessage
	if err := json.NewDecoder(r).Decode(&items); err != nil {
		return rep, fmt.Errorf("meetingguide: the feed is not a JSON array of meetings: %w", err)
	}
	if len(items) > cfg.MaxEntries {
		return rep, fmt.Errorf("meetingguide: the feed has %d entries; the limit is %d", len(items), cfg.MaxEntries)
	}
	programs, err := t.Programs(ctx)
	if err != nil {
		return rep, fmt.Errorf("meetingguide: read programs: %w", err)
	}
	in := &importRun{t: t, cfg: cfg, seen: make(map[string]bool, len(items)), programs: make(map[meetings.Program]bool), rep: &rep}
	for _, p := range programs {
		in.programs[p.Key] = true
	}
	for i, raw := range items {
		if err := ctx.Err(); err != nil {
			return rep, fmt.Errorf("meetingguide: import stopped: %w", err)
		}
		if err := in.one(ctx, i, raw); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// importRun is one import: where it writes, what it has seen and the
// programs the schedule has, which it adds to.
type importRun struct {
	t        Target
	cfg      ImportConfig
	seen     map[string]bool
	programs map[meetings.Program]bool
	rep      *Report
}

// one imports one entry, recording a skip for bad input; it returns an
// error only when the target fails.
func (in *importRun) one(ctx context.Context, i int, raw json.RawMessage) error {
	t, cfg, seen, rep := in.t, in.cfg, in.seen, in.rep
	var m rawMeeting
	if err := json.Unmarshal(raw, &m); err != nil {
		rep.Skipped = append(rep.Skipped, Problem{Index: i, Reason: "not a meeting object: " + err.Error()})
		return nil
	}
	slug := slugOf(m.Slug)
	if seen[slug] && slug != "" {
		rep.Skipped = append(rep.Skipped, Problem{Index: i, Slug: slug, Reason: "duplicate slug: an earlier entry has it"})
		return nil
	}
	seen[slug] = true
	s, g, warns, err := toSeries(&m, slug, cfg)
	for _, w := range warns {
		rep.Warnings = append(rep.Warnings, Problem{Index: i, Slug: slug, Reason: w})
	}
	if err != nil {
		rep.Skipped = append(rep.Skipped, Problem{Index: i, Slug: slug, Reason: err.Error()})
		return nil
	}
	if ok, err := in.program(ctx, s.Program, s.Format, i, slug); !ok || err != nil {
		return err
	}
	group, err := upsertGroup(ctx, t, g)
	if err != nil {
		var ve *meetings.ValidationError
		if errors.As(err, &ve) {
			rep.Skipped = append(rep.Skipped, Problem{Index: i, Slug: slug, Reason: "group: " + err.Error()})
			return nil
		}
		return err
	}
	s.GroupID, s.GroupSlug = group.ID, group.Slug
	return upsertSeries(ctx, t, s, i, rep)
}

// program makes sure the schedule has the entry's program: one it lacks is
// added, under the feed's name for it, rather than filed under "other". ok
// is false when the entry was skipped (a name no program can have).
func (in *importRun) program(ctx context.Context, key meetings.Program, format meetings.Format, i int, slug string) (bool, error) {
	if in.programs[key] {
		return true, nil
	}
	p := meetings.ProgramInfo{Key: key, Slug: meetings.ProgramSlug(key), Name: string(key), Format: format}
	if err := in.t.CreateProgram(ctx, &p); err != nil {
		var ve *meetings.ValidationError
		if errors.As(err, &ve) {
			in.rep.Skipped = append(in.rep.Skipped, Problem{Index: i, Slug: slug, Reason: "program: " + err.Error()})
			return false, nil
		}
		if !errors.Is(err, meetings.ErrConflict) { // another writer added it meanwhile
			return false, fmt.Errorf("meetingguide: add program %q: %w", key, err)
		}
	} else {
		in.rep.NewPrograms = append(in.rep.NewPrograms, p)
	}
	in.programs[key] = true
	return true, nil
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// slugOf accepts a string or number slug and makes it URL-safe the way Hearth
// slugs are (lower case, digits, single dashes).
func slugOf(raw json.RawMessage) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return ""
	}
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	}
	return slugify(s)
}

func slugify(s string) string {
	s = strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if len(s) > meetings.MaxSlugLen {
		s = strings.TrimRight(s[:meetings.MaxSlugLen], "-")
	}
	return s
}

func upsertGroup(ctx context.Context, t Target, g meetings.Group) (meetings.Group, error) {
	old, ok, err := t.Group(ctx, g.Slug)
	if err != nil {
		return g, fmt.Errorf("meetingguide: read group %s: %w", g.Slug, err)
	}
	if ok {
		same := old.Name == g.Name && old.Location == g.Location && old.ConferencePhone == g.ConferencePhone &&
			old.Description == g.Description && old.Venmo == g.Venmo && old.Square == g.Square && old.PayPal == g.PayPal
		if same {
			return old, nil
		}
		old.Name, old.Location, old.ConferencePhone, old.Description = g.Name, g.Location, g.ConferencePhone, g.Description
		old.Venmo, old.Square, old.PayPal = g.Venmo, g.Square, g.PayPal
		g = old
	}
	if err := g.Validate(); err != nil {
		return g, err
	}
	saved, err := t.UpsertGroup(ctx, g)
	if err != nil {
		return g, fmt.Errorf("meetingguide: save group %s: %w", g.Slug, err)
	}
	return saved, nil
}

func upsertSeries(ctx context.Context, t Target, s meetings.Series, i int, rep *Report) error {
	old, ok, err := t.Series(ctx, s.Slug)
	if err != nil {
		return fmt.Errorf("meetingguide: read series %s: %w", s.Slug, err)
	}
	if ok {
		if sameImported(&old, &s) {
			rep.Unchanged++
			return nil
		}
		// Keep what the feed does not carry: identity, room, first date.
		s.ID, s.Room, s.Created, s.Sequence = old.ID, old.Room, old.Created, old.Sequence
		s.Recurrence.Start = old.Recurrence.Start
	} else {
		var err error
		if _, s.Room.HostKeyHash, err = meetings.NewHostKeyHash(); err != nil {
			return fmt.Errorf("meetingguide: host key: %w", err)
		}
	}
	if err := s.Validate(); err != nil {
		rep.Skipped = append(rep.Skipped, Problem{Index: i, Slug: s.Slug, Reason: err.Error()})
		return nil
	}
	if err := t.UpsertSeries(ctx, s); err != nil {
		// The store's own checks (a retired program for a new meeting).
		var ve *meetings.ValidationError
		if errors.As(err, &ve) {
			rep.Skipped = append(rep.Skipped, Problem{Index: i, Slug: s.Slug, Reason: ve.Error()})
			return nil
		}
		return fmt.Errorf("meetingguide: save series %s: %w", s.Slug, err)
	}
	if ok {
		rep.Updated++
	} else {
		rep.Created++
	}
	return nil
}

// sameImported compares the fields a feed sets.
func sameImported(a, b *meetings.Series) bool {
	return a.Name == b.Name && a.GroupSlug == b.GroupSlug && a.Format == b.Format && a.Program == b.Program &&
		slices.Equal(a.Types, b.Types) && slices.Equal(a.Languages, b.Languages) && a.Notes == b.Notes &&
		a.TimeZone == b.TimeZone && a.Start == b.Start && a.Duration == b.Duration &&
		a.Recurrence.Freq == b.Recurrence.Freq && a.Recurrence.Interval == b.Recurrence.Interval &&
		slices.Equal(sortedDays(a.Recurrence.Weekdays), sortedDays(b.Recurrence.Weekdays)) && a.Recurrence.Until == nil
}

// FetchLimit bounds a feed, read from a URL or a file.
const FetchLimit = 32 << 20

// Fetch GETs a feed with the client's timeout and at most limit bytes.
func Fetch(ctx context.Context, client *http.Client, url string, limit int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("meetingguide: feed URL %q: %w", url, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("meetingguide: fetch %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("meetingguide: fetch %s: HTTP %s", url, resp.Status)
	}
	body, err := ReadLimited(resp.Body, limit)
	if err != nil {
		return nil, fmt.Errorf("meetingguide: feed at %s: %w", url, err)
	}
	return body, nil
}

// ReadLimited reads all of r but never more than limit bytes: a larger feed
// (or an endless one, such as a pipe or /dev/zero) is refused after limit+1
// bytes, so memory stays bounded whatever r is.
func ReadLimited(r io.Reader, limit int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("larger than the limit of %d bytes (%d MiB)", limit, limit>>20)
	}
	return body, nil
}
