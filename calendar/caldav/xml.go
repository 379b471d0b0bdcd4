package caldav

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
)

// XML namespaces used in requests and answers.
const (
	nsDAV    = "DAV:"
	nsCalDAV = "urn:ietf:params:xml:ns:caldav"
	nsCS     = "http://calendarserver.org/ns/"
	nsApple  = "http://apple.com/ns/ical/"
)

// prefixes are the namespace prefixes declared on every multistatus.
var prefixes = map[string]string{nsDAV: "d", nsCalDAV: "c", nsCS: "cs", nsApple: "ical"}

// anyElem is an XML element whose name is all that matters.
type anyElem struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Inner   []byte     `xml:",innerxml"`
	Any     []anyElem  `xml:",any"`
}

// props maps property names to their XML content (already escaped) for one
// resource.
type props map[xml.Name]string

// response is one <d:response> of a multistatus.
type response struct {
	href  string
	found props
	// missing lists requested properties the resource does not have.
	missing []xml.Name
	// status replaces propstats when set (e.g. 404 for a multiget href).
	status int
}

// multistatus writes a 207 answer.
func multistatus(w http.ResponseWriter, resps []response, syncToken string) {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	b.WriteString(`<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/" xmlns:ical="http://apple.com/ns/ical/">`)
	for _, r := range resps {
		writeResponse(&b, r)
	}
	if syncToken != "" {
		b.WriteString("<d:sync-token>" + escape(syncToken) + "</d:sync-token>")
	}
	b.WriteString("</d:multistatus>\n")
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(http.StatusMultiStatus)
	_, _ = w.Write(b.Bytes())
}

func writeResponse(b *bytes.Buffer, r response) {
	b.WriteString("<d:response><d:href>" + escape(r.href) + "</d:href>")
	if r.status != 0 {
		fmt.Fprintf(b, "<d:status>HTTP/1.1 %d %s</d:status></d:response>", r.status, http.StatusText(r.status))
		return
	}
	if len(r.found) > 0 {
		b.WriteString("<d:propstat><d:prop>")
		names := make([]xml.Name, 0, len(r.found))
		for n := range r.found {
			names = append(names, n)
		}
		sortNames(names)
		for _, n := range names {
			writeProp(b, n, r.found[n])
		}
		b.WriteString("</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>")
	}
	writeStatusProps(b, r.missing, http.StatusNotFound)
	b.WriteString("</d:response>")
}

func writeStatusProps(b *bytes.Buffer, names []xml.Name, status int) {
	if len(names) == 0 {
		return
	}
	b.WriteString("<d:propstat><d:prop>")
	for _, n := range names {
		writeProp(b, n, "")
	}
	fmt.Fprintf(b, "</d:prop><d:status>HTTP/1.1 %d %s</d:status></d:propstat>", status, http.StatusText(status))
}

// writeProp writes <prefix:local>content</prefix:local>, declaring an
// unknown namespace on the element itself.
func writeProp(b *bytes.Buffer, n xml.Name, content string) {
	tag, decl := qualified(n)
	b.WriteString("<" + tag + decl)
	if content == "" {
		b.WriteString("/>")
		return
	}
	b.WriteString(">" + content + "</" + tag + ">")
}

func qualified(n xml.Name) (tag, decl string) {
	if p, ok := prefixes[n.Space]; ok {
		return p + ":" + n.Local, ""
	}
	if n.Space == "" {
		return n.Local, ""
	}
	return "x:" + n.Local, ` xmlns:x="` + escape(n.Space) + `"`
}

func sortNames(names []xml.Name) {
	sort.Slice(names, func(i, j int) bool {
		if names[i].Space != names[j].Space {
			return names[i].Space < names[j].Space
		}
		return names[i].Local < names[j].Local
	})
}

func escape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// davError answers status with an RFC 4918 §16 error body naming the
// precondition that failed.
func davError(w http.ResponseWriter, status int, condition string) {
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="utf-8"?>`+"\n"+
		`<d:error xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">%s</d:error>`+"\n", condition)
}

// decodeBody reads an XML request body of at most limit bytes into v. An
// empty body leaves v untouched and reports empty.
func decodeBody(r *http.Request, limit int64, v any) (empty bool, err error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return false, fmt.Errorf("read body: %w", err)
	}
	if int64(len(body)) > limit {
		return false, fmt.Errorf("request body is larger than %d bytes", limit)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return true, nil
	}
	if err := xml.Unmarshal(body, v); err != nil {
		return false, fmt.Errorf("malformed XML: %w", err)
	}
	return false, nil
}
