package meetings

import (
	"slices"
	"testing"
)

func TestLanguagesInUse(t *testing.T) {
	tests := []struct {
		name  string
		langs [][]string
		want  []string
	}{
		{name: "none", langs: nil, want: nil},
		{name: "no languages", langs: [][]string{nil, {}}, want: nil},
		{name: "shared and sorted", langs: [][]string{{"es", "en"}, {"en"}, {"fr"}}, want: []string{"en", "es", "fr"}},
		{name: "case does not make another", langs: [][]string{{"pt-br"}, {"PT-BR", "es"}}, want: []string{"es", "pt-BR"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ms []Meeting
			for _, ls := range tt.langs {
				ms = append(ms, Meeting{Series: Series{Languages: ls}})
			}
			if got := LanguagesInUse(ms); !slices.Equal(got, tt.want) {
				t.Errorf("LanguagesInUse = %v, want %v", got, tt.want)
			}
		})
	}
}
