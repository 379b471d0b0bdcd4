package caldav

import (
	"net/http"
)

// Discovery (RFC 6764, RFC 5397): /.well-known/caldav redirects to the
// principal; a PROPFIND on the server's root (/), on the prefix or on the
// principal answers current-user-principal, principal-URL and
// calendar-home-set, so that clients pointed at the bare host name, as
// README tells users to do, find the calendars.

// serveWellKnown redirects to the principal. 308 keeps the method, so a
// PROPFIND stays a PROPFIND.
func (s *Server) serveWellKnown(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, s.principalPath(), http.StatusPermanentRedirect)
}

// discoveryProps are the properties of the root and of the principal.
func (s *Server) discoveryProps(kind int) props {
	p := props{
		dav("resourcetype"):               {children: []elem{el("d:collection")}},
		dav("displayname"):                textProp("Hearth"),
		dav("current-user-principal"):     hrefProp(s.principalPath()),
		dav("principal-URL"):              hrefProp(s.principalPath()),
		caldav("calendar-home-set"):       hrefProp(s.homePath()),
		dav("current-user-privilege-set"): readOnly(),
		dav("owner"):                      hrefProp(s.principalPath()),
		dav("principal-collection-set"):   hrefProp(s.cfg.Prefix + "/"),
	}
	if kind == targetPrincipal {
		p[dav("resourcetype")] = prop{children: []elem{el("d:collection"), el("d:principal")}}
		p[dav("displayname")] = textProp("Public schedule")
	}
	return p
}

// propfindDiscovery answers the root or the principal, named as requested;
// depth 1 adds the principal below the root, or the home set below the
// principal.
func (s *Server) propfindDiscovery(path string, kind int, pr *propRequest, deep bool) []response {
	resps := []response{pr.answer(path, s.discoveryProps(kind))}
	if !deep {
		return resps
	}
	if kind == targetRoot && path != s.principalPath() {
		resps = append(resps, pr.answer(s.principalPath(), s.discoveryProps(targetPrincipal)))
	}
	if kind == targetPrincipal {
		resps = append(resps, pr.answer(s.homePath(), s.homeProps()))
	}
	return resps
}
