"""The read-only checks of python-caldav's functional suite, re-written for
Hearth (python-caldav's own tests/test_caldav.py at v0.11.0, the tag of
Debian's python3-caldav, was run against Hearth's root with the read-only
flags: see README; its code is not copied here).

Usage: python_caldav_readonly.py ROOT_URL UID_IN_ALL
Prints "ok NAME" per check and exits non-zero on the first failure.
"""
import sys

import caldav
from caldav.elements import dav
from caldav.lib import error

root, known_uid = sys.argv[1], sys.argv[2]


def check(name, cond, detail=""):
    if not cond:
        print("FAIL", name, detail)
        sys.exit(1)
    print("ok", name)


client = caldav.DAVClient(url=root)
principal = client.principal()

# testSupport: OPTIONS on the principal says DAV and calendar-access.
check("dav support", client.check_dav_support())
check("caldav support", client.check_cdav_support())

# testPropfind: an allprop PROPFIND on the principal lists resourcetype.
raw = client.propfind(principal.url, props='<?xml version="1.0" encoding="UTF-8"?>'
                      '<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>').raw
check("allprop has resourcetype", "resourcetype" in str(raw))

# testGetCalendarHomeSet
chs = principal.get_properties([caldav.elements.cdav.CalendarHomeSet()])
check("calendar-home-set", "{urn:ietf:params:xml:ns:caldav}calendar-home-set" in chs)

# testGetDefaultCalendar / testPrincipal
cals = principal.calendars()
check("calendars", len(cals) > 0 and all(c.__class__.__name__ == "Calendar" for c in cals), str(cals))
cal = [c for c in cals if str(c.url).rstrip("/").endswith("/all")][0]

# testGetCalendar: display name through str() and repr().
name = cal.get_property(dav.DisplayName(), use_cached=True) or cal.url
check("calendar name", str(name) == str(cal) and "Calendar" in repr(cal), repr(cal))

# testCalendarByFullURL
same = client.principal().calendar(cal_id=str(cal.url))
check("calendar by full URL", same.url.canonical() == cal.url.canonical())

# testGetSupportedComponents
check("supported components", "VEVENT" in cal.get_supported_components())

# testOffsetURL: a client started on the principal or a calendar finds the same.
for url in (principal.url, cal.url):
    other = caldav.DAVClient(url=url).principal().calendars()
    check("offset URL " + str(url), len(other) == len(cals))

# object_by_uid, which python-caldav's own teardown relies on: a UID that
# exists is found, one that does not raises NotFoundError.
obj = cal.object_by_uid(known_uid)
check("object_by_uid finds " + known_uid, known_uid in obj.data)
try:
    cal.object_by_uid("no-such-uid@example.invalid")
    check("object_by_uid of a missing UID", False, "found something")
except error.NotFoundError:
    check("object_by_uid of a missing UID", True)

# The events of a calendar, by URL: each loads with its data.
events = cal.events()
check("events", len(events) > 0 and all("BEGIN:VEVENT" in e.data for e in events))
loaded = caldav.Event(client=client, url=events[0].url, parent=cal).load()
check("event by URL", "BEGIN:VEVENT" in loaded.data)

# Writes are refused: MKCALENDAR and PUT answer 403.
for name, write in (("make_calendar", lambda: principal.make_calendar(name="Yep", cal_id="pythoncaldav-test")),
                    ("save_event", lambda: cal.save_event("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\n"
                                                          "BEGIN:VEVENT\r\nUID:x@example.invalid\r\nDTSTAMP:20260101T000000Z\r\n"
                                                          "DTSTART:20260101T000000Z\r\nSUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))):
    try:
        write()
        check(name + " refused", False, "accepted")
    except (error.AuthorizationError, error.MkcalendarError, error.PutError) as e:
        check(name + " refused", "403" in str(e) or "Forbidden" in str(e) or isinstance(e, error.AuthorizationError), str(e))
