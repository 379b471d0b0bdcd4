package demo

import (
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// groupSeed is one invented group. Names are made up; links point at
// example.org so that no real fellowship is implied.
type groupSeed struct {
	slug, name, program, location, phone string
}

var groups = [...]groupSeed{
	{"lakeshore-aa", "Lakeshore Online AA", "AA", "Chicago, IL, USA", "+1 312 555 0142"},
	{"sunrise-aa", "Sunrise Sobriety Group", "AA", "Brooklyn, NY, USA", ""},
	{"pacific-na", "Pacific Clean and Serene", "NA", "Long Beach, CA, USA", ""},
	{"thames-aa", "Thames Valley Online AA", "AA", "Reading, England, UK", "+44 20 7946 0321"},
	{"spree-na", "Spree Recovery NA", "NA", "Berlin, Germany", ""},
	{"harbour-smart", "Harbour SMART Recovery", "SMART Recovery", "Sydney, NSW, Australia", ""},
	{"prairie-smart", "Prairie SMART Recovery", "SMART Recovery", "Madison, WI, USA", ""},
	{"riverside-cr", "Riverside Celebrate Recovery", "Celebrate Recovery", "Atlanta, GA, USA", ""},
	{"open-sky-dharma", "Open Sky Recovery Dharma", "Recovery Dharma", "Cape Town, South Africa", ""},
	{"redwood-dharma", "Redwood Recovery Dharma", "Recovery Dharma", "Oakland, CA, USA", ""},
	{"marine-drive-aa", "Marine Drive AA", "AA", "Mumbai, India", ""},
	{"crossroads-ga", "Crossroads Gamblers Group", "GA", "Toronto, ON, Canada", ""},
	{"harbor-light-mara", "Harbor Light MARA", "MARA", "Baltimore, MD, USA", ""},
}

// rule kinds used by the seed table.
type rule struct {
	freq     meetings.Frequency
	interval int
	setPos   int
	days     []time.Weekday
}

func weekly(days ...time.Weekday) rule { return rule{meetings.Weekly, 1, 0, days} }
func fortnightly(d time.Weekday) rule  { return rule{meetings.Weekly, 2, 0, []time.Weekday{d}} }
func monthly(pos int, d time.Weekday) rule {
	return rule{meetings.Monthly, 1, pos, []time.Weekday{d}}
}

// seriesSeed is one invented meeting.
type seriesSeed struct {
	slug, group, name, tz, at string
	minutes                   int
	types, langs              []string
	r                         rule
	notes                     string
	waiting, passcode         bool
}

const (
	sun, mon, tue, wed = time.Sunday, time.Monday, time.Tuesday, time.Wednesday
	thu, fri, sat      = time.Thursday, time.Friday, time.Saturday
)

var (
	en   = []string{"en"}
	open = []string{"O", "D"}
)

// series is the demo schedule: 43 meetings of 7 programs in 9 zones on 5
// continents.
var series = [...]seriesSeed{
	{"lakeshore-early-bird", "lakeshore-aa", "Early Bird", "America/Chicago", "06:30", 60, open, en, weekly(mon, tue, wed, thu, fri), "Coffee and the daily reflection.", false, false},
	{"lakeshore-big-book", "lakeshore-aa", "Big Book Study", "America/Chicago", "19:00", 60, []string{"C", "B"}, en, weekly(tue), "We read a few pages and share on them.", true, false},
	{"lakeshore-newcomers", "lakeshore-aa", "Newcomers Welcome", "America/Chicago", "18:00", 60, []string{"O", "BE"}, en, weekly(sat), "New to AA? Start here.", false, false},
	{"lakeshore-speaker", "lakeshore-aa", "First Sunday Speaker", "America/Chicago", "17:00", 90, []string{"O", "SP"}, en, monthly(1, sun), "One speaker shares their story.", false, false},
	{"lakeshore-women", "lakeshore-aa", "Women's Step Study", "America/Chicago", "20:00", 60, []string{"C", "W", "ST"}, en, weekly(thu), "", true, true},
	{"sunrise-daily", "sunrise-aa", "Sunrise Daily", "America/New_York", "07:00", 60, open, en, weekly(sun, mon, tue, wed, thu, fri, sat), "Every day, rain or shine.", false, false},
	{"sunrise-spanish", "sunrise-aa", "Grupo Amanecer", "America/New_York", "20:00", 60, []string{"O", "S"}, []string{"es"}, weekly(mon, wed, fri), "Reunión en español.", false, false},
	{"sunrise-traditions", "sunrise-aa", "Tradition Tuesday", "America/New_York", "12:00", 60, []string{"C", "TR"}, en, fortnightly(tue), "Every other week we study one Tradition.", false, false},
	{"sunrise-lgbtq", "sunrise-aa", "Rainbow Room", "America/New_York", "21:00", 60, []string{"O", "LGBTQ"}, en, weekly(fri), "", true, false},
	{"pacific-just-for-today", "pacific-na", "Just for Today", "America/Los_Angeles", "19:00", 60, []string{"O", "LIT"}, en, weekly(mon, wed, fri), "", false, false},
	{"pacific-late-night", "pacific-na", "Late Night Clean", "America/Los_Angeles", "22:30", 60, open, en, weekly(fri, sat), "For night owls.", false, false},
	{"pacific-step-working", "pacific-na", "Step Working Guide", "America/Los_Angeles", "18:00", 90, []string{"C", "ST"}, en, weekly(sun), "", true, false},
	{"pacific-last-friday", "pacific-na", "Last Friday Celebration", "America/Los_Angeles", "20:00", 90, []string{"O", "SP"}, en, monthly(meetings.LastWeek, fri), "Clean-time celebrations and a speaker.", false, false},
	{"thames-lunchtime", "thames-aa", "Lunchtime Reflections", "Europe/London", "12:30", 45, open, en, weekly(mon, tue, wed, thu, fri), "A short meeting for the working day.", false, false},
	{"thames-sunday-evening", "thames-aa", "Sunday Evening", "Europe/London", "19:30", 60, open, en, weekly(sun), "", false, false},
	{"thames-mens", "thames-aa", "Men's Big Book", "Europe/London", "20:00", 60, []string{"C", "M", "B"}, en, weekly(wed), "", true, false},
	{"thames-twelve-and-twelve", "thames-aa", "Twelve and Twelve", "Europe/London", "18:00", 60, []string{"C", "12x12"}, en, fortnightly(thu), "", false, false},
	{"spree-english", "spree-na", "Berlin Clean (English)", "Europe/Berlin", "19:00", 60, open, en, weekly(tue, thu), "English-speaking meeting for Berlin and beyond.", false, false},
	{"spree-german", "spree-na", "Clean in Berlin", "Europe/Berlin", "19:30", 60, []string{"O", "DE"}, []string{"de"}, weekly(mon, sat), "Meeting auf Deutsch.", false, false},
	{"spree-morning", "spree-na", "Morning Meditation", "Europe/Berlin", "08:00", 30, []string{"O", "MED"}, []string{"de", "en"}, weekly(sun), "", false, false},
	{"spree-first-sunday", "spree-na", "Monthly Business Meeting", "Europe/Berlin", "12:00", 60, []string{"C"}, en, monthly(1, sun), "Group conscience; members only.", false, true},
	{"harbour-tuesday", "harbour-smart", "Harbour Tuesday Tools", "Australia/Sydney", "18:30", 90, nil, en, weekly(tue), "Working with the SMART tools: CBA, ABC, DISARM.", false, false},
	{"harbour-saturday", "harbour-smart", "Saturday Morning SMART", "Australia/Sydney", "09:00", 90, nil, en, weekly(sat), "", false, false},
	{"harbour-family", "harbour-smart", "Family & Friends", "Australia/Sydney", "19:00", 60, nil, en, fortnightly(thu), "For people who love someone in recovery.", true, false},
	{"prairie-evening", "prairie-smart", "Prairie Evening", "America/Chicago", "19:30", 90, nil, en, weekly(mon, thu), "", false, false},
	{"prairie-young", "prairie-smart", "Young Adults SMART", "America/Chicago", "20:00", 60, []string{"Y"}, en, weekly(wed), "Ages 18 to 30.", false, false},
	{"riverside-large-group", "riverside-cr", "Large Group Worship and Lesson", "America/New_York", "18:30", 60, nil, en, weekly(fri), "Worship, a lesson, then open share groups.", false, false},
	{"riverside-step-study", "riverside-cr", "Step Study", "America/New_York", "19:00", 90, []string{"ST"}, en, weekly(tue), "Closed step study group.", true, true},
	{"riverside-womens", "riverside-cr", "Women's Open Share", "America/New_York", "19:00", 60, []string{"W"}, en, weekly(mon), "", true, false},
	{"open-sky-sunday", "open-sky-dharma", "Sunday Sangha", "Africa/Johannesburg", "10:00", 90, []string{"MED"}, en, weekly(sun), "Meditation, a reading and sharing.", false, false},
	{"open-sky-midweek", "open-sky-dharma", "Midweek Inquiry", "Africa/Johannesburg", "18:30", 75, []string{"MED"}, en, weekly(wed), "", false, false},
	{"open-sky-afrikaans", "open-sky-dharma", "Herstel Dharma", "Africa/Johannesburg", "19:00", 60, []string{"MED", "AF"}, []string{"af"}, fortnightly(mon), "Vergadering in Afrikaans.", false, false},
	{"redwood-morning", "redwood-dharma", "Morning Sit", "America/Los_Angeles", "07:00", 60, []string{"MED"}, en, weekly(mon, wed, fri), "", false, false},
	{"redwood-saturday", "redwood-dharma", "Saturday Book Study", "America/Los_Angeles", "10:00", 75, []string{"MED", "LIT"}, en, weekly(sat), "", false, false},
	{"redwood-bipoc", "redwood-dharma", "BIPOC Sangha", "America/Los_Angeles", "18:00", 75, []string{"MED"}, en, weekly(thu), "An affinity group for people of colour.", true, false},
	{"marine-drive-morning", "marine-drive-aa", "Marine Drive Morning", "Asia/Kolkata", "07:00", 60, open, en, weekly(mon, tue, wed, thu, fri, sat), "", false, false},
	{"marine-drive-hindi", "marine-drive-aa", "Hindi Meeting", "Asia/Kolkata", "19:00", 60, []string{"O", "HI"}, []string{"hi"}, weekly(sun, wed), "Hindi-language meeting.", false, false},
	{"marine-drive-big-book", "marine-drive-aa", "Big Book Saturday", "Asia/Kolkata", "18:00", 60, []string{"C", "B"}, en, weekly(sat), "", false, false},
	{"marine-drive-speaker", "marine-drive-aa", "Last Friday Speaker", "Asia/Kolkata", "20:00", 90, []string{"O", "SP"}, en, monthly(meetings.LastWeek, fri), "", false, false},
	{"thames-first-sunday", "thames-aa", "First Sunday Traditions", "Europe/London", "16:00", 60, []string{"C", "TR"}, en, monthly(1, sun), "", false, false},
	{"crossroads-thursday", "crossroads-ga", "Thursday Night Recovery", "America/Toronto", "19:30", 90, open, en, weekly(thu), "Open to anyone with a desire to stop gambling.", false, false},
	{"crossroads-sunday", "crossroads-ga", "Sunday Step Meeting", "America/Toronto", "11:00", 60, []string{"C", "ST"}, en, weekly(sun), "", false, false},
	{"harbor-light-midday", "harbor-light-mara", "Midday Pathways", "America/New_York", "12:00", 60, open, en, weekly(mon, wed, fri), "Every pathway welcome, with or without medication.", false, false},
}
