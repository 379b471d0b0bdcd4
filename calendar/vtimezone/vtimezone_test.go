package vtimezone

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
)

func TestTransitionsNewYork(t *testing.T) {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	trs := Transitions(loc, 2026, 2026)
	if len(trs) != 2 {
		t.Fatalf("got %d transitions in 2026, want 2", len(trs))
	}
	spring, fall := trs[0], trs[1]
	if !spring.At.Equal(time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC)) || spring.From != -5*3600 || spring.To != -4*3600 || !spring.DST || spring.Name != "EDT" {
		t.Errorf("spring transition %+v", spring)
	}
	if got := spring.LocalStart().Format("20060102T150405"); got != "20260308T020000" {
		t.Errorf("spring DTSTART %s, want 20260308T020000", got)
	}
	if !fall.At.Equal(time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC)) || fall.DST {
		t.Errorf("fall transition %+v", fall)
	}
}

func TestComponentYearlyTail(t *testing.T) {
	cases := map[string][]string{
		"America/New_York": {"FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU"},
		"Europe/Berlin":    {"FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"},
		"Asia/Kolkata":     nil,
	}
	for name, want := range cases {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		c := Component(loc, 2024, 2028)
		var rules []string
		for _, ch := range c.Children {
			if p := ch.Props.Get(ical.PropRecurrenceRule); p != nil {
				rules = append(rules, p.Value)
			}
		}
		if strings.Join(rules, "|") != strings.Join(want, "|") {
			t.Errorf("%s: rules %v, want %v", name, rules, want)
		}
		cal := ical.NewCalendar()
		cal.Props.SetText(ical.PropProductID, "-//test//EN")
		cal.Props.SetText(ical.PropVersion, "2.0")
		cal.Children = append(cal.Children, c)
		var b bytes.Buffer
		if err := ical.NewEncoder(&b).Encode(cal); err != nil {
			t.Errorf("%s: encode: %v", name, err)
		}
	}
}

func TestFormatOffset(t *testing.T) {
	for sec, want := range map[int]string{-18000: "-0500", 19800: "+0530", 0: "+0000", 45900: "+1245", -17762: "-045602"} {
		if got := formatOffset(sec); got != want {
			t.Errorf("formatOffset(%d) = %s, want %s", sec, got, want)
		}
	}
}

func TestComponentFirstObservance(t *testing.T) {
	loc, _ := time.LoadLocation("America/New_York")
	c := Component(loc, 2025, 2026)
	first := c.Children[0]
	if got := first.Props.Get(ical.PropDateTimeStart).Value; got != "20250101T000000" {
		t.Errorf("first observance starts %s, want the start of the covered years, 20250101T000000", got)
	}
	if first.Name != ical.CompTimezoneStandard || first.Props.Get(ical.PropTimezoneOffsetTo).Value != "-0500" {
		t.Errorf("first observance %s to %s", first.Name, first.Props.Get(ical.PropTimezoneOffsetTo).Value)
	}
}
