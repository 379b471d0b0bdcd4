// Expands an iCalendar feed read from stdin with Mozilla's ical.js and prints
// one line per occurrence starting in [argv[2], argv[3]): "UID START END" in UTC.
import ICAL from 'ical.js';
import { readFileSync } from 'node:fs';

const from = ICAL.Time.fromJSDate(new Date(process.argv[2]), true);
const to = ICAL.Time.fromJSDate(new Date(process.argv[3]), true);
const comp = new ICAL.Component(ICAL.parse(readFileSync(0, 'utf8')));
for (const tz of comp.getAllSubcomponents('vtimezone')) {
  ICAL.TimezoneService.register(new ICAL.Timezone(tz));
}
const events = comp.getAllSubcomponents('vevent');
const masters = new Map();
for (const v of events) {
  if (!v.hasProperty('recurrence-id')) masters.set(v.getFirstPropertyValue('uid'), new ICAL.Event(v));
}
for (const v of events) {
  if (v.hasProperty('recurrence-id')) masters.get(v.getFirstPropertyValue('uid')).relateException(v);
}
const out = [];
for (const [uid, ev] of masters) {
  const it = ev.iterator();
  for (let next = it.next(); next; next = it.next()) {
    const d = ev.getOccurrenceDetails(next);
    if (d.startDate.toUnixTime() >= to.toUnixTime() + 86400 * 3) break;
    const s = d.startDate.toJSDate(), e = d.endDate.toJSDate();
    if (s >= from.toJSDate() && s < to.toJSDate()) out.push(`${uid} ${s.toISOString()} ${e.toISOString()}`);
  }
}
out.sort();
console.log(out.join('\n'));
