package ui

import (
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// The schedule's program filter offers only programs that have meetings,
// names them in the page language where the catalogs do and by their stored
// name otherwise (an admin's program, a renamed default), and drops an
// unknown program with a notice.
func TestProgramFilterFollowsData(t *testing.T) {
	r := sampleSchedule()
	circles := meetings.NewProgram("Recovery Circles", "RCs", meetings.FormatSecular)
	renamed, _ := meetings.DefaultProgram("GA")
	renamed.Name = "Gambling Recovery Fellowship"
	r.programs = []meetings.ProgramInfo{circles}
	for i, p := range []meetings.Program{circles.Key, "GA"} {
		r.series = append(r.series, meetings.Series{ID: int64(20 + i), Slug: "extra-" + string(p), Name: "Extra " + string(p),
			Format: meetings.FormatSecular, Program: p, Languages: []string{"en"}, TimeZone: "America/New_York",
			Start: meetings.LocalTime{Hour: 20}, Duration: time.Hour, Recurrence: weekly(time.Monday)})
	}
	h := newTestHandler(t, r)

	body := get(t, h, "/?lang=es").Body.String()
	mustContain(t, body, `<option value="NA">Narcóticos Anónimos (NA)</option>`,
		`<option value="RCs">Recovery Circles (RCs)</option>`, `<option value="GA">Jugadores Anónimos (GA)</option>`)
	// Defaults nobody meets under are not offered.
	mustNotContain(t, body, `value="OA"`, `value="Millati Islami"`)

	body = get(t, h, "/?program=RCs").Body.String()
	mustContain(t, body, "/m/extra-RCs", `<option value="RCs" selected>`)
	mustNotContain(t, body, "/m/monday-night")

	body = get(t, h, "/?program=XA").Body.String()
	mustContain(t, body, "Unknown program “XA” was ignored.", "/m/monday-night")

	// A renamed default shows the admin's name in every language.
	r.programs = append(r.programs, renamed)
	body = get(t, h, "/?lang=fr").Body.String()
	mustContain(t, body, `<option value="GA">Gambling Recovery Fellowship (GA)</option>`)
}
