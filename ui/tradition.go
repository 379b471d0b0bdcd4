package ui

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/skip2/go-qrcode"

	"github.com/hearth-recovery/hearth/meetings"
	"github.com/hearth-recovery/hearth/ui/i18n"
)

// contributionView is one of a group's 7th-Tradition links as pages show
// it: the words of its link, where it goes, and (in the room's card) its QR
// code for a phone to scan off the screen.
type contributionView struct {
	Kind, Text, URL string
	QR              template.HTML
}

// contributions words the group's links in l; withQR adds their QR codes.
func contributions(l *i18n.Lang, g *meetings.Group, withQR bool) []contributionView {
	var out []contributionView
	for _, c := range g.Contributions() {
		v := contributionView{Kind: c.Kind, URL: c.URL}
		switch c.Kind {
		case meetings.ContributeVenmo:
			v.Text = l.T("tradition.venmo", "Handle", c.Label)
		case meetings.ContributeSquare:
			v.Text = l.T("tradition.square", "Handle", c.Label)
		case meetings.ContributePayPal:
			v.Text = l.T("tradition.paypal", "Handle", c.Label)
		default:
			v.Text = l.T("meeting.contribute", "Group", g.Name)
		}
		if withQR {
			v.QR = qrSVG(c.URL, l.T("tradition.qr", "Link", v.Text))
		}
		out = append(out, v)
	}
	return out
}

// qrSVG draws the QR code of link as inline SVG, dark modules on white
// (with the quiet zone the standard asks for) whatever the page's theme, so
// that phone cameras read it. The encoding is go-qrcode's; this only draws
// its modules. Medium error correction keeps the modules large enough for
// a camera across a room at the links' length. Empty when link does not fit
// a QR code (it always does at the lengths validation allows).
func qrSVG(link, label string) template.HTML {
	q, err := qrcode.New(link, qrcode.Medium)
	if err != nil {
		return ""
	}
	bits := q.Bitmap()
	n := len(bits)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="qr" role="img" aria-label="%s" viewBox="0 0 %d %d" shape-rendering="crispEdges" xmlns="http://www.w3.org/2000/svg">`,
		template.HTMLEscapeString(label), n, n)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y, row := range bits {
		for x, dark := range row {
			if dark {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x, y)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	// Every byte above is ours or escaped: the label is escaped and the
	// rest is numbers.
	return template.HTML(b.String())
}
