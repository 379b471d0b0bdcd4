package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func (h *harness) programs() map[string]ProgramJSON {
	h.t.Helper()
	var list ProgramList
	if err := json.Unmarshal(h.mustStatus(http.StatusOK, "GET", "/api/programs", nil), &list); err != nil {
		h.t.Fatal(err)
	}
	out := make(map[string]ProgramJSON)
	for _, p := range list.Programs {
		out[p.Key] = p
	}
	return out
}

// An admin adds a program, gives it a meeting, renames and retires it; a
// program in use cannot be deleted, an unused one can; bad input is a
// problem document that changes nothing.
func TestProgramsLifecycle(t *testing.T) {
	h := newHarness(t)
	if p := h.programs()["GA"]; p.Name != "Gamblers Anonymous" || p.Format != "12-step" || p.Slug != "ga" {
		t.Fatalf("default GA: %+v", p)
	}
	if resp, _ := h.do("POST", "/api/programs", "", ProgramInput{Name: "Recovery Circles", Format: "secular"}); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous create: %d", resp.StatusCode)
	}
	var made ProgramJSON
	json.Unmarshal(h.mustStatus(http.StatusCreated, "POST", "/api/programs",
		ProgramInput{Name: "Recovery Circles", Abbreviation: "RCs", Format: "secular"}), &made)
	if made.Key != "RCs" || made.Slug != "rcs" {
		t.Fatalf("created %+v", made)
	}
	h.mustStatus(http.StatusConflict, "POST", "/api/programs", ProgramInput{Name: "Other circles", Abbreviation: "RCS", Format: "other"})

	m := meeting("circle")
	m.Program = "RCs"
	h.seed(m)
	if p := h.programs()["RCs"]; p.Meetings != 1 {
		t.Fatalf("in use: %+v", p)
	}
	out := h.mustStatus(http.StatusConflict, "DELETE", "/api/programs/RCs", nil)
	if !strings.Contains(string(out), "retire it instead") {
		t.Fatalf("delete in use: %s", out)
	}
	h.mustStatus(http.StatusOK, "PUT", "/api/programs/RCs", ProgramInput{Name: "Recovery Circle", Abbreviation: "RCs", Format: "secular", Retired: true})
	if p := h.programs()["RCs"]; p.Name != "Recovery Circle" || !p.Retired {
		t.Fatalf("after rename and retire: %+v", p)
	}
	m2 := meeting("circle-two")
	m2.Program = "RCs"
	var prob problemJSON
	json.Unmarshal(h.mustStatus(http.StatusUnprocessableEntity, "POST", "/api/meetings", m2), &prob)
	if len(prob.Errors) != 1 || prob.Errors[0].Location != "body.program" || !strings.Contains(prob.Errors[0].Message, "retired") {
		t.Fatalf("meeting of a retired program: %+v", prob)
	}
	h.mustStatus(http.StatusNoContent, "DELETE", "/api/meetings/circle", nil)
	h.mustStatus(http.StatusNoContent, "DELETE", "/api/programs/RCs", nil)
	h.mustStatus(http.StatusNotFound, "DELETE", "/api/programs/RCs", nil)
	h.mustStatus(http.StatusNotFound, "PUT", "/api/programs/Nope", ProgramInput{Name: "Nope", Format: "other"})

	// A key with a space travels escaped in the path.
	h.mustStatus(http.StatusCreated, "POST", "/api/programs", ProgramInput{Name: "Grief Recovery Circle", Format: "other"})
	h.mustStatus(http.StatusOK, "PUT", "/api/programs/"+url.PathEscape("Grief Recovery Circle"), ProgramInput{Name: "Grief Circle", Format: "other"})
	if p := h.programs()["Grief Recovery Circle"]; p.Name != "Grief Circle" || p.Slug != "grief-recovery-circle" {
		t.Fatalf("renamed by escaped key: %+v", p)
	}
}

func TestProgramProblems(t *testing.T) {
	h := newHarness(t)
	before := len(h.programs())
	for _, tc := range []struct {
		body     any
		location string
	}{
		{ProgramInput{Name: "", Format: "other"}, "body.name"},
		{ProgramInput{Name: "Slashes", Abbreviation: "a/b", Format: "other"}, "body.key"},
		{ProgramInput{Name: "Bad format", Format: "weekly"}, "body.format"},
		{ProgramInput{Name: strings.Repeat("x", 121), Format: "other"}, "body.name"},
		{ProgramInput{Name: "ok", Abbreviation: strings.Repeat("y", 21), Format: "other"}, "body.abbreviation"},
		{ProgramInput{Name: "Only marks", Abbreviation: "ñ", Format: "other"}, "body.key"},
	} {
		var prob problemJSON
		out := h.mustStatus(http.StatusUnprocessableEntity, "POST", "/api/programs", tc.body)
		json.Unmarshal(out, &prob)
		if len(prob.Errors) == 0 || prob.Errors[0].Location != tc.location {
			t.Errorf("%+v: %s", tc.body, out)
		}
	}
	unknown := meeting("x")
	unknown.Program = "XA"
	h.mustStatus(http.StatusCreated, "POST", "/api/groups", group("g"))
	var prob problemJSON
	json.Unmarshal(h.mustStatus(http.StatusUnprocessableEntity, "POST", "/api/meetings", unknown), &prob)
	if len(prob.Errors) != 1 || prob.Errors[0].Location != "body.program" {
		t.Fatalf("unknown program: %+v", prob)
	}
	if n := len(h.programs()); n != before {
		t.Fatalf("bad input changed the programs: %d, was %d", n, before)
	}
}
