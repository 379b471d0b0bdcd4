package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// requireAdmin is the API middleware that checks the admin token of every
// operation that declares the bearer security scheme, before Huma reads or
// validates anything of the request: without the token a write gets 401 (or
// 429 when the token checks are saturated), never a 422 about its body.
func (s *Server) requireAdmin(api huma.API) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		if !needsAdmin(ctx.Operation()) {
			next(ctx)
			return
		}
		status, msg := s.authorize(ctx.Header("Authorization"))
		if status == 0 {
			next(ctx)
			return
		}
		if status == http.StatusTooManyRequests {
			ctx.SetHeader("Retry-After", strconv.Itoa(int(RetryAfter.Seconds())))
		} else {
			// RFC 6750 §3: a 401 names the scheme the client should use.
			ctx.SetHeader("WWW-Authenticate", `Bearer realm="hearth"`)
		}
		_ = huma.WriteErr(api, ctx, status, msg)
	}
}

func needsAdmin(op *huma.Operation) bool {
	for _, req := range op.Security {
		if _, ok := req["bearer"]; ok {
			return true
		}
	}
	return false
}

// authorize reads an Authorization header: status 0 lets the request in,
// else the status and message to refuse it with.
func (s *Server) authorize(header string) (int, string) {
	token, ok := strings.CutPrefix(header, "Bearer ")
	switch {
	case header == "":
		return http.StatusUnauthorized, "this needs the admin token: send Authorization: Bearer <token>"
	case !ok:
		return http.StatusUnauthorized, "the Authorization header must be Bearer <token>"
	}
	err := s.admin.Check(strings.TrimSpace(token))
	switch {
	case err == nil:
		return 0, ""
	case errors.Is(err, ErrBusy):
		return http.StatusTooManyRequests, err.Error()
	}
	return http.StatusUnauthorized, err.Error()
}
