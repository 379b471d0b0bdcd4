// Package calendar publishes Hearth's schedule to calendar software: iCalendar
// subscription feeds (this package), a read-only CalDAV server
// (calendar/caldav) and the Meeting Guide JSON feed (calendar/meetingguide).
//
// It reads the schedule only through the Source interface, which cmd/hearth
// implements over the store, so it never depends on how meetings are stored.
//
// # One VEVENT per series
//
// Each series is one VEVENT whose DTSTART carries a TZID in the meeting's own
// zone, with its RRULE as stored (meetings.Recurrence.RRule), EXDATE for each
// cancelled date and a RECURRENCE-ID override for each moved or annotated
// occurrence. Every TZID used gets a VTIMEZONE generated from Go's tz database
// (calendar/vtimezone). DTSTART is the rule's first real occurrence
// (meetings.Recurrence.FirstDate), because iCalendar counts DTSTART as an
// occurrence whatever the rule says.
//
// # Local times that do not exist or happen twice
//
// Hearth follows RFC 5545 §3.3.5 (meetings.LocalTime.At): a start time that
// falls in a spring-forward gap is read with the offset in force before the
// gap (02:30 on the day New York skips 02:00-03:00 is 03:30 EDT, 07:30Z), and
// a start time that happens twice on a fall-back day is the first of the two
// (01:30 EDT, 05:30Z). The feed writes the wall-clock time as stored and
// leaves the reading to the client, and clients differ on exactly these two
// cases (measured here, and pinned by TestDSTEdgeCases for ical.js):
//
//   - khal 0.10 (python-icalendar + dateutil) agrees on the gap (07:30Z) but
//     takes the second of the two ambiguous times (06:30Z).
//   - Mozilla's ical.js (Thunderbird) reads the gap time with the offset after
//     the gap (06:30Z) and the ambiguous time as the second one (06:30Z).
//
// So on those two days a year a meeting scheduled inside the one-hour gap or
// overlap (in practice only times between 01:00 and 03:00) may show an hour
// apart in some apps. Every other day and every other time agrees everywhere,
// which the tests check against ical.js across DST changes in several zones
// and against khal through CalDAV. Schedulers should avoid such start times.
package calendar
