package api

import (
	"encoding/json"
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
		status, msg := s.admin.authorize(ctx.Header("Authorization"))
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
func (a *Admin) authorize(header string) (int, string) {
	token, ok := strings.CutPrefix(header, "Bearer ")
	switch {
	case header == "":
		return http.StatusUnauthorized, "this needs the admin token: send Authorization: Bearer <token>"
	case !ok:
		return http.StatusUnauthorized, "the Authorization header must be Bearer <token>"
	}
	err := a.Check(strings.TrimSpace(token))
	switch {
	case err == nil:
		return 0, ""
	case errors.Is(err, ErrBusy):
		return http.StatusTooManyRequests, err.Error()
	}
	return http.StatusUnauthorized, err.Error()
}

// Require wraps a handler outside the JSON API (such as /metrics) with the
// same admin token check, answering refusals with RFC 9457 problem details.
func (a *Admin) Require(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status, msg := a.authorize(r.Header.Get("Authorization"))
		if status == 0 {
			next.ServeHTTP(w, r)
			return
		}
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", strconv.Itoa(int(RetryAfter.Seconds())))
		} else {
			w.Header().Set("WWW-Authenticate", `Bearer realm="hearth"`)
		}
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"title": http.StatusText(status), "status": status, "detail": msg})
	})
}
