// Package api serves the meetings schedule as a Huma v2 REST API with an
// OpenAPI 3.1 description: public reads (lists, occurrences in the viewer's
// timezone, what is on now) and admin writes behind a bearer token.
//
// This is the only layer that knows HTTP status codes: it maps the store's
// meetings.ErrNotFound, meetings.ErrConflict and *meetings.ValidationError to
// RFC 9457 problem details.
package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/hearth-recovery/hearth/meetings"
)

// Config tunes the API.
type Config struct {
	// Title and Version appear in the OpenAPI description.
	Title   string
	Version string
	// MaxBodyBytes refuses larger request bodies (default 64 KiB).
	MaxBodyBytes int64
	// Now is the clock for "now" and default windows; time.Now when nil.
	Now func() time.Time
}

// Validate fills defaults and checks limits.
func (c *Config) Validate() error {
	if c.Title == "" {
		c.Title = "Hearth"
	}
	if c.Version == "" {
		c.Version = "1.0.0"
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 64 << 10
	}
	if c.MaxBodyBytes < 1024 || c.MaxBodyBytes > 16<<20 {
		return fmt.Errorf("api: body limit %d must be between 1 KiB and 16 MiB", c.MaxBodyBytes)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return nil
}

// Server holds what the handlers need.
type Server struct {
	cfg   Config
	store meetings.Store
	admin *Admin
	log   *slog.Logger
}

// New builds the API server.
func New(cfg Config, store meetings.Store, admin *Admin, log *slog.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if store == nil || admin == nil {
		return nil, errors.New("api: a store and an admin token are required")
	}
	return &Server{cfg: cfg, store: store, admin: admin, log: log}, nil
}

// HumaConfig is the OpenAPI setup: /openapi.json, /openapi.yaml, /docs and
// the bearer security scheme the admin operations declare.
func (s *Server) HumaConfig() huma.Config {
	hc := huma.DefaultConfig(s.cfg.Title, s.cfg.Version)
	hc.DocsPath = "" // Huma's page loads its renderer from a CDN; mountDocs serves one from the binary
	hc.Info.Description = "Schedule of online recovery meetings: public reads, admin writes with a bearer token."
	hc.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "The admin token printed once at first start, or HEARTH_ADMIN_TOKEN."},
	}
	return hc
}

// Mount registers the API on mux and returns the huma.API (for tests and
// for reading the OpenAPI document).
func (s *Server) Mount(mux *http.ServeMux) huma.API {
	api := humago.New(mux, s.HumaConfig())
	s.Register(api)
	mountDocs(mux)
	return api
}

// Register adds every operation to api.
func (s *Server) Register(api huma.API) {
	api.UseMiddleware(s.requireAdmin(api)) // before any operation is registered
	s.registerReads(api)
	s.registerWrites(api)
	s.registerRoles(api)
	s.registerPrograms(api)
	s.registerReadings(api)
}

// op fills the parts every operation shares.
func (s *Server) op(id, method, path, summary string, tags ...string) huma.Operation {
	return huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, Tags: tags,
		MaxBodyBytes: s.cfg.MaxBodyBytes}
}

// problem maps a domain error to a problem-details response.
func (s *Server) problem(err error) error { return s.problemAt(err, nil) }

// problemAt is problem for inputs where some fields are not in the body:
// where maps a field name to its location ("date" to "path.date").
func (s *Server) problemAt(err error, where map[string]string) error {
	var ve *meetings.ValidationError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ve):
		details := make([]error, len(ve.Problems))
		for i, p := range ve.Problems {
			loc, ok := where[p.Field]
			if !ok {
				loc = "body." + p.Field
			}
			details[i] = &huma.ErrorDetail{Location: loc, Message: p.Message}
		}
		return huma.Error422UnprocessableEntity("the input has "+plural(len(details), "problem"), details...)
	case errors.Is(err, meetings.ErrNotFound):
		return huma.Error404NotFound(err.Error())
	case errors.Is(err, meetings.ErrConflict):
		return huma.Error409Conflict(err.Error())
	}
	s.log.Error("api: request failed", "err", err)
	return huma.Error500InternalServerError("internal error; see the server log")
}

// queryProblem reports a bad query parameter.
func queryProblem(param string, value any, err error) error {
	return huma.Error422UnprocessableEntity(err.Error(),
		&huma.ErrorDetail{Location: "query." + param, Message: err.Error(), Value: value})
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
