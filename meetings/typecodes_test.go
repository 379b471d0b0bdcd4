package meetings

import (
	"slices"
	"testing"
)

// TestTypesInUse: the finder offers only the types some meeting has, each
// once, in the table's order; unknown codes are left out.
func TestTypesInUse(t *testing.T) {
	codes := func(ts []TypeCode) []string {
		var out []string
		for _, t := range ts {
			out = append(out, t.Code)
		}
		return out
	}
	tests := []struct {
		name  string
		types [][]string
		want  []string
	}{
		{name: "none", types: nil, want: nil},
		{name: "no types", types: [][]string{nil, {}}, want: nil},
		{name: "one", types: [][]string{{"W"}}, want: []string{"W"}},
		{name: "shared and table order", types: [][]string{{"W", "O"}, {"O", "B"}, nil}, want: []string{"B", "O", "W"}},
		{name: "unknown code", types: [][]string{{"ZZZ-not-a-code", "D"}}, want: []string{"D"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ms []Meeting
			for _, ts := range tt.types {
				ms = append(ms, Meeting{Series: Series{Types: ts}})
			}
			if got := codes(TypesInUse(ms)); !slices.Equal(got, tt.want) {
				t.Errorf("TypesInUse = %v, want %v", got, tt.want)
			}
		})
	}
	// The table order is TypeCodes' order.
	all := TypeCodes()
	var every []Meeting
	for i := len(all) - 1; i >= 0; i-- {
		every = append(every, Meeting{Series: Series{Types: []string{all[i].Code}}})
	}
	if got := TypesInUse(every); !slices.Equal(got, all) {
		t.Errorf("every code in use: %d codes, not the table's %d in order", len(got), len(all))
	}
}
