// Package commune is the station's use cases: import, approve, reject,
// edit, remove, pin, preview and check, play now, control, users. It is
// the one layer both front doors call — the CLI (cmd/scheduler) and the
// web app (internal/web) — and every state change passes through it into
// the audit trail with the person who made it: the web user, or for the
// CLI the operating-system user ("cli:root").
//
// It holds no rule of its own about what airs (that is the planner's) nor
// how audio goes out (the station's); it names the steps of each use case
// once, so that the CLI and the web cannot drift apart.
package commune

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/user"
	"sort"
	"strings"
	"time"

	"github.com/truyenthanh/cchc/internal/config"
	"github.com/truyenthanh/cchc/internal/control"
	"github.com/truyenthanh/cchc/internal/library"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/station"
	"github.com/truyenthanh/cchc/internal/store"
)

// Store is the store as the use cases need it. The SQLite store
// (internal/store) satisfies it; internal/store/storetest is the suite
// any other store must pass.
type Store interface {
	station.History
	library.SegmentStore
	Segments(ctx context.Context, withRetired bool) ([]playlist.Segment, error)
	Approve(ctx context.Context, ids []int64, who string, at time.Time) error
	Reject(ctx context.Context, id int64, who, reason string, at time.Time) error
	EditSegment(ctx context.Context, id int64, e store.SegmentEdit) error
	Retire(ctx context.Context, ids []int64) error
	SetUploader(ctx context.Context, id int64, who string) error
	Pin(ctx context.Context, segmentID int64, day, slot string, at time.Time) error
	Unpin(ctx context.Context, segmentID int64, day, slot string) error
	AddUser(ctx context.Context, name, role, password string, at time.Time) (store.User, error)
	SetPassword(ctx context.Context, name, password string) error
	SetDisabled(ctx context.Context, name string, disabled bool) error
	SetProfile(ctx context.Context, name, fullName, jobTitle string) error
	Audit(ctx context.Context, e store.AuditEntry) error
	AuditTrail(ctx context.Context, limit int) ([]store.AuditEntry, error)
	Summarize(ctx context.Context, zone string, from, to time.Time, offset time.Duration) (store.AiringSummary, error)
	ChainHeadBefore(ctx context.Context, end time.Time) (store.PeriodHead, bool, error)
	SetSilence(ctx context.Context, id int64, start, end time.Duration) error
	VerifyTallies(ctx context.Context) (store.TallyCheck, error)

	// What the front doors read through the use cases (reads.go).
	Users(ctx context.Context) ([]store.User, error)
	Reviews(ctx context.Context) (map[int64]store.Review, error)
	CompletedAirings(ctx context.Context) (map[int64]int, error)
	LoggedAirings(ctx context.Context, zone string, from, to time.Time) ([]store.LoggedAiring, error)
	LatestAiring(ctx context.Context) (playlist.Airing, error)
	// Path names the database, for the system page and backups.
	Path() string

	// The web app's sessions (Login, Session, Logout).
	CheckPassword(ctx context.Context, name, password string) (store.User, error)
	CreateSession(ctx context.Context, u store.User, now time.Time, ttl time.Duration) (store.Session, error)
	SessionByToken(ctx context.Context, token string, now time.Time) (store.Session, error)
	DeleteSession(ctx context.Context, token string) error
}

// Deps is what the use cases are built from, once, in the composition
// root.
type Deps struct {
	Store Store
	// Planner returns the planner in force (a reload may replace it).
	Planner func() *playlist.Planner
	// Config returns the configuration in force: the report's header,
	// the slots' titles, where settings are written.
	Config   func() config.Config
	Location *time.Location
	Now      func() time.Time
	Logger   *slog.Logger
}

// Commune is the station's use cases.
type Commune struct {
	d Deps
}

// New builds the use cases.
func New(d Deps) *Commune {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Location == nil {
		d.Location = time.UTC
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	return &Commune{d: d}
}

// CLIActor names the person at the command line for the audit trail:
// "cli:" and the operating-system user.
func CLIActor() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "cli:" + u.Username
	}
	return "cli:unknown"
}

// Record writes one entry of the audit trail. A failure to record is
// logged, never hidden, and does not undo the action: the action happened.
func (c *Commune) Record(ctx context.Context, who, action, object, detail string) {
	e := store.AuditEntry{At: c.d.Now(), User: who, Action: action, Object: object, Detail: detail}
	if err := c.d.Store.Audit(context.WithoutCancel(ctx), e); err != nil {
		c.d.Logger.Error("audit trail", "err", err, "user", who, "action", action, "object", object)
	}
}

// SegmentObject names a segment in the audit trail.
func SegmentObject(seg playlist.Segment) string {
	return fmt.Sprintf("#%d «%s»", seg.ID, seg.Title)
}

// object names segment id, with its title when it can be read.
func (c *Commune) object(ctx context.Context, id int64) string {
	if seg, err := c.d.Store.Segment(ctx, id); err == nil {
		return SegmentObject(seg)
	}
	return fmt.Sprintf("#%d", id)
}

// FirstAiring is when segment id would first air after `after`, in any
// zone, were it approved: each zone's programme of [from, from+days)
// planned with it approved. ok is false when it finds no room.
func (c *Commune) FirstAiring(ctx context.Context, id int64, from time.Time, days int, after time.Time) (at time.Time, ok bool, err error) {
	for _, z := range c.zones() {
		p, lib, ledger, err := c.planInputs(ctx, z.Code, from)
		if err != nil {
			return time.Time{}, false, err
		}
		for i := range lib {
			if lib[i].ID == id {
				lib[i].Approved = true
			}
		}
	plans:
		for _, pl := range p.Preview(from, from.AddDate(0, 0, days), lib, ledger) {
			if pl.Start.Before(after) || ok && !pl.Start.Before(at) {
				continue
			}
			for _, it := range pl.Items {
				if it.Segment.ID == id {
					at, ok = pl.Start, true
					break plans
				}
			}
		}
	}
	return at, ok, nil
}

// Plan is what will air in [from, to), in every zone: each zone planned
// on its own (PlanZone), the plans in time order, each naming its zone.
// `schedule preview`, `schedule check`, the web's programme, overview and
// "first airing" all plan through here.
func (c *Commune) Plan(ctx context.Context, from, to time.Time) ([]playlist.Plan, error) {
	var all []playlist.Plan
	for _, z := range c.zones() {
		plans, err := c.PlanZone(ctx, z.Code, from, to)
		if err != nil {
			return nil, err
		}
		all = append(all, plans...)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Start.Before(all[j].Start) })
	return all, nil
}

// PlanZone is what will air in [from, to) in one zone: the library as it
// will air (trimmed of its silences when audio.trim_silence is on) and the
// zone's log so far, given to the zone's planner (its slots). Every topic's
// monthly target applies to each zone, counted from that zone's airings.
func (c *Commune) PlanZone(ctx context.Context, zone string, from, to time.Time) ([]playlist.Plan, error) {
	p, lib, ledger, err := c.planInputs(ctx, zone, from)
	if err != nil {
		return nil, err
	}
	plans := p.Preview(from, to, lib, ledger)
	for i := range plans {
		plans[i].Zone = zone
	}
	return plans, nil
}

// Outlook is, topic by topic, what the month from `from` to its end will
// deliver against the targets. A target applies to each zone, so with
// several zones each topic's line is its weakest zone's: one that falls
// short if any does (the first such), otherwise the one with the fewest
// airings. OutlookZone gives any one zone's.
func (c *Commune) Outlook(ctx context.Context, from time.Time) ([]playlist.TopicOutlook, error) {
	var worst []playlist.TopicOutlook
	for _, z := range c.zones() {
		out, err := c.OutlookZone(ctx, z.Code, from)
		if err != nil {
			return nil, err
		}
		if worst == nil {
			worst = out
			continue
		}
		for i := range worst {
			if i >= len(out) || out[i].Topic.Code != worst[i].Topic.Code || worst[i].Short {
				continue
			}
			if out[i].Short || out[i].DeliveredAirings+out[i].PlannedAirings < worst[i].DeliveredAirings+worst[i].PlannedAirings {
				worst[i] = out[i]
			}
		}
	}
	return worst, nil
}

// OutlookZone is Outlook in one zone.
func (c *Commune) OutlookZone(ctx context.Context, zone string, from time.Time) ([]playlist.TopicOutlook, error) {
	p, lib, ledger, err := c.planInputs(ctx, zone, from)
	if err != nil {
		return nil, err
	}
	return p.Outlook(from, lib, ledger), nil
}

// zones are the zones in force (the one default zone without a
// configuration).
func (c *Commune) zones() []config.Zone {
	if c.d.Config == nil {
		return config.Config{}.ZoneList()
	}
	return c.d.Config().ZoneList()
}

// planInputs are the zone's planner, the library as it airs and the
// zone's history up to from.
func (c *Commune) planInputs(ctx context.Context, zone string, from time.Time) (*playlist.Planner, []playlist.Segment, *playlist.Ledger, error) {
	p := c.d.Planner().ForZone(zone)
	lib, err := c.d.Store.Segments(ctx, false)
	if err != nil {
		return nil, nil, nil, err
	}
	ledger, err := station.BuildLedger(ctx, c.d.Store, zone, c.d.Location, from)
	if err != nil {
		return nil, nil, nil, err
	}
	return p, p.AsAired(lib), ledger, nil
}

// Import reads files into the library with im (its Store is set to ours)
// and records each new segment in the audit trail.
func (c *Commune) Import(ctx context.Context, who string, im *library.Importer, paths []string, opts library.Options, progress func(done, total int, current string)) ([]library.Result, error) {
	im.Store = c.d.Store
	results, err := im.Import(ctx, paths, opts, progress)
	for _, r := range results {
		if r.Err == nil && !r.Existed {
			c.Record(ctx, who, store.ActionLoad, SegmentObject(r.Segment), r.Path)
			if opts.ApprovedBy != "" {
				c.Record(ctx, who, store.ActionApprove, SegmentObject(r.Segment), opts.ApprovedBy)
			}
		}
	}
	return results, err
}

// Upload stores a segment the web app received (name is the uploaded
// file's name), records who uploaded it, and returns it as stored and
// whether the library had it already.
func (c *Commune) Upload(ctx context.Context, who string, seg playlist.Segment, name string) (playlist.Segment, bool, error) {
	id, existed, err := c.d.Store.AddSegment(ctx, seg)
	if err != nil {
		return seg, false, err
	}
	stored, err := c.d.Store.Segment(ctx, id)
	if err != nil {
		return playlist.Segment{ID: id}, existed, fmt.Errorf("reading segment %d back: %w", id, err)
	}
	if !existed {
		c.Record(ctx, who, store.ActionLoad, SegmentObject(stored), name)
	}
	if err := c.d.Store.SetUploader(ctx, id, who); err != nil {
		c.d.Logger.Error("upload: uploader", "err", err)
	}
	return stored, existed, nil
}

// Approve approves segments for airing. by is the approver the library
// records (the CLI's --by; on the web, who); the audit trail names who
// did it.
func (c *Commune) Approve(ctx context.Context, who, by string, ids []int64) error {
	if err := c.d.Store.Approve(ctx, ids, by, c.d.Now()); err != nil {
		return err
	}
	detail := ""
	if by != who {
		detail = by
	}
	for _, id := range ids {
		c.Record(ctx, who, store.ActionApprove, c.object(ctx, id), detail)
	}
	return nil
}

// Reject refuses a segment awaiting approval, with the reason.
func (c *Commune) Reject(ctx context.Context, who string, id int64, reason string) error {
	if err := c.d.Store.Reject(ctx, id, who, reason, c.d.Now()); err != nil {
		return err
	}
	c.Record(ctx, who, store.ActionReject, c.object(ctx, id), reason)
	return nil
}

// Edit corrects a segment before its approval.
func (c *Commune) Edit(ctx context.Context, who string, id int64, e store.SegmentEdit) error {
	object := c.object(ctx, id) // the title before the edit
	if err := c.d.Store.EditSegment(ctx, id, e); err != nil {
		return err
	}
	c.Record(ctx, who, store.ActionEdit, object, fmt.Sprintf("«%s» %s %s…%s %s", e.Title, strings.Join(e.Topics, ","), e.ValidFrom, e.ValidUntil, e.Priority))
	return nil
}

// Retire takes segments off the programme; the log keeps them.
func (c *Commune) Retire(ctx context.Context, who string, ids []int64) error {
	if err := c.d.Store.Retire(ctx, ids); err != nil {
		return err
	}
	for _, id := range ids {
		c.Record(ctx, who, store.ActionRetire, c.object(ctx, id), "")
	}
	return nil
}

// ErrNoSlot is a slot name the configuration does not have.
var ErrNoSlot = errors.New("no such slot")

// ErrSlotOff is a pin to a day its slot does not occur on.
var ErrSlotOff = errors.New("the slot does not occur on that day")

// Pin puts a segment first in a slot on a day (day in the station's zone).
func (c *Commune) Pin(ctx context.Context, who string, id int64, day time.Time, slot string) error {
	sl, ok := c.d.Planner().Slot(slot)
	if !ok {
		return fmt.Errorf("slot %q: %w", slot, ErrNoSlot)
	}
	if len(playlist.Occurrences([]playlist.Slot{sl}, day, day.AddDate(0, 0, 1))) == 0 {
		return fmt.Errorf("slot %s on %s: %w", slot, day.Format("2006-01-02"), ErrSlotOff)
	}
	d := day.Format("2006-01-02")
	if err := c.d.Store.Pin(ctx, id, d, slot, c.d.Now()); err != nil {
		return err
	}
	c.Record(ctx, who, store.ActionPin, fmt.Sprintf("#%d", id), slot+" "+d)
	return nil
}

// Unpin removes a pin.
func (c *Commune) Unpin(ctx context.Context, who string, id int64, day time.Time, slot string) error {
	if _, ok := c.d.Planner().Slot(slot); !ok {
		return fmt.Errorf("slot %q: %w", slot, ErrNoSlot)
	}
	d := day.Format("2006-01-02")
	if err := c.d.Store.Unpin(ctx, id, d, slot); err != nil {
		return err
	}
	c.Record(ctx, who, store.ActionUnpin, fmt.Sprintf("#%d", id), slot+" "+d)
	return nil
}

// roleVI names a role in the audit trail (kept in Vietnamese, as written).
func roleVI(role string) string {
	switch role {
	case store.RoleOperator:
		return "vận hành"
	case store.RoleApprover:
		return "phê duyệt"
	case store.RoleViewer:
		return "chỉ xem"
	}
	return role
}

// AddUser creates an account of the web app.
func (c *Commune) AddUser(ctx context.Context, who, name, role, password, fullName, jobTitle string) error {
	if _, err := c.d.Store.AddUser(ctx, name, role, password, c.d.Now()); err != nil {
		return err
	}
	if fullName != "" || jobTitle != "" {
		if err := c.d.Store.SetProfile(ctx, name, fullName, jobTitle); err != nil {
			return err
		}
	}
	c.Record(ctx, who, store.ActionUser, name, "thêm tài khoản, vai trò "+roleVI(role))
	return nil
}

// SetPassword gives an account a new password and ends its sessions.
func (c *Commune) SetPassword(ctx context.Context, who, name, password string) error {
	if err := c.d.Store.SetPassword(ctx, name, password); err != nil {
		return err
	}
	c.Record(ctx, who, store.ActionUser, name, "đặt lại mật khẩu")
	return nil
}

// SetDisabled locks (and logs out) or unlocks an account.
func (c *Commune) SetDisabled(ctx context.Context, who, name string, disabled bool) error {
	if err := c.d.Store.SetDisabled(ctx, name, disabled); err != nil {
		return err
	}
	detail := "mở khóa tài khoản"
	if disabled {
		detail = "khóa tài khoản"
	}
	c.Record(ctx, who, store.ActionUser, name, detail)
	return nil
}

// SetProfile changes an account's full name and job title.
func (c *Commune) SetProfile(ctx context.Context, who, name, fullName, jobTitle string) error {
	if err := c.d.Store.SetProfile(ctx, name, fullName, jobTitle); err != nil {
		return err
	}
	c.Record(ctx, who, store.ActionUser, name, "sửa họ tên, chức vụ")
	return nil
}

// EmergencySegments loads the segments of an emergency request: each must
// exist, not be removed, and be approved when approval is required. An
// error wrapping control.ErrBadRequest is the operator's mistake.
func (c *Commune) EmergencySegments(ctx context.Context, ids []int64) ([]playlist.Segment, error) {
	if len(ids) == 0 {
		return nil, fmt.Errorf("%w: no segment to air", control.ErrBadRequest)
	}
	approval := c.d.Planner().ApprovalRequired
	var segs []playlist.Segment
	for _, id := range ids {
		seg, err := c.d.Store.Segment(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("%w: segment %d does not exist", control.ErrBadRequest, id)
		}
		if err != nil {
			return nil, err
		}
		if seg.Retired {
			return nil, fmt.Errorf("%w: segment %d was removed", control.ErrBadRequest, id)
		}
		if approval && !seg.Approved {
			return nil, fmt.Errorf("%w: segment %d is not approved", control.ErrBadRequest, id)
		}
		segs = append(segs, seg)
	}
	return segs, nil
}

// WriteSettings writes the approver's slot times, lengths, days off and
// topic targets back to the configuration file at path (validated first:
// a *config.Error names what is wrong and nothing is written); summary is
// the change as the audit trail shows it. The running station picks the
// file up as it does any edit of config.yaml.
func (c *Commune) WriteSettings(ctx context.Context, who, path string, set config.Settings, summary string) error {
	if _, err := config.WriteSettings(path, set); err != nil {
		return err
	}
	c.Record(ctx, who, store.ActionConfig, "config.yaml", summary)
	return nil
}

// Played records segments put on the air at once by who: action is
// store.ActionPlay or store.ActionUrgent. The station airs them (through
// the web app's play, or the control socket) and logs the airings; this is
// the record of who asked. files are played files outside the library.
func (c *Commune) Played(ctx context.Context, who, action string, ids []int64, files ...string) {
	c.PlayedIn(ctx, who, action, nil, ids, files...)
}

// PlayedIn is Played in the zones named (every zone when none is).
func (c *Commune) PlayedIn(ctx context.Context, who, action string, zones []string, ids []int64, files ...string) {
	objs := make([]string, 0, len(ids)+len(files))
	for _, id := range ids {
		objs = append(objs, fmt.Sprintf("#%d", id))
	}
	objs = append(objs, files...)
	c.Record(ctx, who, action, strings.Join(objs, ", "), zonesDetail(zones))
}

// zonesDetail names the zones an action was for, in the audit trail; ""
// for every zone.
func zonesDetail(zones []string) string {
	if len(zones) == 0 {
		return ""
	}
	return "vùng: " + strings.Join(zones, ", ")
}

// Controlled records an operator's stop, skip, pause or resume, in the
// zones named (every zone when none is).
func (c *Commune) Controlled(ctx context.Context, who string, a station.Action, zones ...string) {
	name := string(a)
	switch a {
	case station.ActionStop:
		name = "dừng"
	case station.ActionSkip:
		name = "bỏ qua"
	case station.ActionPause:
		name = "tạm dừng"
	case station.ActionResume:
		name = "tiếp tục"
	}
	c.Record(ctx, who, store.ActionControl, name, zonesDetail(zones))
}
