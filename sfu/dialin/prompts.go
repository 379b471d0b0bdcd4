package dialin

import (
	"embed"
	"slices"
)

// The prompts are spoken by espeak-ng and stored as 8 kHz mu-law.
//
//go:generate sh -c "cd prompts && ./gen.sh"
//go:embed prompts/*/*.ulaw
var promptFiles embed.FS

// languages are the prompt languages, in the order '*' cycles them.
var languages = []string{"en", "es", "fr", "pt"}

// prompt returns a prompt's audio in lang (English if missing).
func prompt(lang, name string) []byte {
	if b, err := promptFiles.ReadFile("prompts/" + lang + "/" + name + ".ulaw"); err == nil {
		return b
	}
	b, _ := promptFiles.ReadFile("prompts/en/" + name + ".ulaw")
	return b
}

// nextLanguage is the language after lang in the cycle.
func nextLanguage(lang string) string {
	i := slices.Index(languages, lang)
	return languages[(i+1)%len(languages)]
}

// knownLanguage reports whether prompts exist in lang.
func knownLanguage(lang string) bool { return slices.Contains(languages, lang) }
