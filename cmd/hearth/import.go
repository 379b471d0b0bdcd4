package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/hearth-recovery/hearth/calendar/meetingguide"
	"github.com/hearth-recovery/hearth/meetings"
)

// runImport is `hearth import meeting-guide [flags] FILE|URL`.
func runImport(ctx context.Context, args []string, e env) error {
	if len(args) == 0 || args[0] != "meeting-guide" {
		return errors.New("usage: hearth import meeting-guide [flags] FILE|URL (the only import format is meeting-guide)")
	}
	fs := flag.NewFlagSet("hearth import meeting-guide", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	f := &flags{fs: fs, getenv: e.getenv}
	var dataDir, database, zone, format, program string
	f.str(&dataDir, "data", "HEARTH_DATA", "./hearth-data", "data directory (holds the SQLite database)")
	f.str(&database, "database", "HEARTH_DATABASE", "", "PostgreSQL URL (default: SQLite in --data)")
	fs.StringVar(&zone, "timezone", "", "IANA timezone for entries without one, e.g. America/Chicago")
	fs.StringVar(&format, "format", string(meetings.Format12Step), "format of the imported meetings when the feed does not say")
	fs.StringVar(&program, "program", "AA", "program of the imported meetings when the feed does not say")
	timeout := fs.Duration("timeout", 30*time.Second, "time limit for fetching a feed URL")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if err := errors.Join(append(f.errs, validateDatabase(database))...); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("name one feed: a file path or an http(s) URL")
	}
	body, err := readFeed(ctx, fs.Arg(0), *timeout, meetingguide.FetchLimit)
	if err != nil {
		return err
	}
	log := newLogger(e.stderr, "text", "warn")
	st, err := openStore(ctx, dataDir, database, log)
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := meetingguide.Import(ctx, bytes.NewReader(body), importTarget{store: st}, meetingguide.ImportConfig{
		TimeZone: zone, Format: meetings.Format(format), Program: meetings.Program(program),
	})
	fmt.Fprint(e.stdout, rep.String())
	return err
}

// readFeed reads a feed from a file or, for http(s) URLs, the network, with
// a size limit either way. The file is read through the limit, not checked
// with Stat, since a pipe, /dev/stdin or a device has no size.
func readFeed(ctx context.Context, src string, timeout time.Duration, limit int64) ([]byte, error) {
	if strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://") {
		client := &http.Client{Timeout: timeout}
		return meetingguide.Fetch(ctx, client, src, limit)
	}
	f, err := os.Open(src)
	if err != nil {
		return nil, fmt.Errorf("feed file: %w", err)
	}
	defer f.Close()
	body, err := meetingguide.ReadLimited(f, limit)
	if err != nil {
		return nil, fmt.Errorf("feed file %s: %w", src, err)
	}
	return body, nil
}
