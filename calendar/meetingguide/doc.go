// Package meetingguide exports Hearth's schedule as a Meeting Guide JSON feed
// (code4recovery/spec 1.1.9) and imports such feeds into groups and series.
//
// The spec is for weekly meetings only, so a series it cannot express (monthly,
// or weekly every two or more weeks) is left out of the export; the handler
// says how many in the X-Hearth-Omitted header. A weekly series on several
// days is one entry whose day is an array, as the spec allows; ?split=days
// gives one entry per weekday with slug "<slug>-<day>" instead, for consumers
// that do not read arrays.
//
// Beside the spec's fields the export carries hearth_format, hearth_program
// and languages, which consumers ignore and which let an import into another
// Hearth restore what the spec has no field for.
package meetingguide
