package meetings

import (
	"net/url"
	"regexp"
)

// The 7th Tradition: a group is self-supporting through its own members'
// contributions. Hearth only publishes where a group takes them (a link and
// the handles the Meeting Guide spec names); it never handles money.

// Handle patterns, as the payment services define them and TSML UI checks
// the prefixes: Venmo "@" and 5–30 letters, digits, "-" or "_"; Cash App
// (the spec's "square") "$" and 1–20 letters or digits, at least one a
// letter; PayPal.me 1–20 letters or digits.
var (
	venmoHandle  = regexp.MustCompile(`^@[A-Za-z0-9_-]{5,30}$`)
	squareHandle = regexp.MustCompile(`^\$[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*$`)
	paypalHandle = regexp.MustCompile(`^[A-Za-z0-9]{1,20}$`)
)

// Contribution kinds, the Meeting Guide keys (and "url" for the plain link).
const (
	ContributeURL    = "url"
	ContributeVenmo  = "venmo"
	ContributeSquare = "square"
	ContributePayPal = "paypal"
)

// Contribution is one way to contribute to a group: its kind, what a member
// reads ("@lakeside-aa", or the link itself) and the link to open.
type Contribution struct {
	Kind  string
	Label string
	URL   string
}

// Contributions lists the group's ways to contribute, plain link first, in
// the order members see them; nil when the group has none.
func (g *Group) Contributions() []Contribution {
	var out []Contribution
	if g.TraditionURL != "" {
		out = append(out, Contribution{ContributeURL, g.TraditionURL, g.TraditionURL})
	}
	if g.Venmo != "" {
		out = append(out, Contribution{ContributeVenmo, g.Venmo, "https://venmo.com/u/" + url.PathEscape(g.Venmo[1:])})
	}
	if g.Square != "" {
		out = append(out, Contribution{ContributeSquare, g.Square, "https://cash.app/" + url.PathEscape(g.Square)})
	}
	if g.PayPal != "" {
		out = append(out, Contribution{ContributePayPal, g.PayPal, "https://www.paypal.me/" + url.PathEscape(g.PayPal)})
	}
	return out
}

func checkTradition(v *ValidationError, g *Group) {
	if g.TraditionURL != "" {
		u, err := url.Parse(g.TraditionURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(g.TraditionURL) > MaxTextLen {
			v.add("tradition_url", "7th-Tradition link %q must be an http(s) URL of at most %d characters", g.TraditionURL, MaxTextLen)
		}
	}
	if g.Venmo != "" && !venmoHandle.MatchString(g.Venmo) {
		v.add("venmo", "Venmo handle %q must be @ and 5 to 30 letters, digits, - or _ (e.g. @lakeside-group)", g.Venmo)
	}
	if g.Square != "" && (!squareHandle.MatchString(g.Square) || len(g.Square) > 21) {
		v.add("square", "Cash App cashtag %q must be $ and 1 to 20 letters or digits (e.g. $LakesideGroup)", g.Square)
	}
	if g.PayPal != "" && !paypalHandle.MatchString(g.PayPal) {
		v.add("paypal", "PayPal.me name %q must be 1 to 20 letters or digits, without paypal.me/ (e.g. LakesideGroup)", g.PayPal)
	}
}
