package control

// Code is a stable, machine-readable reason. It is the error type of every
// refusal this package returns, and the reason carried by refused admissions
// and disconnects. Codes are part of the signaling protocol: never rename one.
//
// Callers test with errors.Is(err, control.CodeNotChair); details are added by
// wrapping with %w.
type Code string

// Error implements error.
func (c Code) Error() string { return "control: " + string(c) }

// Refusal and disconnect reasons.
const (
	CodeNotChair           Code = "not-chair"
	CodeNotOwner           Code = "not-owner" // only the chair (not a co-chair) may do this
	CodeUnknownParticipant Code = "unknown-participant"
	CodeNotAdmitted        Code = "not-admitted"
	CodeNotWaiting         Code = "not-waiting"
	CodeTargetIsChair      Code = "target-is-chair"
	CodeInvalid            Code = "invalid"
	CodeRateLimited        Code = "rate-limited"
	CodeSecretRefused      Code = "secret-refused" // too many wrong attempts: no more tries this meeting
	CodeBadHostKey         Code = "bad-host-key"
	CodeBadPasscode        Code = "bad-passcode"
	CodeChatOff            Code = "chat-off"
	CodePrivateChat        Code = "private-chat" // members cannot write to one participant
	CodeNotSecured         Code = "not-secured"  // undo-secure without a Secure to undo
	CodeReactionsOff       Code = "reactions-off"
	CodeUnknownMessage     Code = "unknown-message"
	CodeRenameLocked       Code = "rename-locked"
	CodeSelfUnmuteOff      Code = "self-unmute-off"
	CodeStartVideoOff      Code = "start-video-off"
	CodeLocked             Code = "locked"
	CodeFull               Code = "full"
	CodeBarred             Code = "barred"
	CodeEnded              Code = "ended"
	CodeDuplicate          Code = "duplicate"
	CodeRemoved            Code = "removed"
	CodeDenied             Code = "denied"
	CodeSentToWaiting      Code = "sent-to-waiting" // a chair moved the member back to the waiting room
	CodeNoTimer            Code = "no-timer"
	CodeNoTradition        Code = "no-tradition" // hide-tradition when the card is not up
	CodeHandNotRaised      Code = "hand-not-raised"
	CodeNotReader          Code = "not-reader" // only chairs and the named reader may show or move a reading
	CodeNoReading          Code = "no-reading" // move or close when no reading is open
	CodeNoReader           Code = "no-reader"  // take the reader's role when nobody has it
	CodeRoleEnded          Code = "role-ended" // reason of a role event: the service role that seated the chair was revoked or ran out
)
