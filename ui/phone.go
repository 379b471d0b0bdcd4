package ui

import (
	"html/template"
	"strings"

	"github.com/hearth-recovery/hearth/meetings"
)

// phoneView is how to join a meeting by telephone: Hearth's own dial-in
// number with the meeting's phone ID, or else the group's own conference
// phone. Never the PIN.
type phoneView struct {
	Number string       // as shown
	Tel    template.URL // tel: link that dials, then enters the ID (one tap)
	ID     string       // the meeting's phone ID; "" for a group's own line
}

// phoneFor builds the phone line of a meeting's pages, or nil.
func (h *Handler) phoneFor(s meetings.Series, groupPhone string) *phoneView {
	if h.cfg.DialIn != "" {
		id := meetings.PhoneID(s.ID)
		return &phoneView{Number: h.cfg.DialIn, ID: id, Tel: telURL(h.cfg.DialIn, ",,"+id+"#")}
	}
	if groupPhone = strings.TrimSpace(groupPhone); groupPhone != "" {
		return &phoneView{Number: groupPhone, Tel: telURL(groupPhone, "")}
	}
	return nil
}

// telURL keeps only what a dialler reads (digits, +, the pause commas, #
// and *), so that the link is safe whatever the number's text.
func telURL(number, after string) template.URL {
	keep := func(r rune) rune {
		if (r >= '0' && r <= '9') || strings.ContainsRune("+,#*", r) {
			return r
		}
		return -1
	}
	return template.URL("tel:" + strings.Map(keep, number+after)) //nolint:gosec // only dialler characters remain
}
