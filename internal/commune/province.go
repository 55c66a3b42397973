package commune

import (
	"context"
	"fmt"
	"time"

	"github.com/truyenthanh/cchc/internal/library"
	"github.com/truyenthanh/cchc/internal/playlist"
)

// ProvinceActor is who the audit trail names for what the province sent
// down (bulletins imported, approved, pinned, aired at once).
const ProvinceActor = "province"

// Bulletin is a province bulletin as the station imports it.
type Bulletin struct {
	Title      string
	Topics     []string // topic codes this station knows
	ValidFrom  string   // YYYY-MM-DD or ""
	ValidUntil string
	Priority   playlist.Priority
	// Approved: the province's level approves it (ưu tiên, khẩn cấp); a
	// bulletin thông thường waits for the commune's approval.
	Approved bool
}

// ImportBulletin imports the audio file at path, which the province sent
// down, through the library's importer like any recording: recognised by
// its SHA-256 (a bulletin fetched twice imports once), measured, and
// recorded in the audit trail with the province as the actor. existed is
// true when the library had it already.
func (c *Commune) ImportBulletin(ctx context.Context, im *library.Importer, path string, b Bulletin) (seg playlist.Segment, existed bool, err error) {
	opts := library.Options{Topics: b.Topics, Title: b.Title, ValidFrom: b.ValidFrom, ValidUntil: b.ValidUntil, Priority: b.Priority}
	if b.Approved {
		opts.ApprovedBy = ProvinceActor
	}
	results, err := c.Import(ctx, ProvinceActor, im, []string{path}, opts, nil)
	if err != nil {
		return seg, false, err
	}
	if len(results) != 1 {
		return seg, false, fmt.Errorf("import bulletin %s: %d results", path, len(results))
	}
	r := results[0]
	if r.Err != nil {
		return seg, false, r.Err
	}
	if r.Existed && b.Approved && !r.Segment.Approved {
		// The province raised a bulletin the library already holds.
		if err := c.Approve(ctx, ProvinceActor, ProvinceActor, []int64{r.Segment.ID}); err != nil {
			return r.Segment, true, err
		}
		r.Segment.Approved = true
	}
	return r.Segment, r.Existed, nil
}

// PinNext pins segment id first in the next occurrence, after `after`, of a
// slot that allows its topics (within two weeks): the planner's own rule
// for pins puts it first there. It returns the occurrence it chose; ok is
// false when no slot takes it.
func (c *Commune) PinNext(ctx context.Context, who string, id int64, after time.Time) (occ playlist.Occurrence, ok bool, err error) {
	seg, err := c.d.Store.Segment(ctx, id)
	if err != nil {
		return occ, false, err
	}
	p := c.d.Planner()
	for _, o := range playlist.Occurrences(p.Slots, after.In(c.d.Location), after.In(c.d.Location).AddDate(0, 0, 14)) {
		sl, _ := p.Slot(o.Slot)
		if !o.Start.After(after) || !sl.Allows(seg.Topics) {
			continue
		}
		day := o.Start.In(c.d.Location)
		dayStr := day.Format("2006-01-02")
		if seg.PinnedTo(dayStr, o.Slot) {
			return o, true, nil
		}
		if err := c.Pin(ctx, who, id, day, o.Slot); err != nil {
			return o, false, err
		}
		return o, true, nil
	}
	return occ, false, nil
}
