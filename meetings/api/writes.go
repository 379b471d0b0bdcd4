package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/hearth-recovery/hearth/meetings"
)

type groupWrite struct {
	Body GroupJSON
}

type groupPut struct {
	Slug string `path:"slug" maxLength:"64"`
	Body GroupJSON
}

type slugWrite struct {
	Slug string `path:"slug" maxLength:"64"`
}

type meetingWrite struct {
	Body MeetingInput
}

type meetingPut struct {
	Slug string `path:"slug" maxLength:"64"`
	Body MeetingInput
}

type exceptionPut struct {
	Slug string `path:"slug" maxLength:"64"`
	Date string `path:"date" doc:"Original local date of the occurrence, YYYY-MM-DD"`
	Body ExceptionInput
}

type exceptionDelete struct {
	Slug string `path:"slug" maxLength:"64"`
	Date string `path:"date"`
}

type groupOut struct{ Body GroupJSON }
type meetingOut struct{ Body MeetingJSON }
type exceptionOut struct{ Body ExceptionJSON }

// PhonePINJSON carries a new phone PIN, shown once.
type PhonePINJSON struct {
	PhonePIN string `json:"phone_pin" doc:"Publish this with the dial-in number to the meeting's members (as the passcode); it is not shown again"`
}
type phonePINOut struct{ Body PhonePINJSON }

// HostKeyJSON carries a new host key, shown once.
type HostKeyJSON struct {
	HostKey string `json:"host_key" doc:"Give this to the meeting's chairs; it is not shown again"`
}
type hostKeyOut struct{ Body HostKeyJSON }

func (s *Server) adminOp(id, method, path, summary string, status int, tags ...string) huma.Operation {
	o := s.op(id, method, path, summary, tags...)
	o.Security = []map[string][]string{{"bearer": {}}}
	o.DefaultStatus = status
	o.Errors = []int{http.StatusUnauthorized, http.StatusTooManyRequests, http.StatusUnprocessableEntity}
	return o
}

func (s *Server) registerWrites(api huma.API) {
	huma.Register(api, s.adminOp("create-group", http.MethodPost, "/api/groups", "Create a group", http.StatusCreated, "groups"), s.createGroup)
	huma.Register(api, s.adminOp("update-group", http.MethodPut, "/api/groups/{slug}", "Replace a group", http.StatusOK, "groups"), s.updateGroup)
	huma.Register(api, s.adminOp("delete-group", http.MethodDelete, "/api/groups/{slug}", "Delete an empty group", http.StatusNoContent, "groups"), s.deleteGroup)
	huma.Register(api, s.adminOp("create-meeting", http.MethodPost, "/api/meetings", "Create a meeting (returns its host key once)", http.StatusCreated, "meetings"), s.createMeeting)
	huma.Register(api, s.adminOp("update-meeting", http.MethodPut, "/api/meetings/{slug}", "Replace a meeting", http.StatusOK, "meetings"), s.updateMeeting)
	huma.Register(api, s.adminOp("delete-meeting", http.MethodDelete, "/api/meetings/{slug}", "Delete a meeting and its exceptions", http.StatusNoContent, "meetings"), s.deleteMeeting)
	huma.Register(api, s.adminOp("put-exception", http.MethodPut, "/api/meetings/{slug}/exceptions/{date}", "Cancel, move or annotate one occurrence", http.StatusOK, "meetings"), s.putException)
	huma.Register(api, s.adminOp("delete-exception", http.MethodDelete, "/api/meetings/{slug}/exceptions/{date}", "Restore one occurrence", http.StatusNoContent, "meetings"), s.deleteException)
	pinOp := s.adminOp("reset-phone-pin", http.MethodPost, "/api/meetings/{slug}/phone-pin", "Make a new phone PIN for a meeting with a passcode (returns it once)", http.StatusOK, "meetings")
	pinOp.Errors = append(pinOp.Errors, http.StatusNotFound, http.StatusConflict)
	huma.Register(api, pinOp, s.resetPhonePIN)
	huma.Register(api, s.adminOp("reset-host-key", http.MethodPost, "/api/meetings/{slug}/host-key", "Reset the chairs' host key (returns it once)", http.StatusOK, "meetings"), s.resetHostKey)
	huma.Register(api, s.adminOp("check-admin-token", http.MethodGet, "/api/admin/token", "Check the admin token: 204 when it is right, 401 when not; changes nothing", http.StatusNoContent, "admin"), s.checkAdminToken)
}

// checkAdminToken answers only after requireAdmin let the token in, so the
// admin pages can tell a wrong token at sign-in rather than at the first
// save.
func (s *Server) checkAdminToken(context.Context, *struct{}) (*struct{}, error) { return nil, nil }

func (s *Server) createGroup(ctx context.Context, in *groupWrite) (*groupOut, error) {
	g := in.Body.toGroup()
	if err := s.store.CreateGroup(ctx, g); err != nil {
		return nil, s.problem(err)
	}
	return &groupOut{Body: groupJSON(*g)}, nil
}

func (s *Server) updateGroup(ctx context.Context, in *groupPut) (*groupOut, error) {
	g := in.Body.toGroup()
	g.Slug = in.Slug
	if err := s.store.UpdateGroup(ctx, g); err != nil {
		return nil, s.problem(err)
	}
	return &groupOut{Body: groupJSON(*g)}, nil
}

func (s *Server) deleteGroup(ctx context.Context, in *slugWrite) (*struct{}, error) {
	return nil, s.problem(s.store.DeleteGroup(ctx, in.Slug))
}

func (s *Server) createMeeting(ctx context.Context, in *meetingWrite) (*meetingOut, error) {
	m, err := in.Body.toSeries()
	if err != nil {
		return nil, s.problem(err)
	}
	key, keyHash, err := meetings.NewHostKeyHash()
	if err != nil {
		return nil, s.problem(err)
	}
	m.Room.HostKeyHash = keyHash
	secrets, pin, err := meetings.ChangeSecrets(in.Body.Room.Passcode, in.Body.Room.PhonePIN, false)
	if err != nil {
		return nil, s.problem(err)
	}
	m.Room.PasscodeHash, m.Room.PhonePINHash = deref(secrets.PasscodeHash), deref(secrets.PhonePINHash)
	if err := s.store.CreateSeries(ctx, m); err != nil {
		return nil, s.problem(err)
	}
	out := meetingJSON(&meetings.Meeting{Series: *m})
	out.HostKeyOnce, out.PhonePINOnce = key, pin
	return &meetingOut{Body: out}, nil
}

func (s *Server) updateMeeting(ctx context.Context, in *meetingPut) (*meetingOut, error) {
	in.Body.Slug = in.Slug
	m, err := in.Body.toSeries()
	if err != nil {
		return nil, s.problem(err)
	}
	// The passcode and PIN change only when the body says so: absent keeps
	// them, "" removes the passcode (and its PIN). They are checked before
	// anything is written.
	r := in.Body.Room
	hasPasscode := false
	if r.Passcode == nil && r.PhonePIN != nil {
		current, err := s.store.Meeting(ctx, in.Slug)
		if err != nil {
			return nil, s.problem(err)
		}
		hasPasscode = current.Room.HasPasscode()
	}
	secrets, pin, err := meetings.ChangeSecrets(r.Passcode, r.PhonePIN, hasPasscode)
	if err != nil {
		return nil, s.problem(err)
	}
	if err := s.store.UpdateSeries(ctx, m, secrets); err != nil {
		return nil, s.problem(err)
	}
	stored, err := s.store.Meeting(ctx, in.Slug)
	if err != nil {
		return nil, s.problem(err)
	}
	out := meetingJSON(&stored)
	out.PhonePINOnce = pin
	return &meetingOut{Body: out}, nil
}

func (s *Server) deleteMeeting(ctx context.Context, in *slugWrite) (*struct{}, error) {
	return nil, s.problem(s.store.DeleteSeries(ctx, in.Slug))
}

func (s *Server) putException(ctx context.Context, in *exceptionPut) (*exceptionOut, error) {
	where := map[string]string{"date": "path.date"}
	e, err := in.Body.toException(in.Date)
	if err != nil {
		return nil, s.problemAt(err, where)
	}
	if err := s.store.PutException(ctx, in.Slug, e); err != nil {
		return nil, s.problemAt(err, where)
	}
	return &exceptionOut{Body: exceptionJSON(*e)}, nil
}

func (s *Server) deleteException(ctx context.Context, in *exceptionDelete) (*struct{}, error) {
	d, err := meetings.ParseDate(in.Date)
	if err != nil {
		return nil, huma.Error422UnprocessableEntity(err.Error(), &huma.ErrorDetail{Location: "path.date", Message: err.Error(), Value: in.Date})
	}
	return nil, s.problem(s.store.DeleteException(ctx, in.Slug, d))
}

func (s *Server) resetPhonePIN(ctx context.Context, in *slugWrite) (*phonePINOut, error) {
	m, err := s.store.Meeting(ctx, in.Slug)
	if err != nil {
		return nil, s.problem(err)
	}
	if !m.Room.HasPasscode() { // the store refuses it too, should the passcode go meanwhile
		return nil, huma.Error409Conflict("this meeting has no passcode; a phone PIN goes with a passcode: set one first")
	}
	pin, hash, err := meetings.NewPhonePINHash()
	if err != nil {
		return nil, s.problem(err)
	}
	if err := s.store.SetPhonePINHash(ctx, in.Slug, hash); err != nil {
		return nil, s.problem(err)
	}
	return &phonePINOut{Body: PhonePINJSON{PhonePIN: pin}}, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (s *Server) resetHostKey(ctx context.Context, in *slugWrite) (*hostKeyOut, error) {
	key, hash, err := meetings.NewHostKeyHash()
	if err != nil {
		return nil, s.problem(err)
	}
	if err := s.store.SetHostKeyHash(ctx, in.Slug, hash); err != nil {
		return nil, s.problem(err)
	}
	return &hostKeyOut{Body: HostKeyJSON{HostKey: key}}, nil
}
