package sfu

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/pion/logging"
	"golang.org/x/time/rate"
)

// Pion's errors reach the operator's log (at warn) at most pionErrorBurst
// times at once per scope and then one per pionErrorEvery; the rest go to
// debug, and the next line that passes says how many were held back. A
// client that keeps sending bad STUN or forged TURN credentials then cannot
// fill the log.
const (
	pionErrorBurst = 5
	pionErrorEvery = time.Minute
)

// pionLogs routes Pion's leveled logs into slog. Pion reports what happens
// to each connection (state changes, congestion-control figures many times
// a second, STUN that a client sent wrong): that is debugging detail, not
// what an operator reads, so Pion's trace, debug, info and warnings all go
// to slog's debug level (trace below it), and only its errors reach warn,
// rate-limited. Every line goes through the address redaction of the
// server's logger (logredact.go).
type pionLogs struct {
	log    *slog.Logger
	limits *pionLimits
}

func newPionLogs(log *slog.Logger) pionLogs {
	return pionLogs{log: log, limits: &pionLimits{scopes: map[string]*pionLimit{}}}
}

func (f pionLogs) NewLogger(scope string) logging.LeveledLogger {
	return pionLogger{log: f.log.With("pion", scope), limit: f.limits.scope(scope)}
}

// pionLimits holds one error budget per Pion scope; mu guards scopes.
type pionLimits struct {
	mu     sync.Mutex
	scopes map[string]*pionLimit
}

func (l *pionLimits) scope(name string) *pionLimit {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.scopes[name]
	if s == nil {
		s = &pionLimit{budget: rate.NewLimiter(rate.Every(pionErrorEvery), pionErrorBurst)}
		l.scopes[name] = s
	}
	return s
}

// pionLimit is one scope's budget of warn lines; mu guards held.
type pionLimit struct {
	budget *rate.Limiter
	mu     sync.Mutex
	held   int // errors sent to debug since the last one that passed
}

// pass reports whether an error may go out at warn, and how many were
// held back before it.
func (l *pionLimit) pass() (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.budget.Allow() {
		l.held++
		return false, 0
	}
	held := l.held
	l.held = 0
	return true, held
}

type pionLogger struct {
	log   *slog.Logger
	limit *pionLimit
}

const levelTrace = slog.LevelDebug - 4

// logf formats only when the level is on, and never formats a live
// struct (see safeArgs).
func (l pionLogger) logf(level slog.Level, format string, args []any) {
	if l.log.Enabled(context.Background(), level) {
		l.log.Log(context.Background(), level, fmt.Sprintf(format, safeArgs(args)...))
	}
}

// safeArgs replaces every argument but plain values, errors and Stringers
// by its type name: Pion passes live structs to some Debugf calls ("got
// new track: %+v" with the track its receiver goroutine is filling in),
// and printing them with reflection races with their owners.
func safeArgs(args []any) []any {
	out := args
	for i, a := range args {
		switch a.(type) {
		case nil, error, fmt.Stringer, string, bool, int, int8, int16, int32, int64,
			uint, uint8, uint16, uint32, uint64, float32, float64, time.Duration:
			continue
		}
		if &out[0] == &args[0] {
			out = append([]any(nil), args...)
		}
		out[i] = fmt.Sprintf("<%T>", a)
	}
	return out
}

// errorf sends an error to warn within the scope's budget, else to debug.
func (l pionLogger) errorf(format string, args []any) {
	ok, held := l.limit.pass()
	if !ok {
		l.logf(slog.LevelDebug, format, args)
		return
	}
	ctx := context.Background()
	if !l.log.Enabled(ctx, slog.LevelWarn) {
		return
	}
	msg := fmt.Sprintf(format, args...)
	if held > 0 {
		l.log.Log(ctx, slog.LevelWarn, msg, "held_back", held)
		return
	}
	l.log.Log(ctx, slog.LevelWarn, msg)
}

func (l pionLogger) Trace(msg string)                  { l.logf(levelTrace, "%s", []any{msg}) }
func (l pionLogger) Tracef(format string, args ...any) { l.logf(levelTrace, format, args) }
func (l pionLogger) Debug(msg string)                  { l.logf(slog.LevelDebug, "%s", []any{msg}) }
func (l pionLogger) Debugf(format string, args ...any) { l.logf(slog.LevelDebug, format, args) }
func (l pionLogger) Info(msg string)                   { l.logf(slog.LevelDebug, "%s", []any{msg}) }
func (l pionLogger) Infof(format string, args ...any)  { l.logf(slog.LevelDebug, format, args) }
func (l pionLogger) Warn(msg string)                   { l.logf(slog.LevelDebug, "%s", []any{msg}) }
func (l pionLogger) Warnf(format string, args ...any)  { l.logf(slog.LevelDebug, format, args) }
func (l pionLogger) Error(msg string)                  { l.errorf("%s", []any{msg}) }
func (l pionLogger) Errorf(format string, args ...any) { l.errorf(format, args) }
