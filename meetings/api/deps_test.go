package api

import (
	"os/exec"
	"strings"
	"testing"
)

// The layering rules: the domain package imports nothing of ours and no
// HTTP framework; meetings/... never imports sfu, calendar or ui.
func TestImportBoundaries(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go tool not on PATH")
	}
	for pkg, banned := range map[string][]string{
		"github.com/hearth-recovery/hearth/meetings": {"github.com/danielgtaylor/huma", "net/http",
			"github.com/hearth-recovery/hearth/sfu", "github.com/hearth-recovery/hearth/calendar",
			"github.com/hearth-recovery/hearth/ui", "github.com/hearth-recovery/hearth/meetings/"},
		"github.com/hearth-recovery/hearth/meetings/...": {"github.com/hearth-recovery/hearth/sfu",
			"github.com/hearth-recovery/hearth/calendar", "github.com/hearth-recovery/hearth/ui"},
	} {
		out, err := exec.Command("go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, b := range banned {
				if dep == b || strings.HasPrefix(dep, b+"/") || (strings.HasSuffix(b, "/") && strings.HasPrefix(dep, b)) {
					t.Errorf("%s depends on %s", pkg, dep)
				}
			}
		}
	}
}
