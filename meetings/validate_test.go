package meetings

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func validSeries() Series {
	return Series{
		Slug: "monday-night-step", Name: "Monday Night Step Study", Format: Format12Step, Program: "AA",
		Types: []string{"O", "ST"}, Languages: []string{"en"}, TimeZone: "America/New_York",
		Start: LocalTime{19, 0}, Duration: time.Hour, Recurrence: weekly("2026-01-05", time.Monday),
		Room: RoomSettings{MaxParticipants: 100},
	}
}

// Each field's problem is reported with the field's name and words that say what to fix.
func TestSeriesValidateEachField(t *testing.T) {
	cases := []struct {
		field, want string
		mutate      func(*Series)
	}{
		{"slug", "lowercase letters", func(s *Series) { s.Slug = "Monday Night" }},
		{"slug", "required", func(s *Series) { s.Slug = "" }},
		{"slug", "limit is 64", func(s *Series) { s.Slug = strings.Repeat("a", 65) }},
		{"name", "name is required", func(s *Series) { s.Name = "  " }},
		{"name", "limit is 120", func(s *Series) { s.Name = strings.Repeat("é", 121) }},
		{"notes", "control characters", func(s *Series) { s.Notes = "bell\a" }},
		{"format", `format "zoom"`, func(s *Series) { s.Format = "zoom" }},
		{"program", `program "A/B" may hold only`, func(s *Series) { s.Program = "A/B" }},
		{"program", "a program is required", func(s *Series) { s.Program = "" }},
		{"types", `unknown type code "XYZ"`, func(s *Series) { s.Types = []string{"O", "XYZ"} }},
		{"languages", `language "English"`, func(s *Series) { s.Languages = []string{"English"} }},
		{"timezone", `"America/New_Yrok" is not an IANA timezone`, func(s *Series) { s.TimeZone = "America/New_Yrok" }},
		{"timezone", `"Local" is not an IANA timezone`, func(s *Series) { s.TimeZone = "Local" }},
		{"time", "not a time of day", func(s *Series) { s.Start = LocalTime{25, 0} }},
		{"duration", "between 10m0s and 12h0m0s", func(s *Series) { s.Duration = 0 }},
		{"recurrence", "end date 2025-12-31 is before the first date 2026-01-05", func(s *Series) {
			d := date("2025-12-31")
			s.Recurrence.Until = &d
		}},
		{"recurrence", "first date 0000-01-03 must be between 2000-01-01 and 2100-12-31", func(s *Series) {
			s.Recurrence.Start = date("0000-01-03")
		}},
		{"recurrence", "end date 2101-01-03 must be between", func(s *Series) {
			d := date("2101-01-03")
			s.Recurrence.Until = &d
		}},
		{"recurrence", "at least one weekday", func(s *Series) { s.Recurrence.Weekdays = nil }},
		{"recurrence", "interval 0", func(s *Series) { s.Recurrence.Interval = 0 }},
		{"recurrence", "exactly one weekday", func(s *Series) {
			s.Recurrence.Freq = Monthly
			s.Recurrence.SetPos = 1
			s.Recurrence.Weekdays = []time.Weekday{1, 2}
		}},
		{"recurrence", "week of month 5", func(s *Series) { s.Recurrence.Freq = Monthly; s.Recurrence.SetPos = 5 }},
		{"recurrence", `frequency "daily"`, func(s *Series) { s.Recurrence.Freq = "daily" }},
		{"room.max_participants", "between 2 and 500", func(s *Series) { s.Room.MaxParticipants = 1 }},
	}
	ok := validSeries()
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid series rejected: %v", err)
	}
	for _, c := range cases {
		t.Run(c.field+"/"+c.want, func(t *testing.T) {
			s := validSeries()
			c.mutate(&s)
			var verr *ValidationError
			if err := s.Validate(); !errors.As(err, &verr) {
				t.Fatalf("got %v, want a ValidationError", err)
			}
			if len(verr.Problems) != 1 || verr.Problems[0].Field != c.field || !strings.Contains(verr.Problems[0].Message, c.want) {
				t.Fatalf("got %+v, want one problem on %s containing %q", verr.Problems, c.field, c.want)
			}
		})
	}
}

func TestExceptionValidate(t *testing.T) {
	s := validSeries()
	d := date("2026-03-02")
	far := date("2026-05-01")
	beyond := date("9999-03-02")
	cases := []struct {
		name, want string
		ex         Exception
	}{
		{"year 0000", "date 0000-01-03 must be between 2000-01-01 and 2100-12-31", Exception{Date: date("0000-01-03"), Kind: Cancelled, Reason: "Holiday"}},
		{"year 2101", "date 2101-01-03 must be between", Exception{Date: date("2101-01-03"), Kind: Cancelled, Reason: "Holiday"}},
		{"not a meeting day", "is not a date on which", Exception{Date: date("2026-03-03"), Kind: Cancelled, Reason: "Holiday"}},
		{"cancel needs a reason", "reason is required", Exception{Date: d, Kind: Cancelled}},
		{"move needs a change", "needs a new date", Exception{Date: d, Kind: Moved}},
		{"move to 9999", "new date 9999-03-02 must be between", Exception{Date: d, Kind: Moved, NewDate: &beyond}},
		{"move too far", "at most 31 days", Exception{Date: d, Kind: Moved, NewDate: &far}},
		{"note cannot move", "only a moved occurrence", Exception{Date: d, Kind: Note, NewDuration: time.Hour}},
		// Monday 2 March onto Monday 9 March, when the series meets anyway.
		{"move onto a meeting day", `"Monday Night Step Study" already meets on 2026-03-09 (Monday) at 19:00`, Exception{Date: d, Kind: Moved, NewDate: ptr(date("2026-03-09"))}},
		{"move onto a meeting day, overlapping", "would overlap it", Exception{Date: d, Kind: Moved, NewDate: ptr(date("2026-03-09")), NewStart: &LocalTime{18, 30}}},
		{"unknown kind", `kind "skip"`, Exception{Date: d, Kind: "skip"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.ex.Validate(&s)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
	good := Exception{Date: d, Kind: Cancelled, Reason: "Holiday"}
	if err := good.Validate(&s); err != nil {
		t.Fatalf("valid exception rejected: %v", err)
	}
	// Onto a meeting day at a time that does not overlap, onto another day,
	// or to another time the same day: all fine.
	for _, ok := range []Exception{
		{Date: d, Kind: Moved, NewDate: ptr(date("2026-03-09")), NewStart: &LocalTime{10, 0}},
		{Date: d, Kind: Moved, NewDate: ptr(date("2026-03-10"))},
		{Date: d, Kind: Moved, NewStart: &LocalTime{20, 0}},
	} {
		if err := ok.Validate(&s); err != nil {
			t.Errorf("%+v rejected: %v", ok, err)
		}
	}
}

func TestGroupValidate(t *testing.T) {
	g := Group{Slug: "hope-group", Name: "Hope Group", Program: "NA", TraditionURL: "https://example.org/give", ConferencePhone: "+1 555 0100,,123#"}
	if err := g.Validate(); err != nil {
		t.Fatalf("valid group rejected: %v", err)
	}
	g.TraditionURL = "javascript:alert(1)"
	g.ConferencePhone = "call me"
	err := g.Validate()
	var verr *ValidationError
	if !errors.As(err, &verr) || len(verr.Problems) != 2 {
		t.Fatalf("got %v, want two problems (tradition_url, conference_phone)", err)
	}
}

func TestSecrets(t *testing.T) {
	key, err := NewHostKey()
	if err != nil {
		t.Fatal(err)
	}
	if len(key) != 19 || strings.Count(key, "-") != 3 {
		t.Fatalf("host key %q is not 4 groups of 4", key)
	}
	hash, err := HashSecret(key)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(hash, key) || !strings.HasPrefix(hash, "$argon2id$") {
		t.Fatalf("hash %q is not an argon2id PHC string", hash)
	}
	if !VerifySecret(hash, key) {
		t.Fatal("the right key does not verify")
	}
	if VerifySecret(hash, key+"x") || VerifySecret("garbage", key) || VerifySecret("", "") {
		t.Fatal("a wrong key or malformed hash verifies")
	}
}

func TestTypeCodes(t *testing.T) {
	if tc, ok := LookupType("W"); !ok || tc.English != "Women" {
		t.Fatalf("LookupType(W) = %+v %v", tc, ok)
	}
	if _, ok := LookupType("ONL"); ok {
		t.Fatal("ONL was removed from the spec in 2022 and must not validate")
	}
	all := TypeCodes()
	for i := 1; i < len(all); i++ {
		if all[i-1].Code >= all[i].Code {
			t.Fatalf("type table not sorted at %q, %q", all[i-1].Code, all[i].Code)
		}
	}
	if got := TypeNames([]string{"O", "SP", "zz"}); got != "Open, Speaker, zz" {
		t.Fatalf("TypeNames = %q", got)
	}
}

func ptr[T any](v T) *T { return &v }
