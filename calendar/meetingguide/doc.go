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
//
// # Import
//
// Import maps each entry to a group (by the slug of its "group" name, or
// "Imported meetings") and a weekly series (by slug). It accepts the forms
// real feeds use: slug as a string or a number (made URL-safe); day as 0-6,
// "0"-"6", an English day name, or an array of those; time and end_time as
// "HH:MM", "H:MM" or "HH:MM:SS"; types as an array or a comma-separated
// string, with ONL dropped (the spec removed it) and unknown codes dropped
// with a warning; formatted_address, or city, state and country, as the
// group's approximate location; conference_phone as the group's dial-in.
// conference_url is not imported: Hearth meetings use Hearth rooms. An entry
// without a usable slug, name, day, time or timezone (and no default zone),
// or with a slug an earlier entry used, is skipped and reported; the rest
// import. Importing the same feed twice writes nothing the second time.
package meetingguide
