"""Drives python3-caldav against a Hearth CalDAV server.

Usage: python_caldav.py BASE_URL START END
Discovers the principal from BASE_URL, lists the calendars, runs a date
search on the "all" calendar and prints one line per result:
  calendars N
  found UID
"""
import sys
from datetime import datetime, timezone

import caldav

base, start, end = sys.argv[1], sys.argv[2], sys.argv[3]
client = caldav.DAVClient(url=base)
principal = client.principal()
cals = principal.calendars()
print("calendars", len(cals))
target = [c for c in cals if str(c.url).rstrip("/").endswith("/all")][0]
parse = lambda s: datetime.strptime(s, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
for ev in target.date_search(start=parse(start), end=parse(end), expand=False):
    print("found", ev.icalendar_instance.walk("VEVENT")[0]["UID"])
