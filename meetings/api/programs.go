package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/hearth-recovery/hearth/meetings"
)

// ProgramInput is a program as an admin writes it.
type ProgramInput struct {
	Key          string `json:"key,omitempty" maxLength:"40" doc:"Stored on meetings and used in filters and feed links; never changes. Defaults to the abbreviation, else the name. Ignored on PUT." example:"GA"`
	Name         string `json:"name" maxLength:"120" doc:"Full name, shown where the viewer's language has no translation" example:"Gamblers Anonymous"`
	Abbreviation string `json:"abbreviation,omitempty" maxLength:"20" example:"GA"`
	Format       string `json:"format" enum:"12-step,smart,faith-based,secular,other" doc:"The kind of meeting the program's meetings usually are"`
	Retired      bool   `json:"retired,omitempty" doc:"Retired programs keep their meetings but are not offered for new ones"`
}

// ProgramJSON is a program as returned.
type ProgramJSON struct {
	ProgramInput
	Slug string `json:"slug" doc:"The key in lowercase letters, digits and dashes: the CalDAV collection name" example:"ga"`
	// Meetings counts the meetings that have the program: one in use can
	// be retired but not deleted.
	Meetings int       `json:"meetings" doc:"Meetings that have this program; a program in use cannot be deleted, only retired"`
	Created  time.Time `json:"created,omitzero"`
	Updated  time.Time `json:"updated,omitzero"`
}

// ProgramList is every program in display order.
type ProgramList struct {
	Programs []ProgramJSON `json:"programs"`
}

type programsInput struct{ Conditional }

type programWrite struct{ Body ProgramInput }

type programPut struct {
	Key  string `path:"key" maxLength:"40"`
	Body ProgramInput
}

type programDelete struct {
	Key string `path:"key" maxLength:"40"`
}

type programOut struct{ Body ProgramJSON }

func (s *Server) registerPrograms(api huma.API) {
	huma.Register(api, s.op("list-programs", http.MethodGet, "/api/programs", "List programs (retired ones too) with how many meetings each has", "programs"), s.listPrograms)
	huma.Register(api, s.adminOp("create-program", http.MethodPost, "/api/programs", "Add a program", http.StatusCreated, "programs"), s.createProgram)
	huma.Register(api, s.adminOp("update-program", http.MethodPut, "/api/programs/{key}", "Rename, reformat, retire or restore a program", http.StatusOK, "programs"), s.updateProgram)
	huma.Register(api, s.adminOp("delete-program", http.MethodDelete, "/api/programs/{key}", "Delete a program no meeting or group has (else retire it)", http.StatusNoContent, "programs"), s.deleteProgram)
}

func programJSON(p *meetings.ProgramInfo, uses int) ProgramJSON {
	return ProgramJSON{ProgramInput: ProgramInput{Key: string(p.Key), Name: p.Name, Abbreviation: p.Abbreviation,
		Format: string(p.Format), Retired: p.Retired}, Slug: p.Slug, Meetings: uses, Created: p.Created, Updated: p.Updated}
}

func (s *Server) listPrograms(ctx context.Context, in *programsInput) (*Cached[ProgramList], error) {
	ps, err := s.store.Programs(ctx)
	if err != nil {
		return nil, s.problem(err)
	}
	all, err := s.store.ListMeetings(ctx, meetings.Filter{})
	if err != nil {
		return nil, s.problem(err)
	}
	uses := make(map[meetings.Program]int)
	for i := range all {
		uses[all[i].Program]++
	}
	out := ProgramList{Programs: make([]ProgramJSON, len(ps))}
	for i := range ps {
		out.Programs[i] = programJSON(&ps[i], uses[ps[i].Key])
	}
	return respond(in.Conditional, out)
}

func (s *Server) createProgram(ctx context.Context, in *programWrite) (*programOut, error) {
	b := in.Body
	p := meetings.NewProgram(b.Name, b.Abbreviation, meetings.Format(b.Format))
	if b.Key != "" {
		p.Key, p.Slug = meetings.Program(b.Key), meetings.ProgramSlug(meetings.Program(b.Key))
	}
	p.Retired = b.Retired
	if err := s.store.CreateProgram(ctx, &p); err != nil {
		return nil, s.problem(err)
	}
	return &programOut{Body: programJSON(&p, 0)}, nil
}

func (s *Server) updateProgram(ctx context.Context, in *programPut) (*programOut, error) {
	b := in.Body
	p := meetings.NewProgram(b.Name, b.Abbreviation, meetings.Format(b.Format))
	p.Key, p.Retired = meetings.Program(in.Key), b.Retired
	if err := s.store.UpdateProgram(ctx, &p); err != nil {
		return nil, s.problemAt(err, map[string]string{"key": "path.key"})
	}
	uses, err := s.store.ListMeetings(ctx, meetings.Filter{Program: p.Key})
	if err != nil {
		return nil, s.problem(err)
	}
	return &programOut{Body: programJSON(&p, len(uses))}, nil
}

func (s *Server) deleteProgram(ctx context.Context, in *programDelete) (*struct{}, error) {
	return nil, s.problem(s.store.DeleteProgram(ctx, meetings.Program(in.Key)))
}
