package calendar

import (
	"fmt"
	"net/http"
	"net/url"
)

// Origin says which base URL published links are built on: the configured
// public URL, or, when none is set, the scheme and host each request came to.
// Handlers are built once at start and ask their Origin per request, so
// nothing is rebuilt (and no cache is lost) for want of a public URL.
type Origin struct {
	// fixed holds the configured public URL's links; nil means per request.
	fixed *Links
}

// NewOrigin parses publicURL; "" means links follow each request.
func NewOrigin(publicURL string) (Origin, error) {
	if publicURL == "" {
		return Origin{}, nil
	}
	l, err := NewLinks(publicURL)
	if err != nil {
		return Origin{}, err
	}
	return Origin{fixed: &l}, nil
}

// Fixed reports whether links come from a configured public URL (and so are
// the same for everyone who asks).
func (o Origin) Fixed() bool { return o.fixed != nil }

// Links returns the links for answers to r.
func (o Origin) Links(r *http.Request) (Links, error) {
	if o.fixed != nil {
		return *o.fixed, nil
	}
	return NewLinks(RequestBase(r))
}

// RequestBase is the base URL a request was made to, for when no public URL
// is configured (development, or a single machine on a LAN).
func RequestBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: r.Host}
	return u.String()
}

// badHost answers a request whose Host header cannot make a link.
func badHost(w http.ResponseWriter, err error) {
	http.Error(w, fmt.Sprintf("bad Host header: %v", err), http.StatusBadRequest)
}
