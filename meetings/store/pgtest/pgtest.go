// Package pgtest runs a throwaway PostgreSQL cluster for tests: initdb and
// pg_ctl in a temporary directory, listening on 127.0.0.1 and a free port,
// started on first use and stopped by the package's TestMain. Tests that
// need it skip when PostgreSQL is not installed, and fail instead when the
// CI environment variable is set.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Cluster is one PostgreSQL server, shared by the tests of a package.
type Cluster struct {
	once sync.Once
	mu   sync.Mutex // guards the fields below
	err  error
	dir  string
	bin  string
	port int
	dbs  int // databases made so far, for unique names
}

// URL is the address of database name.
func (c *Cluster) URL(name string) string {
	return fmt.Sprintf("postgres://hearth@127.0.0.1:%d/%s?sslmode=disable", c.port, name)
}

// Database starts the cluster if needed and returns the URL of a new empty
// database. Without PostgreSQL it skips the test, or fails it under CI.
func (c *Cluster) Database(t testing.TB) string {
	t.Helper()
	c.once.Do(func() { c.err = c.start() })
	if c.err != nil {
		if errors.Is(c.err, ErrMissing) && os.Getenv("CI") == "" {
			t.Skip(c.err)
		}
		t.Fatal(c.err)
	}
	c.mu.Lock()
	c.dbs++
	name := fmt.Sprintf("t%d", c.dbs)
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	return c.URL(name)
}

// Exec runs statements as the superuser on database name, for tests that
// break connections or inspect the server.
func (c *Cluster) Exec(ctx context.Context, name, sql string, args ...any) error {
	conn, err := pgx.Connect(ctx, c.URL(name))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql, args...)
	return err
}

// ErrMissing says the PostgreSQL server binaries are not installed.
var ErrMissing = errors.New("pgtest: PostgreSQL binaries (initdb, pg_ctl) not found; apt-get install postgresql")

// Stop stops a started cluster and removes its files.
func (c *Cluster) Stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dir == "" {
		return
	}
	if err := c.run(filepath.Join(c.bin, "pg_ctl"), "-D", c.data(), "-m", "immediate", "-w", "stop"); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest: stop:", err)
	}
	os.RemoveAll(c.dir)
	c.dir = ""
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

func (c *Cluster) start() error {
	bin, err := findBin()
	if err != nil {
		return err
	}
	parent := ""
	if os.Geteuid() == 0 {
		// The postgres user must reach the directory: root's TMPDIR may
		// be private, /tmp is not.
		parent = "/tmp"
	}
	dir, err := os.MkdirTemp(parent, "hearth-pg-")
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dir, c.bin = dir, bin
	if err := c.ownDir(); err != nil {
		return err
	}
	if err := c.run(filepath.Join(bin, "initdb"), "-D", c.data(), "-A", "trust", "-U", "hearth",
		"-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		return fmt.Errorf("pgtest: initdb: %w", err)
	}
	for try := 0; ; try++ {
		if c.port, err = freePort(); err != nil {
			return err
		}
		// fsync off: a test cluster needs no durability, and it is faster.
		opts := fmt.Sprintf("-p %d -k %s -h 127.0.0.1 -F -c max_connections=300", c.port, c.dir)
		err = c.run(filepath.Join(bin, "pg_ctl"), "-D", c.data(), "-o", opts, "-l", filepath.Join(c.dir, "log"), "-w", "start")
		if err == nil || try == 2 {
			break
		}
	}
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		return fmt.Errorf("pgtest: pg_ctl start: %w\n%s", err, log)
	}
	return nil
}

// run runs a PostgreSQL binary, as the postgres user when this is root
// (initdb and the server refuse to run as root).
func (c *Cluster) run(name string, args ...string) error {
	cmd := exec.Command(name, args...)
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", filepath.Base(name), err, out)
	}
	return nil
}

func (c *Cluster) ownDir() error {
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("pgtest: running as root needs the postgres user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return os.Chown(c.dir, uid, gid)
}

func findBin() (string, error) {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	// Newest major version first.
	sort.Slice(dirs, func(i, j int) bool { return major(dirs[i]) > major(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", ErrMissing
}

func major(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
