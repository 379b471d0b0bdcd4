package ui

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hearth-recovery/hearth/ui/i18n"
)

// Message IDs built at run time from a code the server or the schedule
// sends ("room.end." + refusal code, "type." + Meeting Guide code...).
var dynamicPrefixes = []string{"type.", "format.", "tod.", "room.end.", "room.live.", "room.media.",
	"room.role.", "room.person.", "admin.kind.", "program."}

// TestEveryMessageUsedAndKnown reads the templates, the browser modules and
// the Go files: every message they ask for is in en.json, and every message
// of en.json is asked for somewhere (or built from a code), so the catalogs
// hold no dead text for translators.
func TestEveryMessageUsedAndKnown(t *testing.T) {
	cat, err := i18n.Load(i18n.Options{})
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, id := range cat.IDs(i18n.Reference) {
		known[id] = true
	}
	calls := []*regexp.Regexp{
		regexp.MustCompile(`\.(?:T|N|Strong) "([^"]+)"`),                           // templates
		regexp.MustCompile(`\bt\("([^"]+)"`),                                       // JS
		regexp.MustCompile(`\.[TN]\("([^"]+)"`),                                    // Go
		regexp.MustCompile(`"((?:error|recur|notice|room|chair|admin)\.[\w.-]+)"`), // IDs passed as values
	}
	used := map[string]bool{}
	for _, pattern := range []string{"templates/*.html", "static/js/*.js", "*.go", "i18n/*.go"} {
		files, _ := filepath.Glob(pattern)
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, re := range calls {
				for _, m := range re.FindAllStringSubmatch(string(src), -1) {
					used[m[1]] = true
					if !known[m[1]] && !strings.HasSuffix(m[1], ".") {
						t.Errorf("%s asks for %q, which en.json lacks", f, m[1])
					}
				}
			}
		}
	}
	for id := range known {
		if used[id] || hasPrefix(id, dynamicPrefixes) {
			continue
		}
		t.Errorf("en.json has %q, which nothing uses", id)
	}
}

func hasPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
