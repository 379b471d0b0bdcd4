package api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// Conditional is embedded in public GET inputs.
type Conditional struct {
	IfNoneMatch string `header:"If-None-Match" doc:"ETag from an earlier response; 304 when unchanged"`
}

// Cached is a public GET response with a strong ETag.
type Cached[T any] struct {
	ETag         string `header:"ETag"`
	CacheControl string `header:"Cache-Control"`
	Body         T
}

// respond hashes the body for its ETag and answers 304 when the client
// already holds it. The hash covers the representation itself, so responses
// that depend on the time ("now") get a new ETag exactly when they change.
func respond[T any](c Conditional, body T) (*Cached[T], error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, huma.Error500InternalServerError("encode response")
	}
	sum := sha256.Sum256(b)
	etag := hex.EncodeToString(sum[:16])
	if matches(c.IfNoneMatch, etag) {
		return nil, huma.Status304NotModified()
	}
	// private: Huma writes each body's $schema link from the request's Host
	// (or X-Forwarded-Host), even with a public URL configured, and the ETag
	// does not cover it, so a shared cache must not keep one client's copy.
	return &Cached[T]{ETag: `"` + etag + `"`, CacheControl: "private, no-cache", Body: body}, nil
}

// matches reads an If-None-Match list (RFC 9110 §13.1.2, weak comparison).
func matches(header, etag string) bool {
	for _, tag := range strings.Split(header, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "*" || strings.Trim(tag, `"`) == etag {
			return true
		}
	}
	return false
}
