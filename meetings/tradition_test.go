package meetings

import (
	"errors"
	"reflect"
	"testing"
)

func TestTraditionHandles(t *testing.T) {
	for _, c := range []struct {
		field, value string
		ok           bool
	}{
		{"venmo", "@lakeside-aa", true},
		{"venmo", "@Lake_side9", true},
		{"venmo", "lakeside-aa", false},             // no @
		{"venmo", "@abc", false},                    // too short
		{"venmo", "@lake side", false},              // space
		{"venmo", "@a/../../x", false},              // path
		{"square", "$LakesideAA", true},             //
		{"square", "$123", false},                   // needs a letter
		{"square", "LakesideAA", false},             // no $
		{"square", "$abcdefghijklmnopqrstu", false}, // 21 characters
		{"paypal", "LakesideAA", true},
		{"paypal", "paypal.me/LakesideAA", false},
		{"paypal", "@LakesideAA", false},
		{"tradition_url", "https://example.org/give", true},
		{"tradition_url", "javascript:alert(1)", false},
		{"tradition_url", "https://", false},
	} {
		g := Group{Slug: "hope", Name: "Hope"}
		switch c.field {
		case "venmo":
			g.Venmo = c.value
		case "square":
			g.Square = c.value
		case "paypal":
			g.PayPal = c.value
		case "tradition_url":
			g.TraditionURL = c.value
		}
		err := g.Validate()
		var verr *ValidationError
		switch {
		case c.ok && err != nil:
			t.Errorf("%s %q rejected: %v", c.field, c.value, err)
		case !c.ok && (!errors.As(err, &verr) || len(verr.Problems) != 1 || verr.Problems[0].Field != c.field):
			t.Errorf("%s %q: got %v, want one problem on %s", c.field, c.value, err, c.field)
		}
	}
}

func TestContributions(t *testing.T) {
	g := Group{TraditionURL: "https://example.org/give", Venmo: "@lakeside-aa", Square: "$LakesideAA", PayPal: "LakesideAA"}
	want := []Contribution{
		{ContributeURL, "https://example.org/give", "https://example.org/give"},
		{ContributeVenmo, "@lakeside-aa", "https://venmo.com/u/lakeside-aa"},
		{ContributeSquare, "$LakesideAA", "https://cash.app/$LakesideAA"},
		{ContributePayPal, "LakesideAA", "https://www.paypal.me/LakesideAA"},
	}
	if got := g.Contributions(); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	if got := (&Group{}).Contributions(); got != nil {
		t.Fatalf("no links: %+v", got)
	}
}
