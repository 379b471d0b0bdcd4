// Package control is the chair-control state machine of one meeting room:
// admission (passcode, lock, waiting room, "locked until a chair arrives",
// capacity, bars), roles (chair, co-chair, member), the media permissions the
// SFU enforces on its packet path, chat, raised hands, the share timer and
// the host-key attempt limiter.
//
// It is pure: no goroutines, no I/O, no Pion, and time comes from an injected
// Clock. A Room is not safe for concurrent use; the SFU serialises calls with
// the mutex of its own room and applies the returned Events outside that lock.
//
// # Enforcement model
//
// Every decision is made here, on the server. A member's browser can only
// ask; the answer is an Event that the SFU turns into an effect it controls:
// KindPerms sets the per-participant media gate that the packet path checks,
// KindDisconnect closes the participant's connection, KindChat is delivered
// only to the audience this package names. A disruptor that patches its own
// client therefore cannot unmute itself, rejoin, or reach the chat.
//
// # Bars
//
// Removal bars the participant's Identity for the life of the Room, which is
// the life of the meeting: the Room keeps the bar in memory. When several
// nodes share the meeting (the SFU's leases), Carry hands the bars on as
// keyed hashes, with the switches and the hashed browsers admitted, so that
// the node that takes the meeting over after its node died refuses the same
// people (Restore); nothing else about anyone is carried. An Identity is two values the server issues and the client
// cannot choose: BrowserID, a random id the SFU sets in an HttpOnly cookie on
// the first visit, and ResumeToken, the random token the SFU hands a
// connection so that it can resume after a network change. Display names and
// network addresses are deliberately not used: names are chosen by the
// client and addresses are personal data that Hearth does not keep. A raider
// who clears cookies gets a fresh BrowserID; the answer to that is the
// waiting room and the lock, which Secure turns on.
//
// # Secrets
//
// Passcodes and host keys are verified outside this package (the SFU asks
// its Policy, which cmd implements with argon2id hashes). This package only
// limits how often they may be tried: see BeginSecret and FinishSecret.
package control
