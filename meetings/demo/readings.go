package demo

import "github.com/hearth-recovery/hearth/meetings"

// The demo groups' readings: written for the demo, short, in Hearth's own
// invented words. They show what a chair can put in front of everyone in
// place of screen sharing; they are not any fellowship's literature (those
// texts are copyrighted, and a group adds its own).

var twelveStepReadings = []meetings.Reading{
	{Title: "Preamble (demo)", Text: `We are people who meet to share what has helped us stay in recovery, one day at a time. *Anyone* who wants to stop is welcome here; there are no dues and no sign-up.

We are not tied to any cause, church or company. We do not argue public questions. Our one purpose is to stay well ourselves and help the next person who comes in.

This is invented text for Hearth's demo schedule. A real group adds the readings it uses.`},
	{Title: "How it works here", Text: `The chair opens the meeting and asks someone to read. Members raise a hand to share; the chair unmutes each in turn.

Please keep shares to about *three minutes*, so that everyone who wants to can speak. We share about ourselves, and we do not give advice or answer another member's share.

What you see and hear here stays here. Cameras are welcome but never required.

At the end the chair shows the 7th Tradition card and we close together.`},
	{Title: "Our traditions (demo)", Text: `*Our common welfare comes first:* the group lasts so that each of us can.

*The group decides* in a group conscience, where every voice counts and no one is in charge for good.

*We pay our own way* through our own contributions, and take no outside money.

*We keep names in the room.* No one is named outside the meeting, in a message or online.`},
}

var smartReadings = []meetings.Reading{
	{Title: "Opening statement (demo)", Text: `Welcome. This is a self-help meeting for anyone who wants to change an addictive behaviour. We use practical tools and talk about what we can do *today*.

We do not label anyone, and you choose your own goals. The facilitator keeps time so that everyone who wants to can check in.

This is invented text for Hearth's demo schedule.`},
	{Title: "How it works here", Text: `We start with a short check-in: how your week went, in a sentence or two.

Then we choose one or two topics and work through them with a tool, such as a cost-benefit look at a choice.

We close with each person saying one thing they will try before we meet again.`},
}

// demoReadings returns the readings a demo group starts with.
func demoReadings(program string) []meetings.Reading {
	src := twelveStepReadings
	if program == "SMART Recovery" {
		src = smartReadings
	}
	return append([]meetings.Reading(nil), src...)
}
