package calendar

import (
	"bytes"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-ical"

	"github.com/hearth-recovery/hearth/calendar/vtimezone"
)

// calendarEnd closes every VCALENDAR.
const calendarEnd = "END:VCALENDAR\r\n"

// encodeHead encodes cal's BEGIN line and properties, without components
// and without its END line, exactly as Encode writes them.
func encodeHead(cal *ical.Calendar) (string, error) {
	head := ical.NewCalendar()
	head.Props = cal.Props
	var b bytes.Buffer
	if err := Encode(&b, head); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), calendarEnd), nil
}

// wrapperHead is how Encode begins the calendar encodeComponents wraps
// components in (TestCachedRenderMatchesOneEncode would catch a mismatch).
const wrapperHead = "BEGIN:VCALENDAR\r\nPRODID:-\r\nVERSION:2.0\r\n"

// encodeComponents encodes comps, folded, exactly as Encode writes them
// inside a VCALENDAR.
func encodeComponents(comps []*ical.Component) (string, error) {
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropProductID, "-")
	cal.Props.SetText(ical.PropVersion, "2.0")
	head := wrapperHead
	cal.Children = comps
	var b bytes.Buffer
	if err := Encode(&b, cal); err != nil {
		return "", err
	}
	return strings.TrimSuffix(strings.TrimPrefix(b.String(), head), calendarEnd), nil
}

// tzCache holds VTIMEZONE components and their encoding. A component is
// never changed once built, so renders share it.
type tzCache struct {
	mu sync.Mutex // guards byKey
	// byKey maps zone name and covered years to the component.
	byKey map[tzKey]*cachedTZ
}

type cachedTZ struct {
	comp *ical.Component
	text string
}

type tzKey struct {
	zone            string
	first, lastYear int
}

// maxZonesCached bounds the cache; a schedule uses a few dozen zones and a
// few first years.
const maxZonesCached = 1024

func newTZCache() *tzCache { return &tzCache{byKey: map[tzKey]*cachedTZ{}} }

func (c *tzCache) get(loc *time.Location, first, last int) (*cachedTZ, error) {
	k := tzKey{loc.String(), first, last}
	c.mu.Lock()
	tz, ok := c.byKey[k]
	c.mu.Unlock()
	if ok {
		return tz, nil
	}
	// Probing a zone's transitions costs more than the rest of a calendar
	// object; two renders may both build one the first time, which is
	// harmless.
	comp := vtimezone.Component(loc, first, last)
	text, err := encodeComponents([]*ical.Component{comp})
	if err != nil {
		return nil, err
	}
	tz = &cachedTZ{comp: comp, text: text}
	c.mu.Lock()
	if len(c.byKey) >= maxZonesCached {
		clear(c.byKey)
	}
	c.byKey[k] = tz
	c.mu.Unlock()
	return tz, nil
}

func (c *tzCache) component(loc *time.Location, first, last int) *ical.Component {
	tz, err := c.get(loc, first, last)
	if err != nil {
		return vtimezone.Component(loc, first, last)
	}
	return tz.comp
}

func (c *tzCache) text(loc *time.Location, first, last int) (string, error) {
	tz, err := c.get(loc, first, last)
	if err != nil {
		return "", err
	}
	return tz.text, nil
}

// maxEventBytes bounds the VEVENT cache: 10,000 series take about 20 MB.
const maxEventBytes = 64 << 20

// textCache holds encoded text by a key that changes whenever the text
// would (an ETag), so an entry never goes stale; it is emptied when full
// only to bound memory.
type textCache struct {
	mu sync.Mutex // guards byKey and size
	// byKey maps a key to its text.
	byKey map[string]string
	// size is the bytes held in byKey; limit bounds it.
	size, limit int
}

func newTextCache(limit int) *textCache { return &textCache{byKey: map[string]string{}, limit: limit} }

func (c *textCache) get(key string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.byKey[key]
	return t, ok
}

func (c *textCache) put(key, text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.size+len(text) > c.limit {
		clear(c.byKey)
		c.size = 0
	}
	if _, ok := c.byKey[key]; !ok {
		c.byKey[key] = text
		c.size += len(text)
	}
}
