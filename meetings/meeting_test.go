package meetings

import (
	"net/url"
	"reflect"
	"testing"
	"time"
)

// attached builds the read model of series as the store does.
func attached(t *testing.T, groups []Group, series ...*Series) []Meeting {
	t.Helper()
	ms := make([]Meeting, len(series))
	for i, s := range series {
		ms[i] = Meeting{Series: *s}
	}
	Attach(ms, groups, NewZones())
	for i := range ms {
		if _, err := ms[i].Location(); err != nil {
			t.Fatal(err)
		}
	}
	return ms
}

func TestMeetingCarriesGroupAndZone(t *testing.T) {
	s := series("Europe/Berlin", LocalTime{19, 0}, weekly("2026-01-05", time.Monday))
	s.GroupSlug = "spree"
	lone := series("Europe/Berlin", LocalTime{19, 0}, weekly("2026-01-05", time.Monday))
	lone.GroupSlug = "gone"
	ms := attached(t, []Group{{Slug: "other"}, {Slug: "spree", Name: "Spree Group"}}, s, lone)
	if ms[0].Group == nil || ms[0].Group.Name != "Spree Group" || ms[1].Group != nil {
		t.Fatalf("groups: %+v, %+v", ms[0].Group, ms[1].Group)
	}
	if loc, _ := ms[0].Location(); loc.String() != "Europe/Berlin" {
		t.Fatalf("zone %v", loc)
	}
	bad := Meeting{Series: Series{TimeZone: "Mars/Olympus"}}
	Attach([]Meeting{bad}, nil, NewZones())
	if _, err := bad.Location(); err == nil {
		t.Fatal("a zone the tz database lacks loaded")
	}
	if got := bad.Occurrences(utc("2026-01-01T00:00:00Z"), utc("2027-01-01T00:00:00Z")); got != nil {
		t.Fatalf("a meeting without a zone has occurrences: %v", got)
	}
}

// A 19:00 New York meeting stays 19:00 local across both DST changes, and an
// unattached meeting (a test's fake) loads its zone itself.
func TestMeetingOccurrencesAcrossDST(t *testing.T) {
	s := series("America/New_York", LocalTime{19, 0}, weekly("2026-03-01", time.Saturday, time.Sunday))
	ms := attached(t, nil, s)
	from, to := utc("2026-03-07T00:00:00Z"), utc("2026-03-09T00:00:00Z")
	equal(t, ms[0].Occurrences(from, to), "2026-03-08T00:00:00Z", "2026-03-08T23:00:00Z")
	unattached := Meeting{Series: *s}
	equal(t, unattached.Occurrences(from, to), "2026-03-08T00:00:00Z", "2026-03-08T23:00:00Z")
	equal(t, ms[0].Occurrences(utc("2026-10-31T00:00:00Z"), utc("2026-11-02T06:00:00Z")),
		"2026-10-31T23:00:00Z", "2026-11-02T00:00:00Z")
}

func TestMeetingOccurrencesWithExceptions(t *testing.T) {
	s := series("Europe/London", LocalTime{18, 0}, weekly("2026-03-02", time.Monday))
	ms := attached(t, nil, s)
	moved, start := date("2026-03-18"), LocalTime{20, 30}
	ms[0].Exceptions = []Exception{
		{Date: date("2026-03-09"), Kind: Cancelled, Reason: "Holiday"},
		{Date: date("2026-03-16"), Kind: Moved, NewDate: &moved, NewStart: &start},
		{Date: date("2026-03-23"), Kind: Note, Reason: "Speaker"},
	}
	got := ms[0].Occurrences(utc("2026-03-08T00:00:00Z"), utc("2026-03-25T00:00:00Z"))
	equal(t, got, "2026-03-09T18:00:00Z", "2026-03-18T20:30:00Z", "2026-03-23T18:00:00Z")
	if !got[0].Cancelled || got[0].Reason != "Holiday" || !got[1].Moved || got[1].Date != date("2026-03-16") || got[2].Reason != "Speaker" {
		t.Fatalf("exceptions not applied: %+v", got)
	}
}

// Expand merges meetings in several zones into one list in order of start,
// meetings that start together in order of slug.
func TestExpandSorted(t *testing.T) {
	berlin := series("Europe/Berlin", LocalTime{20, 0}, weekly("2026-01-05", time.Monday))
	berlin.Slug = "z-berlin"
	london := series("Europe/London", LocalTime{19, 0}, weekly("2026-01-05", time.Monday))
	london.Slug = "a-london"
	ny := series("America/New_York", LocalTime{9, 0}, weekly("2026-01-05", time.Monday))
	ny.Slug = "m-ny"
	ms := attached(t, nil, berlin, ny, london)
	got := Expand(ms, utc("2026-01-05T00:00:00Z"), utc("2026-01-06T00:00:00Z"))
	var order []string
	for _, sl := range got {
		order = append(order, sl.Meeting.Slug+"@"+sl.Start.UTC().Format("15:04"))
	}
	want := []string{"m-ny@14:00", "a-london@19:00", "z-berlin@19:00"}
	if !reflect.DeepEqual(order, want) {
		t.Fatalf("got %v, want %v", order, want)
	}
	if got[0].Meeting != &ms[1] {
		t.Fatal("a slot does not point at its meeting")
	}
}

func TestWindow(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	at := func(s string) time.Time { return utc(s).In(ny) }
	evening, _ := LookupTimeOfDay("evening")
	night, _ := LookupTimeOfDay("night")
	nine, two := LocalTime{21, 0}, LocalTime{2, 0}
	cases := []struct {
		name string
		w    Window
		t    time.Time
		want bool
	}{
		{"evening holds 19:00 EST", evening.Window, at("2026-01-06T00:00:00Z"), true},
		{"evening holds 19:00 EDT (another UTC hour)", evening.Window, at("2026-07-06T23:00:00Z"), true},
		{"evening ends before 21:00", evening.Window, at("2026-07-07T01:00:00Z"), false},
		{"night wraps: 23:00", night.Window, at("2026-07-07T03:00:00Z"), true},
		{"night wraps: 04:59", night.Window, at("2026-07-07T08:59:00Z"), true},
		{"night wraps: not 05:00", night.Window, at("2026-07-07T09:00:00Z"), false},
		{"after 21:00 before 02:00 wraps", WindowOf(&nine, &two), at("2026-07-07T05:30:00Z"), true},
		{"after only", WindowOf(&nine, nil), at("2026-07-07T03:59:00Z"), true},
		{"before only", WindowOf(nil, &two), at("2026-07-07T06:00:00Z"), false},
		{"all day", AllDay(), at("2026-07-07T03:59:00Z"), true},
	}
	for _, c := range cases {
		if got := c.w.Contains(c.t); got != c.want {
			t.Errorf("%s: got %v", c.name, got)
		}
	}
	if _, ok := LookupTimeOfDay("noon"); ok {
		t.Error("unknown time of day found")
	}
}

func TestFilterQueryRoundTrip(t *testing.T) {
	tue := time.Tuesday
	sun := time.Sunday
	for _, f := range []Filter{
		{},
		{Format: Format12Step, Program: "SMART Recovery", Type: "W", Language: "pt-BR", TimeZone: "America/Sao_Paulo",
			GroupSlug: "sunrise", Day: &tue, Text: "just for today & more"},
		{Day: &sun},
		{Text: "café"},
	} {
		q := f.Values()
		back, problems := ParseFilter(q)
		if len(problems) > 0 || !reflect.DeepEqual(back, f) {
			t.Errorf("%+v -> %q -> %+v %v", f, q.Encode(), back, problems)
		}
		// And through the text of a URL.
		parsed, err := url.ParseQuery(q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		if again, _ := ParseFilter(parsed); !reflect.DeepEqual(again, f) {
			t.Errorf("%q -> %+v", q.Encode(), again)
		}
	}
	q, _ := url.ParseQuery("format=smart&program=NA&type=O&language=es&timezone=Europe/Madrid&group=g&day=0&q=step")
	f, problems := ParseFilter(q)
	if len(problems) > 0 || f.Values().Encode() != q.Encode() {
		t.Fatalf("%q -> %+v -> %q", q.Encode(), f, f.Values().Encode())
	}
}

func TestParseFilterProblems(t *testing.T) {
	long := make([]byte, MaxFilterValue+1)
	for i := range long {
		long[i] = 'a'
	}
	q := url.Values{"day": {"7"}, "q": {string(long)}, "format": {" smart "}}
	f, problems := ParseFilter(q)
	if f.Day != nil || f.Text != "" || f.Format != FormatSMART {
		t.Fatalf("filter %+v", f)
	}
	if len(problems) != 2 {
		t.Fatalf("problems %v", problems)
	}
	for _, p := range problems {
		switch p.Key {
		case KeyDay:
			if p.TooLong || p.Value != "7" {
				t.Errorf("day: %+v", p)
			}
		case KeyText:
			if !p.TooLong {
				t.Errorf("q: %+v", p)
			}
		default:
			t.Errorf("unexpected %+v", p)
		}
	}
	for _, d := range []string{"-1", "x", "1.5"} {
		if _, problems := ParseFilter(url.Values{"day": {d}}); len(problems) != 1 {
			t.Errorf("day %q accepted", d)
		}
	}
}

func TestFilterUnknown(t *testing.T) {
	f := Filter{Format: "bogus", Program: "AA", Type: "ZZZ", Language: "1x", Text: "any"}
	var keys []string
	for _, p := range f.Unknown() {
		keys = append(keys, p.Key)
	}
	if want := []string{KeyFormat, KeyType, KeyLanguage}; !reflect.DeepEqual(keys, want) {
		t.Fatalf("unknown %v, want %v", keys, want)
	}
	if got := f.Without(keys...); got != (Filter{Program: "AA", Text: "any"}) {
		t.Fatalf("without: %+v", got)
	}
	if ok := (Filter{Language: "PT-br", Type: "W"}).Unknown(); len(ok) != 0 {
		t.Fatalf("known values refused: %v", ok)
	}
}
