// Package demo seeds a realistic, invented schedule so that a new Hearth
// shows something worth browsing: groups and meetings across five programs,
// eight timezones and five continents, with weekly, multi-day, fortnightly
// and monthly rules and a few exceptions in the coming weeks.
package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// Passcode is the passcode of the demo meetings that have one. It is public
// on purpose: the demo exists to be tried.
const Passcode = "serenity"

// HostKey is the chair's host key of every demo meeting, public for the same
// reason: a new user must be able to try the chair's controls. Real meetings
// get a random key, shown once.
const HostKey = "demo-chair-key"

// anchor is the first date of every demo rule, a Monday, so that
// fortnightly meetings have a fixed phase.
var anchor = meetings.Date{Year: 2025, Month: time.January, Day: 6}

// Seed adds whatever part of the demo schedule is missing and returns how
// many meetings it created. Running it again creates nothing. now places the
// demo exceptions in the weeks after it.
func Seed(ctx context.Context, store meetings.Store, now time.Time, log *slog.Logger) (int, error) {
	// Programs are data: the demo takes each meeting's format from its
	// program, and leaves out a group whose program an admin deleted or
	// retired.
	programs, err := store.Programs(ctx)
	if err != nil {
		return 0, fmt.Errorf("demo: %w", err)
	}
	if err := seedGroups(ctx, store, programs); err != nil {
		return 0, err
	}
	passHash, err := meetings.HashPasscode(Passcode)
	if err != nil {
		return 0, err
	}
	keyHash, err := meetings.HashSecret(HostKey)
	if err != nil {
		return 0, err
	}
	created := 0
	for i := range series {
		ok, err := seedSeries(ctx, store, &series[i], programs, secrets{passHash, keyHash}, now)
		if err != nil {
			return created, err
		}
		if ok {
			created++
		}
	}
	log.Info("demo schedule seeded", "meetings_created", created, "meetings_in_demo", len(series))
	return created, nil
}

// traditionHandles gives some demo groups the Meeting Guide's 7th-Tradition
// handles, so that the feed, the meeting page and the room's card show them.
// They are invented, marked as the demo's, and lead to no account of Hearth's.
var traditionHandles = map[string]struct{ venmo, square, paypal string }{
	"lakeshore-aa": {venmo: "@hearth-demo-lakeshore", paypal: "HearthDemoLakeshore"},
	"sunrise-aa":   {square: "$HearthDemoSunrise"},
	"pacific-na":   {venmo: "@hearth-demo-pacific", square: "$HearthDemoPacific"},
}

// offered returns the program with key when new meetings may have it.
func offered(programs []meetings.ProgramInfo, key string) (meetings.ProgramInfo, bool) {
	p, ok := meetings.FindProgram(programs, meetings.Program(key))
	return p, ok && !p.Retired
}

func seedGroups(ctx context.Context, store meetings.Store, programs []meetings.ProgramInfo) error {
	for _, g := range groups {
		if _, ok := offered(programs, g.program); !ok {
			continue
		}
		if _, err := store.Group(ctx, g.slug); err == nil {
			continue
		} else if !errors.Is(err, meetings.ErrNotFound) {
			return fmt.Errorf("demo: %w", err)
		}
		grp := &meetings.Group{Slug: g.slug, Name: g.name, Program: meetings.Program(g.program),
			Description:     "An invented group in Hearth's demo schedule.",
			TraditionURL:    "https://example.org/7th-tradition/" + g.slug,
			ContactNote:     "Ask in the meeting chat after the close.",
			Location:        g.location,
			ConferencePhone: g.phone}
		h := traditionHandles[g.slug]
		grp.Venmo, grp.Square, grp.PayPal = h.venmo, h.square, h.paypal
		err := store.CreateGroup(ctx, grp)
		if errors.Is(err, meetings.ErrConflict) {
			continue // another node seeded it first
		}
		if err != nil {
			return fmt.Errorf("demo: group %s: %w", g.slug, err)
		}
		if err := store.PutReadings(ctx, g.slug, demoReadings(g.program)); err != nil {
			return fmt.Errorf("demo: readings of %s: %w", g.slug, err)
		}
	}
	return nil
}

// secrets are the hashes of the public demo passcode and host key, computed
// once: argon2id is deliberately slow.
type secrets struct{ passcode, hostKey string }

func seedSeries(ctx context.Context, store meetings.Store, sd *seriesSeed, programs []meetings.ProgramInfo, hashes secrets, now time.Time) (bool, error) {
	program, ok := offered(programs, sd.program())
	if !ok {
		return false, nil
	}
	if _, err := store.Meeting(ctx, sd.slug); err == nil {
		return false, nil
	} else if !errors.Is(err, meetings.ErrNotFound) {
		return false, fmt.Errorf("demo: %w", err)
	}
	s, err := sd.series(program)
	if err != nil {
		return false, err
	}
	s.Room.HostKeyHash = hashes.hostKey
	if sd.passcode {
		s.Room.PasscodeHash = hashes.passcode
	}
	if err := store.CreateSeries(ctx, s); err != nil {
		if errors.Is(err, meetings.ErrConflict) {
			return false, nil // seeded concurrently
		}
		return false, fmt.Errorf("demo: meeting %s: %w", sd.slug, err)
	}
	return true, addExceptions(ctx, store, s, now)
}

// program is the key of the program of the seed's group.
func (sd *seriesSeed) program() string {
	for _, g := range groups {
		if g.slug == sd.group {
			return g.program
		}
	}
	return ""
}

func (sd *seriesSeed) series(program meetings.ProgramInfo) (*meetings.Series, error) {
	start, err := meetings.ParseLocalTime(sd.at)
	if err != nil {
		return nil, fmt.Errorf("demo: %s: %w", sd.slug, err)
	}
	return &meetings.Series{
		Slug: sd.slug, Name: sd.name, GroupSlug: sd.group, Format: program.Format,
		Program: program.Key, Types: sd.types, Languages: sd.langs, Notes: sd.notes,
		TimeZone: sd.tz, Start: start, Duration: time.Duration(sd.minutes) * time.Minute,
		Recurrence: meetings.Recurrence{Freq: sd.r.freq, Interval: sd.r.interval, SetPos: sd.r.setPos,
			Weekdays: sd.r.days, Start: anchor},
		Room: meetings.RoomSettings{WaitingRoom: sd.waiting, LockedUntilChair: sd.waiting,
			MaxParticipants: 100, CameraOffOnEntry: sd.waiting},
	}, nil
}
