package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/hearth-recovery/hearth/meetings"
)

// readingsBodyBytes bounds a PUT of a group's readings: every reading at
// its longest, in three-byte characters, with room for JSON escapes.
const readingsBodyBytes = 512 << 10

// ReadingJSON is one of a group's readings: plain text, paragraphs
// separated by a blank line, *emphasis* between asterisks.
type ReadingJSON struct {
	ID    int64  `json:"id,omitempty" minimum:"0" doc:"Set by the server; send it back to edit or move the reading, leave it out to add one"`
	Title string `json:"title" minLength:"1" maxLength:"100" example:"Preamble"`
	Text  string `json:"text" minLength:"1" maxLength:"12000" doc:"Plain text: paragraphs separated by a blank line, *emphasis* between asterisks" example:"We meet to share our experience.\n\nAnyone who wants to stop drinking is *welcome*."`
}

// ReadingList is a group's readings in the order a chair offers them.
type ReadingList struct {
	Readings []ReadingJSON `json:"readings" maxItems:"20" doc:"The whole list, in order: a reading left out is deleted"`
}

type readingsGet struct {
	Slug string `path:"slug" maxLength:"64"`
}

type readingsPut struct {
	Slug string `path:"slug" maxLength:"64"`
	Body ReadingList
}

type readingsOut struct{ Body ReadingList }

func (s *Server) registerReadings(api huma.API) {
	huma.Register(api, s.op("list-readings", http.MethodGet, "/api/groups/{slug}/readings", "A group's readings, in order", "groups"), s.listReadings)
	put := s.adminOp("put-readings", http.MethodPut, "/api/groups/{slug}/readings",
		"Replace a group's readings (add, edit, reorder and delete in one write)", http.StatusOK, "groups")
	put.MaxBodyBytes = readingsBodyBytes
	huma.Register(api, put, s.putReadings)
}

func readingsJSON(rs []meetings.Reading) ReadingList {
	out := ReadingList{Readings: make([]ReadingJSON, len(rs))}
	for i, r := range rs {
		out.Readings[i] = ReadingJSON{ID: r.ID, Title: r.Title, Text: r.Text}
	}
	return out
}

func (s *Server) listReadings(ctx context.Context, in *readingsGet) (*readingsOut, error) {
	rs, err := s.store.Readings(ctx, in.Slug)
	if err != nil {
		return nil, s.problem(err)
	}
	return &readingsOut{Body: readingsJSON(rs)}, nil
}

func (s *Server) putReadings(ctx context.Context, in *readingsPut) (*readingsOut, error) {
	rs := make([]meetings.Reading, len(in.Body.Readings))
	for i, r := range in.Body.Readings {
		rs[i] = meetings.Reading{ID: r.ID, Title: r.Title, Text: r.Text}
	}
	if err := s.store.PutReadings(ctx, in.Slug, rs); err != nil {
		return nil, s.problem(err)
	}
	return &readingsOut{Body: readingsJSON(rs)}, nil
}
