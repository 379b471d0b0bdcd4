package caldav

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"sort"
)

// XML namespaces used in requests and answers.
const (
	nsDAV    = "DAV:"
	nsCalDAV = "urn:ietf:params:xml:ns:caldav"
	nsCS     = "http://calendarserver.org/ns/"
	nsApple  = "http://apple.com/ns/ical/"
)

// prefixes are the namespace prefixes declared on every answer's root.
var prefixes = map[string]string{nsDAV: "d", nsCalDAV: "c", nsCS: "cs", nsApple: "ical"}

// rootNamespaces declares prefixes on an answer's root element.
var rootNamespaces = []xml.Attr{
	{Name: xml.Name{Local: "xmlns:d"}, Value: nsDAV},
	{Name: xml.Name{Local: "xmlns:c"}, Value: nsCalDAV},
	{Name: xml.Name{Local: "xmlns:cs"}, Value: nsCS},
	{Name: xml.Name{Local: "xmlns:ical"}, Value: nsApple},
}

// anyElem is an XML element of a request whose name is all that matters.
type anyElem struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Inner   []byte     `xml:",innerxml"`
	Any     []anyElem  `xml:",any"`
}

// elem is an XML element of an answer. encoding/xml writes it, so every
// text and attribute is escaped by the encoder. Names carry their prefix
// ("d:href"): the root declares the prefixes once, as clients expect and
// as keeps answers small.
type elem struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []elem     `xml:",any"`
}

// el builds an element named by its prefixed name.
func el(name string, children ...elem) elem {
	return elem{XMLName: xml.Name{Local: name}, Children: children}
}

// text builds an element holding text.
func text(name, s string) elem { return elem{XMLName: xml.Name{Local: name}, Text: s} }

func href(path string) elem { return text("d:href", path) }

// prop is one property's value: its children or its text.
type prop struct {
	children []elem
	text     string
}

// props maps property names to their values for one resource.
type props map[xml.Name]prop

// response is one <d:response> of a multistatus.
type response struct {
	href  string
	found props
	// missing lists requested properties the resource does not have.
	missing []xml.Name
	// status replaces propstats when set (e.g. 404 for a multiget href).
	status int
}

// multistatusXML is the 207 body (RFC 4918 §14.16).
type multistatusXML struct {
	XMLName   xml.Name   `xml:"d:multistatus"`
	Attrs     []xml.Attr `xml:",any,attr"`
	Responses []elem     `xml:",any"`
}

// multistatus writes a 207 answer. It streams the elements as encoding/xml
// tokens rather than marshalling one tree by reflection, which is several
// times faster for a collection of 10,000 objects; the encoder escapes
// every value either way.
func multistatus(w http.ResponseWriter, resps []response, syncToken string) {
	var b bytes.Buffer
	b.Grow(512 + 256*len(resps))
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	root := xml.StartElement{Name: xml.Name{Local: "d:multistatus"}, Attr: rootNamespaces}
	err := enc.EncodeToken(root)
	for i := 0; i < len(resps) && err == nil; i++ {
		e := resps[i].elem()
		err = encodeElem(enc, &e)
	}
	if err == nil && syncToken != "" {
		t := text("d:sync-token", syncToken)
		err = encodeElem(enc, &t)
	}
	if err == nil {
		err = enc.EncodeToken(root.End())
	}
	if err == nil {
		err = enc.Flush()
	}
	if err != nil {
		http.Error(w, "the answer could not be encoded", http.StatusInternalServerError)
		return
	}
	b.WriteByte('\n')
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(http.StatusMultiStatus)
	_, _ = w.Write(b.Bytes())
}

// encodeElem writes e and its children as tokens.
func encodeElem(enc *xml.Encoder, e *elem) error {
	start := xml.StartElement{Name: e.XMLName, Attr: e.Attrs}
	if err := enc.EncodeToken(start); err != nil {
		return err
	}
	if e.Text != "" {
		if err := enc.EncodeToken(xml.CharData(e.Text)); err != nil {
			return err
		}
	}
	for i := range e.Children {
		if err := encodeElem(enc, &e.Children[i]); err != nil {
			return err
		}
	}
	return enc.EncodeToken(start.End())
}

// writeXML encodes v as the whole answer with status.
func writeXML(w http.ResponseWriter, status int, v any) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	if err := xml.NewEncoder(&b).Encode(v); err != nil {
		// Only a type error in this package gets here.
		http.Error(w, "the answer could not be encoded", http.StatusInternalServerError)
		return
	}
	b.WriteByte('\n')
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

func statusLine(code int) string { return fmt.Sprintf("HTTP/1.1 %d %s", code, http.StatusText(code)) }

func (r *response) elem() elem {
	out := el("d:response", href(r.href))
	if r.status != 0 {
		out.Children = append(out.Children, text("d:status", statusLine(r.status)))
		return out
	}
	if len(r.found) > 0 {
		names := make([]xml.Name, 0, len(r.found))
		for n := range r.found {
			names = append(names, n)
		}
		sortNames(names)
		p := el("d:prop")
		for _, n := range names {
			p.Children = append(p.Children, propElem(n, r.found[n]))
		}
		out.Children = append(out.Children, el("d:propstat", p, text("d:status", statusLine(http.StatusOK))))
	}
	if ps, ok := propstat(r.missing, http.StatusNotFound, ""); ok {
		out.Children = append(out.Children, ps)
	}
	return out
}

// propstat lists names, without values, under one status.
func propstat(names []xml.Name, status int, description string) (elem, bool) {
	if len(names) == 0 {
		return elem{}, false
	}
	p := el("d:prop")
	for _, n := range names {
		p.Children = append(p.Children, propElem(n, prop{}))
	}
	ps := el("d:propstat", p, text("d:status", statusLine(status)))
	if description != "" {
		ps.Children = append(ps.Children, text("d:responsedescription", description))
	}
	return ps, true
}

// propElem names a property with the root's prefix for its namespace, or
// declares an unknown namespace on the element itself.
func propElem(n xml.Name, v prop) elem {
	e := elem{Text: v.text, Children: v.children}
	switch p, ok := prefixes[n.Space]; {
	case ok:
		e.XMLName.Local = p + ":" + n.Local
	case n.Space == "":
		e.XMLName.Local = n.Local
	default:
		e.XMLName.Local = "x:" + n.Local
		e.Attrs = []xml.Attr{{Name: xml.Name{Local: "xmlns:x"}, Value: n.Space}}
	}
	return e
}

func sortNames(names []xml.Name) {
	sort.Slice(names, func(i, j int) bool {
		if names[i].Space != names[j].Space {
			return names[i].Space < names[j].Space
		}
		return names[i].Local < names[j].Local
	})
}

// davErrorXML is an RFC 4918 §16 error body.
type davErrorXML struct {
	XMLName   xml.Name   `xml:"d:error"`
	Attrs     []xml.Attr `xml:",any,attr"`
	Condition elem
	Message   *elem
}

// davError answers status with an error body naming the precondition that
// failed, and a sentence for people reading it.
func davError(w http.ResponseWriter, status int, condition elem, message string) {
	body := davErrorXML{Attrs: rootNamespaces, Condition: condition}
	if message != "" {
		m := text("d:responsedescription", message)
		body.Message = &m
	}
	writeXML(w, status, &body)
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
