package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-recovery/hearth/ui/i18n"
)

// serveConfig is every setting of `hearth serve`.
type serveConfig struct {
	Addr    string
	DataDir string
	// Database is a PostgreSQL URL shared by several nodes; empty means
	// SQLite in DataDir.
	Database string
	// NodeURL is this node's own public address when several nodes share
	// Database: members of the rooms it runs are sent there.
	NodeURL string
	// DrainTimeout is how long a node of several lets its rooms finish on
	// SIGTERM before it hands them over to the other nodes.
	DrainTimeout time.Duration
	Demo         bool
	LogFormat    string
	LogLevel     string
	AdminToken   string
	// PublicURL is the base URL for links in feeds and pages; empty means
	// derive it from each request.
	PublicURL string
	// TrustedProxies lists the reverse proxies (IPs or CIDRs, comma
	// separated) whose X-Forwarded-Proto is believed (https.go).
	TrustedProxies string
	// MetricsAddr, when set, serves /metrics there without the admin token.
	MetricsAddr string
	// DefaultLanguage is the page language when neither the member, the
	// meeting nor the browser names one of the catalogs.
	DefaultLanguage string
	// PseudoLocale adds the en-XA pseudo-locale (?lang=en-XA), in which
	// every catalog text is marked, so that text outside the catalogs shows.
	PseudoLocale bool
	// RTC is the media server's part (wire_sfu.go).
	RTC rtcConfig
	// Dialin is the telephone gateway's part (wire_dialin.go).
	Dialin dialinConfig
}

// flags binds each setting to a flag whose default comes from its HEARTH_
// environment twin, so the command line wins over the environment.
type flags struct {
	fs     *flag.FlagSet
	getenv func(string) string
	errs   []error
}

func (f *flags) str(p *string, name, envName, def, usage string) {
	if v := f.getenv(envName); v != "" {
		def = v
	}
	f.fs.StringVar(p, name, def, usage+" (env "+envName+")")
}

func (f *flags) boolean(p *bool, name, envName string, def bool, usage string) {
	if v := f.getenv(envName); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			f.errs = append(f.errs, fmt.Errorf("%s=%q is not true or false", envName, v))
		}
		def = b
	}
	f.fs.BoolVar(p, name, def, usage+" (env "+envName+")")
}

func (f *flags) duration(p *time.Duration, name, envName string, def time.Duration, usage string) {
	if v := f.getenv(envName); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			f.errs = append(f.errs, fmt.Errorf("%s=%q is not a duration such as 90s or 10m", envName, v))
		}
		def = d
	}
	f.fs.DurationVar(p, name, def, usage+" (env "+envName+")")
}

func (f *flags) integer(p *int, name, envName string, def int, usage string) {
	if v := f.getenv(envName); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			f.errs = append(f.errs, fmt.Errorf("%s=%q is not a whole number", envName, v))
		}
		def = n
	}
	f.fs.IntVar(p, name, def, usage+" (env "+envName+")")
}

// register declares the flags of serve.
func (c *serveConfig) register(f *flags) {
	f.str(&c.Addr, "addr", "HEARTH_ADDR", ":8080", "HTTP listen address")
	f.str(&c.DataDir, "data", "HEARTH_DATA", "./hearth-data", "data directory (holds the SQLite database)")
	f.str(&c.Database, "database", "HEARTH_DATABASE", "", "PostgreSQL URL shared by several nodes, postgres://user:pass@host/db (default: SQLite in --data)")
	f.str(&c.NodeURL, "node-url", "HEARTH_NODE_URL", "", "this node's own public URL (its HTTP and media), with --database: members of the rooms it runs are sent there")
	f.duration(&c.DrainTimeout, "drain-timeout", "HEARTH_DRAIN_TIMEOUT", time.Minute,
		"with --database: on SIGTERM, how long the node lets its rooms finish (taking no new one) before it hands them to the other nodes")
	f.boolean(&c.Demo, "demo", "HEARTH_DEMO", false, "seed the demo schedule (idempotent)")
	f.str(&c.LogFormat, "log-format", "HEARTH_LOG_FORMAT", "text", "log format: text or json")
	f.str(&c.LogLevel, "log-level", "HEARTH_LOG_LEVEL", "info", "log level: debug, info, warn or error")
	f.str(&c.AdminToken, "admin-token", "HEARTH_ADMIN_TOKEN", "", "admin bearer token (default: generated once and printed)")
	f.str(&c.PublicURL, "public-url", "HEARTH_PUBLIC_URL", "", "public base URL for links and feeds (default: from the request)")
	f.str(&c.TrustedProxies, "trusted-proxies", "HEARTH_TRUSTED_PROXIES", "", "reverse proxies (IPs or CIDRs, comma separated) whose X-Forwarded-Proto is believed")
	f.str(&c.MetricsAddr, "metrics-addr", "HEARTH_METRICS_ADDR", "", "extra listen address serving /metrics without the admin token, e.g. 127.0.0.1:9090")
	f.str(&c.DefaultLanguage, "default-language", "HEARTH_DEFAULT_LANGUAGE", "en",
		"page language when the browser asks for none Hearth has: en, es, fr or pt-BR")
	f.boolean(&c.PseudoLocale, "pseudo-locale", "HEARTH_PSEUDO_LOCALE", false,
		"offer the en-XA pseudo-locale (?lang=en-XA) that marks every translated text, for translators")
	c.RTC.register(f)
	c.Dialin.register(f)
}

// parseServe reads args and the environment into a checked config.
func parseServe(args []string, getenv func(string) string) (serveConfig, error) {
	var c serveConfig
	f := &flags{fs: flag.NewFlagSet("hearth serve", flag.ContinueOnError), getenv: getenv}
	c.register(f)
	if err := f.fs.Parse(args); err != nil {
		return c, err
	}
	if f.fs.NArg() > 0 {
		f.errs = append(f.errs, fmt.Errorf("unexpected arguments %q", f.fs.Args()))
	}
	f.errs = append(f.errs, c.validate())
	return c, errors.Join(f.errs...)
}

func (c *serveConfig) validate() error {
	var errs []error
	if c.DataDir == "" {
		errs = append(errs, errors.New("--data must name a directory"))
	}
	errs = append(errs, validateDatabase(c.Database), validateNodeURL(c.NodeURL, c.Database))
	if c.DrainTimeout < 0 {
		errs = append(errs, errors.New("--drain-timeout must not be negative"))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("--log-format %q must be text or json", c.LogFormat))
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.LogLevel)); err != nil {
		errs = append(errs, fmt.Errorf("--log-level %q must be debug, info, warn or error", c.LogLevel))
	}
	if c.AdminToken != "" && len(c.AdminToken) < 16 {
		errs = append(errs, errors.New("--admin-token must be at least 16 characters"))
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("--public-url %q must be an http(s) URL such as https://meet.example.org", c.PublicURL))
		}
		c.PublicURL = strings.TrimSuffix(c.PublicURL, "/")
	}
	if _, err := parseProxies(c.TrustedProxies); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, c.validateLanguage(), c.RTC.validate())
	errs = append(errs, c.Dialin.validate())
	return errors.Join(errs...)
}

// validateLanguage resolves --default-language to a catalog ("pt" is pt-BR).
func (c *serveConfig) validateLanguage() error {
	cat, err := i18n.Load(i18n.Options{})
	if err != nil {
		return err
	}
	tag, ok := cat.Supported(c.DefaultLanguage)
	if !ok {
		return fmt.Errorf("--default-language %q must be one of %s", c.DefaultLanguage, strings.Join(cat.Tags(), ", "))
	}
	c.DefaultLanguage = tag
	return nil
}
