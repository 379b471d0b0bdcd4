package meetings

import "time"

// Window is a slice of the day on a wall clock: the starts from From up to,
// not including, To, in minutes after midnight (0 to 1440). A window whose To
// is before its From wraps past midnight (22:00-02:00). It is read in the
// zone of the time it is given, so the viewer's window holds across DST.
type Window struct {
	From, To int
}

// AllDay is the window that holds every time.
func AllDay() Window { return Window{0, 24 * 60} }

// WindowOf is the window from after to before; nil leaves that end open.
func WindowOf(after, before *LocalTime) Window {
	w := AllDay()
	if after != nil {
		w.From = after.Minutes()
	}
	if before != nil {
		w.To = before.Minutes()
	}
	return w
}

// Contains reports whether the wall-clock time of t, in t's location, is
// inside the window.
func (w Window) Contains(t time.Time) bool {
	m := t.Hour()*60 + t.Minute()
	if w.To < w.From {
		return m >= w.From || m < w.To
	}
	return m >= w.From && m < w.To
}

// TimeOfDay is a named window members pick from ("evening").
type TimeOfDay struct {
	Name string
	Window
}

// TimesOfDay are the named windows the schedule offers, in the order of the day.
func TimesOfDay() []TimeOfDay {
	return []TimeOfDay{
		{"morning", Window{5 * 60, 12 * 60}},
		{"afternoon", Window{12 * 60, 17 * 60}},
		{"evening", Window{17 * 60, 21 * 60}},
		{"night", Window{21 * 60, 5 * 60}},
	}
}

// LookupTimeOfDay finds a named window.
func LookupTimeOfDay(name string) (TimeOfDay, bool) {
	for _, t := range TimesOfDay() {
		if t.Name == name {
			return t, true
		}
	}
	return TimeOfDay{}, false
}
