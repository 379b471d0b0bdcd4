package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/danielgtaylor/huma/v2"

	"github.com/hearth-recovery/hearth/meetings"
)

// AdminTokenSetting is the store setting that holds the generated admin
// token's argon2id hash.
const AdminTokenSetting = "admin_token_hash"

// Admin checks the admin bearer token. Only hashes are held: the argon2id
// hash from the store, and after the first success a SHA-256 of the token,
// so that later requests skip the deliberately slow argon2id.
type Admin struct {
	hash string // argon2id PHC string; empty when explicit is set

	// verify serialises argon2id checks: each takes 64 MiB, so wrong
	// guesses must not run in parallel.
	verify sync.Mutex
	mu     sync.Mutex // guards known
	// known is the SHA-256 of a token that passed, or of the explicit token.
	known []byte
}

// NewAdmin sets up the admin token. With explicit set (HEARTH_ADMIN_TOKEN),
// that token is used and nothing is stored. Otherwise the hash in the store
// is used, or on first start a token is generated, its hash stored, and the
// token logged once at WARN with how to use it.
func NewAdmin(ctx context.Context, store meetings.Store, explicit string, log *slog.Logger) (*Admin, error) {
	if explicit != "" {
		if len(explicit) < 16 {
			return nil, errors.New("api: the admin token must be at least 16 characters")
		}
		sum := sha256.Sum256([]byte(explicit))
		return &Admin{known: sum[:]}, nil
	}
	hash, err := store.Setting(ctx, AdminTokenSetting)
	if err == nil {
		return &Admin{hash: hash}, nil
	}
	if !errors.Is(err, meetings.ErrNotFound) {
		return nil, fmt.Errorf("api: admin token: %w", err)
	}
	token, err := meetings.NewToken()
	if err != nil {
		return nil, err
	}
	if hash, err = meetings.HashSecret(token); err != nil {
		return nil, err
	}
	if err := store.PutSetting(ctx, AdminTokenSetting, hash); err != nil {
		return nil, fmt.Errorf("api: admin token: %w", err)
	}
	log.Warn("generated the admin token; it is shown only this once, so save it now",
		"token", token, "use", "Authorization: Bearer "+token,
		"replace", "set HEARTH_ADMIN_TOKEN (or --admin-token) to use a token of your own instead")
	return &Admin{hash: hash}, nil
}

// Verify reports whether token is the admin token. Other parts (the chair
// check in the SFU wiring) use it to grant the admin chair rights.
func (a *Admin) Verify(token string) bool {
	if token == "" || len(token) > 256 {
		return false
	}
	sum := sha256.Sum256([]byte(token))
	a.mu.Lock()
	known := a.known
	a.mu.Unlock()
	if known != nil {
		return subtle.ConstantTimeCompare(known, sum[:]) == 1
	}
	if a.hash == "" {
		return false
	}
	a.verify.Lock()
	ok := meetings.VerifySecret(a.hash, token)
	a.verify.Unlock()
	if ok {
		a.mu.Lock()
		a.known = sum[:]
		a.mu.Unlock()
	}
	return ok
}

// AdminAuth is embedded in the input of every admin operation.
type AdminAuth struct {
	Authorization string `header:"Authorization" doc:"Bearer <admin token>"`
}

// check returns a 401 problem unless the header carries the admin token.
func (s *Server) check(in AdminAuth) error {
	token, ok := strings.CutPrefix(in.Authorization, "Bearer ")
	var msg string
	switch {
	case in.Authorization == "":
		msg = "this needs the admin token: send Authorization: Bearer <token>"
	case !ok:
		msg = "the Authorization header must be Bearer <token>"
	case !s.admin.Verify(strings.TrimSpace(token)):
		msg = "the admin token is wrong"
	default:
		return nil
	}
	// RFC 6750 §3: a 401 names the scheme the client should use.
	return huma.ErrorWithHeaders(huma.Error401Unauthorized(msg), http.Header{"WWW-Authenticate": {`Bearer realm="hearth"`}})
}
