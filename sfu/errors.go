package sfu

// Error is a refusal sent to the client as an error message. Err, when
// set, is the cause kept for logs and errors.Is; it is never sent.
type Error struct {
	Code    string
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return "sfu: " + e.Message + ": " + e.Err.Error()
	}
	return "sfu: " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }
