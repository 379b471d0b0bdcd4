// Package browsertest drives Debian's Chromium from go test (chromedp).
//
// Launch takes an exclusive lock on /tmp/hearth-browser.lock for the whole
// life of the browser, so that tests of different packages (and different
// go test processes) never run two browsers at once on a small machine.
// The flags are the ones WebRTC needs on loopback: fake camera and
// microphone, loopback ICE candidates, and no background networking.
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ChromiumPath is where Debian installs Chromium.
const ChromiumPath = "/usr/bin/chromium"

const lockPath = "/tmp/hearth-browser.lock"

// Browser is one Chromium process; its pages are tabs.
type Browser struct {
	t   *testing.T
	ctx context.Context // the browser's first tab; parent of every page
}

// Options adjust a launch.
type Options struct {
	// ExtraFlags are added to the command line, e.g.
	// "use-file-for-fake-video-capture" with a Y4M file.
	ExtraFlags map[string]any
	// UID and GID, when UID is not 0, run Chromium as that user (a test as
	// root filters that user's traffic with nftables, apart from the
	// server's own).
	UID, GID uint32
}

// Launch starts Chromium for t and stops it when t ends. It fails when the
// CI environment variable is set and Chromium is missing, and skips
// otherwise.
func Launch(t *testing.T, opts Options) *Browser {
	t.Helper()
	if _, err := os.Stat(ChromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("browsertest: %s missing in CI: %v", ChromiumPath, err)
		}
		t.Skipf("browsertest: %s not installed", ChromiumPath)
	}
	unlock, err := lock()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(unlock) // cleanups run last-in first-out: after the browser is gone
	profile := filepath.Join(t.TempDir(), "profile")
	var asUser []chromedp.ExecAllocatorOption
	if opts.UID != 0 {
		profile, asUser = runAs(t, opts.UID, opts.GID)
	}
	flags := append(chromedp.DefaultExecAllocatorOptions[:0:0], chromedp.DefaultExecAllocatorOptions[:]...)
	flags = append(flags,
		chromedp.ExecPath(ChromiumPath),
		chromedp.UserDataDir(profile),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("allow-loopback-in-peer-connection", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
	)
	for k, v := range opts.ExtraFlags {
		flags = append(flags, chromedp.Flag(k, v))
	}
	flags = append(flags, asUser...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), flags...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("browsertest: start chromium: %v", err)
	}
	return &Browser{t: t, ctx: ctx}
}

// runAs makes a profile directory (also HOME) that uid owns, outside the
// test's temporary directory (which only root may enter), and starts
// Chromium as that user.
func runAs(t *testing.T, uid, gid uint32) (string, []chromedp.ExecAllocatorOption) {
	t.Helper()
	profile, err := os.MkdirTemp("", "hearth-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(profile) })
	if err := os.Chown(profile, int(uid), int(gid)); err != nil {
		t.Fatalf("browsertest: give %s to uid %d: %v", profile, uid, err)
	}
	return profile, []chromedp.ExecAllocatorOption{
		chromedp.Env("HOME=" + profile),
		chromedp.ModifyCmdFunc(func(cmd *exec.Cmd) {
			if cmd.SysProcAttr == nil {
				cmd.SysProcAttr = &syscall.SysProcAttr{}
			}
			cmd.SysProcAttr.Credential = &syscall.Credential{Uid: uid, Gid: gid}
		}),
	}
}

// lock takes the machine-wide browser lock, waiting for other tests.
func lock() (func(), error) {
	f, err := os.OpenFile(lockPath, os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return nil, fmt.Errorf("browsertest: open lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("browsertest: lock: %w", err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	}, nil
}

// Page is one tab.
type Page struct {
	t      *testing.T
	Ctx    context.Context
	cancel context.CancelFunc
}

// Open opens url in a new tab and waits for it to load.
func (b *Browser) Open(url string) *Page {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	p := &Page{t: b.t, Ctx: ctx, cancel: cancel}
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		b.t.Fatalf("browsertest: open %s: %v", url, err)
	}
	return p
}

// Close closes the tab.
func (p *Page) Close() { p.cancel() }

// Eval evaluates a JavaScript expression on the page, awaiting it when it
// is a promise, and decodes its JSON value into T.
func Eval[T any](p *Page, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(p.Ctx, 30*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// WaitFor polls a JavaScript boolean expression until it is true.
func (p *Page) WaitFor(expr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		ok, err := Eval[bool](p, expr)
		if err == nil && ok {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.Join(fmt.Errorf("browsertest: timed out waiting for %s", expr), err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Screenshot writes a PNG of the tab to path.
func (p *Page) Screenshot(path string) error {
	buf, err := chromedp.Run(p.Ctx, chromedp.CaptureScreenshot())
	if err != nil {
		return fmt.Errorf("browsertest: screenshot: %w", err)
	}
	return os.WriteFile(path, buf, 0o644)
}
