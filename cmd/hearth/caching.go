package main

import (
	"net/http"
	"strings"
)

// privateCaching keeps shared caches from storing responses whose absolute
// URLs were built from the request's Host header (feeds, CalDAV, the Meeting
// Guide JSON, the API's $schema links, the pages' subscribe links). Without
// --public-url anyone can send a Host of their choosing, and a shared cache
// that kept that answer would hand the forged links to everyone else. With
// --public-url set the links never come from the request, so the handlers'
// own Cache-Control stands.
//
// Static assets and the WebSocket embed no URL and pass through unchanged.
func privateCaching(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/static/") || r.URL.Path == uiSignalPath {
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(&privateWriter{ResponseWriter: w}, r)
	})
}

// privateWriter rewrites Cache-Control just before the header is sent,
// whatever the handler set: "public" becomes "private", a missing value
// becomes "private", and no-store or private stay as they are.
type privateWriter struct {
	http.ResponseWriter
	wrote bool
}

func (p *privateWriter) WriteHeader(code int) {
	if !p.wrote {
		p.wrote = true
		h := p.ResponseWriter.Header()
		h.Set("Cache-Control", privateCacheControl(h.Get("Cache-Control")))
	}
	p.ResponseWriter.WriteHeader(code)
}

func (p *privateWriter) Write(b []byte) (int, error) {
	if !p.wrote {
		p.WriteHeader(http.StatusOK)
	}
	return p.ResponseWriter.Write(b)
}

func (p *privateWriter) Unwrap() http.ResponseWriter { return p.ResponseWriter }

// Flush passes through for streamed responses.
func (p *privateWriter) Flush() {
	if !p.wrote {
		p.WriteHeader(http.StatusOK)
	}
	if f, ok := p.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// privateCacheControl is cc with every shared-cache permission taken away.
func privateCacheControl(cc string) string {
	var out []string
	for _, d := range strings.Split(cc, ",") {
		d = strings.TrimSpace(d)
		name := strings.ToLower(d)
		switch {
		case name == "no-store", name == "private":
			return cc
		case name == "", name == "public", strings.HasPrefix(name, "s-maxage"):
			continue
		}
		out = append(out, d)
	}
	return strings.Join(append([]string{"private"}, out...), ", ")
}
