package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/meetings/store/pgtest"
)

// cluster is this package's throwaway PostgreSQL, started by the first test
// that needs it and stopped by TestMain.
var cluster pgtest.Cluster

func TestMain(m *testing.M) {
	code := m.Run()
	cluster.Stop()
	os.Exit(code)
}

// opener opens an empty store with clock now (time.Now when nil), closed
// when the test ends.
type opener func(t testing.TB, now func() time.Time) *base

func openSQLite(t testing.TB, now func() time.Time) *base {
	t.Helper()
	s, err := Open(context.Background(), Config{Path: filepath.Join(t.TempDir(), "hearth.db"), Now: now}, quiet())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s.base
}

func openPostgres(t testing.TB, now func() time.Time) *base {
	t.Helper()
	return openPostgresAt(t, cluster.Database(t), now).base
}

func openPostgresAt(t testing.TB, url string, now func() time.Time) *Postgres {
	t.Helper()
	s, err := OpenPostgres(context.Background(), PostgresConfig{URL: url, Now: now}, quiet())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// suite is every behaviour of meetings.Store, run against each database.
var suite = []struct {
	name string
	test func(*testing.T, opener)
}{
	{"SeriesRoundTrip", testSeriesRoundTrip},
	{"ChatModeRoundTrip", testChatModeRoundTrip},
	{"SettingOnce", testSettingOnce},
	{"TraditionRoundTrip", testTraditionRoundTrip},
	{"ReadingsRoundTrip", testReadingsRoundTrip},
	{"HostRoles", testHostRoles},
	{"ShareTimerRoundTrip", testShareTimerRoundTrip},
	{"UpdateKeepsSecretsAndBumps", testUpdateKeepsSecretsAndBumps},
	{"PhonePIN", testPhonePIN},
	{"SecretFingerprint", testSecretFingerprint},
	{"Errors", testErrors},
	{"NoPartialWrite", testNoPartialWrite},
	{"ChangesAndSettings", testChangesAndSettings},
	{"ListFilter", testListFilter},
	{"ConcurrentReadWrite", testConcurrentReadWrite},
	{"ModifiedAlwaysRises", testModifiedAlwaysRises},
	{"Programs", testPrograms},
}

func TestStore(t *testing.T) {
	for _, b := range []struct {
		name string
		open opener
	}{{"sqlite", openSQLite}, {"postgres", openPostgres}} {
		t.Run(b.name, func(t *testing.T) {
			for _, c := range suite {
				t.Run(c.name, func(t *testing.T) { c.test(t, b.open) })
			}
		})
	}
}

// A clock that goes back (another node's, set a little behind) still moves
// Modified forward, and by a new value on every write: caches keyed by it
// never keep a stale render.
func testModifiedAlwaysRises(t *testing.T, open opener) {
	ctx := context.Background()
	clock := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	s := open(t, func() time.Time { return clock })
	var last time.Time
	for i := 0; i < 3; i++ {
		if err := s.PutSetting(ctx, "k", "v"); err != nil {
			t.Fatal(err)
		}
		c, err := s.Changes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !c.Modified.After(last) || c.Counter != int64(i+1) {
			t.Fatalf("write %d: changes %+v after %v", i, c, last)
		}
		last = c.Modified
		clock = clock.Add(-time.Minute)
	}
}

// SettingOnce keeps the first value stored, whoever asks later, and
// writes (bumps the revision) only the first time.
func testSettingOnce(t *testing.T, open opener) {
	ctx := context.Background()
	s := open(t, nil)
	for _, v := range []string{"first", "second"} {
		got, err := s.SettingOnce(ctx, "cookie_key", v)
		if err != nil || got != "first" {
			t.Fatalf("SettingOnce(%q) = %q, %v; want first", v, got, err)
		}
	}
	if c, err := s.Changes(ctx); err != nil || c.Counter != 1 {
		t.Fatalf("changes %+v, %v: want one write", c, err)
	}
	if _, err := s.SettingOnce(ctx, "", "x"); err == nil {
		t.Fatal("an empty key was stored")
	}
}
