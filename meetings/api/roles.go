package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/hearth-recovery/hearth/meetings"
)

// RoleInput is a service role to add to a meeting.
type RoleInput struct {
	Label string `json:"label" minLength:"1" maxLength:"40" doc:"What the room shows for a chair who claims with this key" example:"Secretary"`
	Until string `json:"until,omitempty" doc:"Last day the key works, YYYY-MM-DD, through the end of that day in the meeting's time zone; absent: no end" example:"2027-03-31"`
}

// RoleJSON is a service role as returned; its key only once, when made.
type RoleJSON struct {
	ID      int64     `json:"id"`
	Label   string    `json:"label"`
	Until   string    `json:"until,omitempty"`
	Ends    time.Time `json:"ends,omitzero" doc:"The instant the key stops working (the midnight after until in the meeting's zone)"`
	Expired bool      `json:"expired" doc:"The key no longer works (its last day has passed)"`
	Created time.Time `json:"created"`
	HostKey string    `json:"host_key,omitempty" doc:"The role's host key, shown only in the response that made it; give it to whoever holds the role"`
}

type roleWrite struct {
	Slug string `path:"slug" maxLength:"64"`
	Body RoleInput
}

type roleDelete struct {
	Slug string `path:"slug" maxLength:"64"`
	ID   int64  `path:"id" minimum:"1"`
}

type roleOut struct{ Body RoleJSON }
type rolesOut struct{ Body []RoleJSON }

func (s *Server) registerRoles(api huma.API) {
	huma.Register(api, s.adminOp("list-roles", http.MethodGet, "/api/meetings/{slug}/roles", "List a meeting's service roles (named host keys; never the keys)", http.StatusOK, "meetings"), s.listRoles)
	add := s.adminOp("add-role", http.MethodPost, "/api/meetings/{slug}/roles", "Add a service role, a named host key with an optional last day (returns the key once)", http.StatusCreated, "meetings")
	add.Errors = append(add.Errors, http.StatusNotFound, http.StatusConflict)
	huma.Register(api, add, s.addRole)
	rm := s.adminOp("revoke-role", http.MethodDelete, "/api/meetings/{slug}/roles/{id}", "Revoke a service role: its key is refused from now on, on every node", http.StatusNoContent, "meetings")
	rm.Errors = append(rm.Errors, http.StatusNotFound)
	huma.Register(api, rm, s.revokeRole)
}

func (s *Server) listRoles(ctx context.Context, in *slugWrite) (*rolesOut, error) {
	m, err := s.store.Meeting(ctx, in.Slug)
	if err != nil {
		return nil, s.problem(err)
	}
	loc, now := m.RolesZone(), s.cfg.Now()
	out := make([]RoleJSON, len(m.Room.HostRoles))
	for i, h := range m.Room.HostRoles {
		out[i] = roleJSON(h, loc, now)
	}
	return &rolesOut{Body: out}, nil
}

func (s *Server) addRole(ctx context.Context, in *roleWrite) (*roleOut, error) {
	m, err := s.store.Meeting(ctx, in.Slug)
	if err != nil {
		return nil, s.problem(err)
	}
	var until *meetings.Date
	if in.Body.Until != "" {
		d, err := meetings.ParseDate(in.Body.Until)
		if err != nil {
			return nil, s.problem(&meetings.ValidationError{Problems: []meetings.FieldError{{Field: "until", Message: err.Error()}}})
		}
		until = &d
	}
	loc, now := m.RolesZone(), s.cfg.Now()
	h, key, err := meetings.NewHostRole(in.Body.Label, until, loc, now)
	if err != nil {
		return nil, s.problem(err)
	}
	if err := s.store.AddHostRole(ctx, in.Slug, &h); err != nil {
		return nil, s.problem(err)
	}
	out := roleJSON(h, loc, now)
	out.HostKey = key
	return &roleOut{Body: out}, nil
}

func (s *Server) revokeRole(ctx context.Context, in *roleDelete) (*struct{}, error) {
	return nil, s.problem(s.store.RevokeHostRole(ctx, in.Slug, in.ID))
}

func roleJSON(h meetings.HostRole, loc *time.Location, now time.Time) RoleJSON {
	out := RoleJSON{ID: h.ID, Label: h.Label, Created: h.Created, Expired: !h.InForce(loc, now), Ends: h.Ends(loc)}
	if h.Until != nil {
		out.Until = h.Until.String()
	}
	return out
}
