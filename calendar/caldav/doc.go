// Package caldav serves Hearth's schedule as a read-only CalDAV server
// (RFC 4791) for calendar apps that prefer CalDAV to subscriptions.
//
// go-webdav's caldav.Handler answers discovery (/.well-known/caldav, the root
// and the principal's current-user-principal and calendar-home-set). In front
// of it this package answers what go-webdav gets wrong or lacks for a public,
// read-only schedule: PROPFIND on the home set, calendars and objects with a
// read-only current-user-privilege-set, getctag, sync-token and ETags;
// REPORT calendar-query with Hearth's own time-range matcher (exceptions
// applied) and server-side expand; calendar-multiget; sync-collection
// (RFC 6578); 304 on conditional GET; and 403 with a DAV error for every
// write, with PROPPATCH answered 207 and 403 per property, as Apple clients
// expect during set-up.
//
// Layout, under the prefix (default /dav):
//
//	/dav/                              root
//	/dav/public/                       the principal (no login: the schedule is public)
//	/dav/public/calendars/             calendar home set
//	/dav/public/calendars/all/         every meeting
//	/dav/public/calendars/format-smart/    one per format
//	/dav/public/calendars/program-aa/      one per program
//	/dav/public/calendars/all/{slug}.ics   one object per series
package caldav
