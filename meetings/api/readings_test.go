package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestReadings: an admin adds, edits, reorders and deletes a group's
// readings with one PUT each; anyone reads them; bad lists are RFC 9457
// problems naming the field, and change nothing.
func TestReadings(t *testing.T) {
	h := newHarness(t)
	h.mustStatus(201, "POST", "/api/groups", group("g"))
	var got ReadingList
	json.Unmarshal(h.mustStatus(200, "PUT", "/api/groups/g/readings", ReadingList{Readings: []ReadingJSON{
		{Title: "Preamble", Text: "We *share*.\n\nTwo."}, {Title: "How it works here", Text: "One."}}}), &got)
	if len(got.Readings) != 2 || got.Readings[0].ID == 0 || got.Readings[1].Title != "How it works here" {
		t.Fatalf("put: %+v", got)
	}
	pre, how := got.Readings[0], got.Readings[1]
	how.Text = "One.\n\nTwo."
	h.mustStatus(200, "PUT", "/api/groups/g/readings", ReadingList{Readings: []ReadingJSON{how, pre}})
	resp, body := h.do("GET", "/api/groups/g/readings", "", nil) // public
	json.Unmarshal(body, &got)
	if resp.StatusCode != 200 || len(got.Readings) != 2 || got.Readings[0].ID != how.ID || got.Readings[0].Text != "One.\n\nTwo." {
		t.Fatalf("after reorder: %d %s", resp.StatusCode, body)
	}
	before := string(body)

	many := make([]ReadingJSON, 21)
	for i := range many {
		many[i] = ReadingJSON{Title: fmt.Sprint("R", i), Text: "x"}
	}
	for _, tc := range []struct {
		name   string
		token  string
		path   string
		body   any
		status int
		says   string
	}{
		{"no token", "", "/api/groups/g/readings", ReadingList{}, 401, ""},
		{"empty title", testToken, "/api/groups/g/readings", ReadingList{Readings: []ReadingJSON{how, {Title: "", Text: "x"}}}, 422, "body.readings[1].title"},
		{"blank title", testToken, "/api/groups/g/readings", ReadingList{Readings: []ReadingJSON{{Title: "  ", Text: "x"}}}, 422, "body.readings[0].title"},
		{"long title", testToken, "/api/groups/g/readings", ReadingList{Readings: []ReadingJSON{{Title: strings.Repeat("a", 101), Text: "x"}}}, 422, "body.readings[0].title"},
		{"long text", testToken, "/api/groups/g/readings", ReadingList{Readings: []ReadingJSON{{Title: "a", Text: strings.Repeat("a", 12001)}}}, 422, "body.readings[0].text"},
		{"control char", testToken, "/api/groups/g/readings", ReadingList{Readings: []ReadingJSON{{Title: "a", Text: "bell\a"}}}, 422, "control characters"},
		{"too many", testToken, "/api/groups/g/readings", ReadingList{Readings: many}, 422, "body.readings"},
		{"unknown id", testToken, "/api/groups/g/readings", ReadingList{Readings: []ReadingJSON{{ID: 9999, Title: "a", Text: "x"}}}, 422, "body.readings[0].id"},
		{"same id twice", testToken, "/api/groups/g/readings", ReadingList{Readings: []ReadingJSON{how, how}}, 422, "body.readings[1].id"},
		{"no group", testToken, "/api/groups/nope/readings", ReadingList{}, 404, "nope"},
		{"not json", testToken, "/api/groups/g/readings", "{", 400, ""},
	} {
		resp, out := h.do("PUT", tc.path, tc.token, tc.body)
		if resp.StatusCode != tc.status || !strings.Contains(resp.Header.Get("Content-Type"), "problem+json") ||
			!strings.Contains(string(out), tc.says) {
			t.Errorf("%s: %d %s, want %d with %q", tc.name, resp.StatusCode, out, tc.status, tc.says)
		}
	}
	if _, after := h.do("GET", "/api/groups/g/readings", "", nil); string(after) != before {
		t.Fatalf("a refused write changed the readings:\n%s\n%s", before, after)
	}
	if resp, _ := h.do("GET", "/api/groups/nope/readings", "", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("missing group: %d", resp.StatusCode)
	}
	// Deleting them all is one PUT of an empty list.
	h.mustStatus(200, "PUT", "/api/groups/g/readings", ReadingList{Readings: []ReadingJSON{}})
	json.Unmarshal(h.mustStatus(200, "GET", "/api/groups/g/readings", nil), &got)
	if len(got.Readings) != 0 {
		t.Fatalf("after delete all: %+v", got)
	}
}
