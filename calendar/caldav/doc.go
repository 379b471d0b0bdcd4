// Package caldav serves Hearth's schedule as a read-only CalDAV server
// (RFC 4791) for calendar apps that prefer CalDAV to subscriptions.
//
// The package answers everything itself, discovery included: go-webdav's
// handler answered only discovery (its backend calls were never reached,
// and its time-range matcher is wrong for recurring series), so it was
// dropped. Answers are built from encoding/xml types (xml.go), so every
// value is escaped by the encoder.
//
// What it answers: discovery on /.well-known/caldav (308 to the principal)
// and PROPFIND/OPTIONS on the site's root, the prefix and the principal
// (current-user-principal, principal-URL, calendar-home-set: RFC 6764,
// RFC 5397), for clients pointed at the bare host name; PROPFIND on the home
// set, calendars and objects with a read-only current-user-privilege-set,
// getctag, sync-token and ETags, each answer naming the URL as requested;
// REPORT calendar-query with Hearth's own time-range matcher (exceptions
// applied), prop-filter is-not-defined and text-match (i;ascii-casemap and
// i;octet) on any property, and the supported-filter error for what it does
// not evaluate (param-filter, property time ranges); server-side expand;
// calendar-multiget; sync-collection (RFC 6578); 304 on conditional GET; and
// 403 with a DAV need-privileges error for every write on any path
// (MKCALENDAR included), with PROPPATCH answered 207 and 403 per property,
// as Apple clients expect during set-up.
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
