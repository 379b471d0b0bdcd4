// Drives a Hearth CalDAV server with tsdav: discovery from the server root,
// calendar listing, a time-range fetch and a sync-collection round.
// Usage: node sync.cjs BASE_URL START END ; prints lines the Go test checks.
const { DAVClient } = require('tsdav');

async function main() {
  const [base, start, end] = process.argv.slice(2);
  const client = new DAVClient({
    serverUrl: base,
    credentials: { username: 'anyone', password: 'public' }, // ignored: the schedule is public
    authMethod: 'Basic',
    defaultAccountType: 'caldav',
  });
  await client.login();
  const calendars = await client.fetchCalendars();
  console.log('calendars', calendars.length);
  const all = calendars.find((c) => c.url.endsWith('/all/'));
  console.log('ctag', all.ctag ? 'yes' : 'no', 'synctoken', all.syncToken ? 'yes' : 'no');
  const objects = await client.fetchCalendarObjects({ calendar: all, timeRange: { start, end } });
  for (const o of objects.map((o) => o.url).sort()) console.log('object', o.replace(/^.*\//, ''));
  const changed = await client.isCollectionDirty({ collection: all });
  console.log('dirty', changed.isDirty);
}
main().catch((e) => { console.error(e); process.exit(1); });
