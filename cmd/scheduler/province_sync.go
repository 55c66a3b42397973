package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/truyenthanh/cchc/internal/commune"
	"github.com/truyenthanh/cchc/internal/library"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/provinceapi"
	"github.com/truyenthanh/cchc/internal/provsync"
	"github.com/truyenthanh/cchc/internal/station"
	"github.com/truyenthanh/cchc/internal/store"
	"github.com/truyenthanh/cchc/internal/web"
	"github.com/truyenthanh/cchc/internal/words"
)

// provinceSyncInterval is how often serve ships what the log closed since
// the last sync.
const provinceSyncInterval = 30 * time.Second

// provinceClient is the client of the configured province; ok is false when
// config.yaml has no province section.
func (m *Main) provinceClient() (c *provsync.Client, ok bool, err error) {
	p := m.config().Province
	if !p.Enabled() {
		return nil, false, nil
	}
	tok, err := p.ReadToken()
	if err != nil {
		return nil, true, badInput("province.token_file: %s (%v)", m.T("không đọc được mã truy cập của trạm", "cannot read the station's token"), err)
	}
	return &provsync.Client{BaseURL: p.URL, Commune: p.Commune, Token: tok, ReadToken: p.ReadToken}, true, nil
}

func (m *Main) newShipper(st *store.Store, c *provsync.Client) *provsync.Shipper {
	return &provsync.Shipper{Store: st, Client: c, Logger: m.logger.With("component", "province")}
}

func (m *Main) newReceiver(st *store.Store, c *provsync.Client, s provsync.Station) *provsync.Receiver {
	return &provsync.Receiver{Store: st, Client: c, Station: s, Dir: filepath.Join(m.dataDir, "province"),
		Logger: m.logger.With("component", "province")}
}

// runProvince is serve's link to the province: it ships the closed airings
// continuously and receives bulletins until ctx ends, never holding up the
// station. Without a province section it returns at once; a token it
// cannot read is logged and the station goes on without the province.
func (m *Main) runProvince(ctx context.Context, st *store.Store, stn *station.Group) error {
	c, ok, err := m.provinceClient()
	if err != nil {
		m.logger.Error("not reporting to the province", "err", err)
		return nil
	}
	if !ok {
		return nil
	}
	m.logger.Info("reporting to the province", "url", c.BaseURL, "commune", c.Commune)
	recv := m.newReceiver(st, c, &bulletinStation{m: m, st: st, airNow: func(ctx context.Context, ids []int64, zones []string) error {
		segs, err := m.emergencySegments(ctx, st, ids)
		if err != nil {
			return err
		}
		return zoneError(stn.Emergency(ctx, m.knownZones(zones), segs))
	}})
	done := make(chan struct{})
	go func() {
		defer close(done)
		recv.Run(ctx)
	}()
	// What the station airs nudges the shipper: a closed airing goes up
	// within seconds when the province can be reached.
	changed, unsubscribe := stn.Subscribe()
	defer unsubscribe()
	m.newShipper(st, c).Run(ctx, provinceSyncInterval, changed)
	<-done
	return nil
}

// provinceStatus is the web app's view of the reporting to the province
// (nil without a province section): read from the station's own record.
func (m *Main) provinceStatus(st *store.Store) func(ctx context.Context) (web.ProvinceStatus, error) {
	p := m.config().Province
	if !p.Enabled() {
		return nil
	}
	sh := &provsync.Shipper{Store: st}
	return func(ctx context.Context) (web.ProvinceStatus, error) {
		s, err := sh.Status(ctx)
		return web.ProvinceStatus{URL: p.URL, LastSync: s.LastSync, Behind: s.Behind.Airings, Oldest: s.Behind.Oldest,
			LastError: s.LastError, LastErrorAt: s.LastErrorAt}, err
	}
}

// bulletinStation is what the station does with the province's bulletins,
// through its use cases (audited with the province as the actor).
type bulletinStation struct {
	m  *Main
	st *store.Store
	// airNow is the station's emergency path (serve's zones): what the
	// control socket's emergencies and the web's play take.
	airNow func(ctx context.Context, ids []int64, zones []string) error
}

func (b *bulletinStation) Import(ctx context.Context, path string, bl provinceapi.Bulletin) (int64, error) {
	m := b.m
	cfg := m.config()
	known := map[string]bool{}
	for _, t := range cfg.Topics {
		known[t.Code] = true
	}
	var topics []string
	for _, t := range bl.Topics {
		if known[t] && !slices.Contains(topics, t) {
			topics = append(topics, t)
		}
	}
	prio, err := playlist.ParsePriority(bl.Level)
	if err != nil {
		return 0, &provsync.PermanentError{Err: err}
	}
	if len(topics) == 0 {
		if prio != playlist.PriorityEmergency {
			return 0, &provsync.PermanentError{Err: fmt.Errorf("bulletin %d: none of its topics %v is a topic of this station's config.yaml", bl.ID, bl.Topics)}
		}
		// An emergency airs whatever its topic: it is never planned.
		topics = []string{cfg.Topics[0].Code}
	}
	in := commune.Bulletin{Title: bl.Title, Topics: topics, Priority: prio, Approved: prio != playlist.PriorityNormal}
	if !bl.ValidFrom.IsZero() {
		in.ValidFrom = bl.ValidFrom.In(m.loc).Format("2006-01-02")
	}
	if !bl.ValidTo.IsZero() {
		in.ValidUntil = bl.ValidTo.In(m.loc).Format("2006-01-02")
	}
	im := &library.Importer{Topics: known, Now: time.Now, LibraryDir: m.libraryDir()}
	seg, existed, err := m.newCommune(b.st).ImportBulletin(ctx, im, path, in)
	if existed && seg.Path != path {
		os.Remove(path) // the library had this audio: the copy just fetched is not needed
	}
	if err != nil {
		if errors.Is(err, store.ErrDiskFull) || ctx.Err() != nil {
			return 0, err
		}
		return 0, &provsync.PermanentError{Err: fmt.Errorf("bulletin %d: %s", bl.ID, m.importMessage(err))}
	}
	return seg.ID, nil
}

func (b *bulletinStation) PlanFirst(ctx context.Context, id int64) error {
	occ, ok, err := b.m.newCommune(b.st).PinNext(ctx, commune.ProvinceActor, id, time.Now())
	if err != nil {
		return err
	}
	if !ok {
		b.m.logger.Warn("priority bulletin: no slot in the next two weeks takes its topics; it is planned as priority", "segment", id)
		return nil
	}
	b.m.logger.Info("priority bulletin pinned first in the next slot", "segment", id, "slot", occ.Slot, "at", occ.Start)
	return nil
}

func (b *bulletinStation) AirNow(ctx context.Context, id int64, zones []string) error {
	if err := b.airNow(ctx, []int64{id}, zones); err != nil {
		return err
	}
	b.m.newCommune(b.st).Played(ctx, commune.ProvinceActor, store.ActionUrgent, []int64{id})
	return nil
}

// knownZones keeps the zones of an emergency this station has. An alert
// is never lost to a zone code the station does not know: when none of
// the zones named is here, it airs in every zone.
func (m *Main) knownZones(zones []string) []string {
	cfg := m.config()
	var out []string
	for _, z := range zones {
		if _, ok := cfg.Zone(z); ok {
			out = append(out, z)
		} else {
			m.logger.Warn("province emergency: a zone this station does not have", "zone", z)
		}
	}
	return out
}

// syncJSON is `sync --json`.
type syncJSON struct {
	Province      string `json:"province"`
	Commune       string `json:"commune"`
	OK            bool   `json:"ok"`
	Error         string `json:"error,omitempty"`
	BehindAirings int64  `json:"behind_airings"`
	BehindOldest  string `json:"behind_oldest,omitempty"`
	BehindAgeMS   int64  `json:"behind_age_ms"`
	Accepted      int    `json:"accepted"`
	Duplicates    int    `json:"duplicates"`
	Batches       int    `json:"batches"`
	LastSeq       int64  `json:"last_seq"`
	ElapsedMS     int64  `json:"elapsed_ms"`
	RefusedAiring int64  `json:"refused_airing_id,omitempty"`
	RefusedSeq    int64  `json:"refused_chain_seq,omitempty"`
}

func (m *Main) syncCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Ship the closed airings to the province once (đồng bộ với tỉnh); serve ships continuously and receives the bulletins",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			st, err := m.openStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			c, ok, err := m.provinceClient()
			if err != nil {
				return err
			}
			if !ok {
				return badInput("%s", m.T("config.yaml chưa có phần province (url, commune, token_file) — xem README, mục 'Kết nối với tỉnh'",
					"config.yaml has no province section (url, commune, token_file) — see the README, 'Connecting to the province'"))
			}
			began := time.Now()
			res, err := m.newShipper(st, c).Sync(ctx)
			out := syncJSON{Province: c.BaseURL, Commune: c.Commune, OK: err == nil, BehindAirings: res.Before.Airings,
				BehindAgeMS: res.Before.Age(began).Milliseconds(), Accepted: res.Accepted, Duplicates: res.Duplicates,
				Batches: res.Batches, LastSeq: res.Chain.LastSeq, ElapsedMS: time.Since(began).Milliseconds()}
			if !res.Before.Oldest.IsZero() {
				out.BehindOldest = res.Before.Oldest.In(m.loc).Format(time.RFC3339)
			}
			var refused *provsync.RefusedError
			if errors.As(err, &refused) {
				out.RefusedAiring, out.RefusedSeq = refused.Body.AiringID, refused.Body.ChainSeq
			}
			if err != nil {
				out.Error = err.Error()
			}
			if asJSON {
				if werr := writeJSON(m.Stdout, out); werr != nil {
					return werr
				}
			} else {
				m.printSync(m.Stdout, out, res, err)
			}
			if err != nil {
				return reported{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the outcome as JSON")
	return cmd
}

// printSync tells the operator how far behind the province was, what went
// up, and what went wrong.
func (m *Main) printSync(w io.Writer, out syncJSON, res provsync.Result, err error) {
	lang := m.language()
	fmt.Fprintf(w, "%s %s — %s %s\n", m.T("Máy chủ tỉnh", "Province server"), out.Province, m.T("xã", "commune"), out.Commune)
	if res.Before.Airings == 0 {
		fmt.Fprintln(w, m.T("Trước khi gửi: tỉnh đã có đủ nhật ký phát của trạm.", "Before: the province had the whole airing log."))
	} else {
		fmt.Fprintf(w, "%s %d %s %s (%s %s).\n", m.T("Trước khi gửi: tỉnh còn thiếu", "Before: the province lacked"), res.Before.Airings,
			m.T("lượt phát, cũ nhất từ", "airings, the oldest from"), words.DateTime(lang, res.Before.Oldest.In(m.loc)),
			m.T("chậm", "behind by"), words.Ago(lang, time.Duration(out.BehindAgeMS)*time.Millisecond))
	}
	var refused *provsync.RefusedError
	var unreachable *provsync.UnreachableError
	switch {
	case err == nil:
		fmt.Fprintf(w, "%s %d %s (%d %s) %s %d %s, %s %s. %s %d.\n", m.T("Đã gửi", "Shipped"), res.Accepted, m.T("lượt phát", "airings"),
			res.Duplicates, m.T("trùng, không tính lại", "duplicates, not counted twice"), m.T("trong", "in"), res.Batches, m.T("lô", "batches"),
			m.T("mất", "took"), words.Decimal(lang, float64(out.ElapsedMS)/1000, 2)+m.T(" giây", " s"),
			m.T("Chuỗi nhật ký ở tỉnh đến lượt số", "The province's chain now ends at"), res.Chain.LastSeq)
	case errors.As(err, &refused):
		msg := refused.Body.Error
		if lang == "en" || msg == "" {
			msg = refused.Body.ErrorEN
		}
		if refused.Body.AiringID != 0 {
			fmt.Fprintf(m.Stderr, "%s: %s #%d (%s %d): %s. %s\n", m.T("lỗi", "error"), m.T("Tỉnh từ chối lô ở lượt phát", "the province refused the batch at airing"),
				refused.Body.AiringID, m.T("số thứ tự trong chuỗi", "chain_seq"), refused.Body.ChainSeq, msg,
				m.T("Nhật ký của trạm có thể đã bị sửa: chạy 'scheduler log verify' để kiểm tra.", "The station's log may have been altered: run 'scheduler log verify'."))
		} else {
			fmt.Fprintf(m.Stderr, "%s: %s (HTTP %d): %s\n", m.T("lỗi", "error"), m.T("Tỉnh từ chối yêu cầu", "the province refused the request"), refused.Status, msg)
		}
		if res.Accepted > 0 {
			fmt.Fprintf(w, "%s %d %s.\n", m.T("Trước đó đã gửi được", "Shipped before that:"), res.Accepted, m.T("lượt phát", "airings"))
		}
	case errors.As(err, &unreachable):
		fmt.Fprintf(m.Stderr, "%s: %s %s (%v). %s\n", m.T("lỗi", "error"), m.T("Không kết nối được máy chủ tỉnh", "cannot reach the province server"), out.Province, unreachable.Err,
			m.T("Trạm vẫn phát và ghi nhật ký bình thường; nhật ký sẽ được gửi khi có mạng (serve tự gửi lại, hoặc chạy lại 'scheduler sync').",
				"The station keeps playing and logging; the log is shipped when the network returns (serve retries by itself, or run 'scheduler sync' again)."))
	case errors.Is(err, provsync.ErrDiverged):
		fmt.Fprintf(m.Stderr, "%s: %s (%v). %s\n", m.T("lỗi", "error"), m.T("Chuỗi nhật ký ở tỉnh không khớp với nhật ký của trạm", "the province's chain does not match this station's log"), err,
			m.T("Không gửi gì. Cơ sở dữ liệu của trạm có thể đã được thay (khôi phục bản sao cũ?): chạy 'scheduler log verify' và báo cho tỉnh.",
				"Nothing was shipped. The station's database may have been replaced (an old backup restored?): run 'scheduler log verify' and tell the province."))
	default:
		fmt.Fprintf(m.Stderr, "%s: %s: %v\n", m.T("lỗi", "error"), m.T("Đồng bộ với tỉnh thất bại", "sync with the province failed"), err)
	}
}
