package province

import (
	"context"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/truyenthanh/cchc/internal/pgstore"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/provinceapi"
	"github.com/truyenthanh/cchc/internal/store"
)

// maxBatchBytes bounds an AiringBatch's body: thousands of airings.
const maxBatchBytes = 32 << 20

// stationHandler runs with the commune the request's token belongs to.
type stationHandler func(w http.ResponseWriter, r *http.Request, commune string)

func stationError(w http.ResponseWriter, code int, e provinceapi.Error) {
	writeJSON(w, code, e)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// station wraps a station API handler: 401 without a valid token, 403 when
// the request names a commune other than the token's (?commune=).
func (s *Server) station(h stationHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		token, ok := strings.CutPrefix(auth, "Bearer ")
		token = strings.TrimSpace(token)
		if !ok || token == "" || len(token) > 256 {
			stationError(w, http.StatusUnauthorized, provinceapi.Error{
				Error:   "thiếu mã trạm: gửi tiêu đề Authorization: Bearer MÃ (mã in ra khi chạy scheduler province communes add)",
				ErrorEN: "no station token: send Authorization: Bearer TOKEN (printed by scheduler province communes add)"})
			return
		}
		c, err := s.Store.CommuneByToken(r.Context(), token)
		if errors.Is(err, store.ErrNotFound) {
			stationError(w, http.StatusUnauthorized, provinceapi.Error{
				Error:   "mã trạm không đúng hoặc đã bị thay — hỏi tỉnh mã mới rồi ghi vào token_file",
				ErrorEN: "unknown or replaced station token — ask the province for a new one and put it in token_file"})
			return
		}
		if err != nil {
			s.stationServerError(w, r, err)
			return
		}
		if q := r.URL.Query().Get("commune"); q != "" && q != c.Code {
			stationError(w, http.StatusForbidden, forbidden(c.Code, q))
			return
		}
		h(w, r, c.Code)
	})
}

func forbidden(own, asked string) provinceapi.Error {
	return provinceapi.Error{
		Error:   "mã trạm của xã " + own + " không được ghi/đọc dữ liệu của xã " + asked,
		ErrorEN: "the token of commune " + own + " may not touch the rows of commune " + asked}
}

func (s *Server) stationServerError(w http.ResponseWriter, r *http.Request, err error) {
	s.Logger.Error("station API", "method", r.Method, "path", r.URL.Path, "err", err)
	stationError(w, http.StatusInternalServerError, provinceapi.Error{Error: "lỗi máy chủ tỉnh: " + err.Error(), ErrorEN: "province server error: " + err.Error()})
}

func (s *Server) apiChain(w http.ResponseWriter, r *http.Request, commune string) {
	st, err := s.chainState(r, commune)
	if err != nil {
		s.stationServerError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) apiAirings(w http.ResponseWriter, r *http.Request, commune string) {
	var batch provinceapi.AiringBatch
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBatchBytes))
	if err := dec.Decode(&batch); err != nil {
		stationError(w, http.StatusBadRequest, provinceapi.Error{
			Error:   "lô nhật ký phát không đọc được (cần JSON AiringBatch): " + err.Error(),
			ErrorEN: "unreadable airing batch (want an AiringBatch JSON): " + err.Error()})
		return
	}
	if batch.Commune != commune {
		stationError(w, http.StatusForbidden, forbidden(commune, batch.Commune))
		return
	}
	rows := make([]store.LoggedAiring, len(batch.Airings))
	for i, a := range batch.Airings {
		rows[i] = loggedAiring(a)
	}
	res, err := s.Store.IngestAirings(r.Context(), commune, rows)
	var ce *pgstore.ChainError
	if errors.As(err, &ce) {
		id, seq := strconv.FormatInt(ce.AiringID, 10), strconv.FormatInt(ce.Seq, 10)
		s.Logger.Warn("batch refused: it breaks the chain", "commune", commune, "airing", ce.AiringID, "seq", ce.Seq, "problem", ce.Problem)
		stationError(w, http.StatusConflict, provinceapi.Error{
			Error: "lô bị từ chối: lượt phát số " + id + " (mắt xích " + seq + ") không khớp chuỗi băm của xã (" + problemVI(ce) +
				") — không lượt nào của lô được ghi; kiểm tra nhật ký ở trạm: scheduler log verify",
			ErrorEN:  "batch refused: " + ce.Error() + " — nothing of the batch was stored; check the station's log: scheduler log verify",
			AiringID: ce.AiringID, ChainSeq: ce.Seq})
		return
	}
	if err != nil {
		s.stationServerError(w, r, err)
		return
	}
	info, err := s.Store.CommuneInfo(r.Context(), commune)
	if err != nil {
		s.stationServerError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, provinceapi.BatchResult{Accepted: res.Added, Duplicates: res.Duplicates, Chain: chainStateOf(info)})
}

// problemVI says in Vietnamese how an airing does not fit the chain.
func problemVI(e *pgstore.ChainError) string {
	switch e.Problem {
	case pgstore.ProblemOpen:
		return "lượt phát chưa đóng"
	case pgstore.ProblemStatus:
		return "trạng thái lạ " + e.Got
	case pgstore.ProblemUnchained:
		return "không có vị trí trong chuỗi"
	case pgstore.ProblemGap:
		return "thiếu các lượt trước nó: tỉnh chờ mắt xích " + e.Want
	case pgstore.ProblemLink:
		return "mã băm trước không khớp lượt trước nó"
	case pgstore.ProblemContent:
		return "nội dung không cho ra mã băm nó mang: lượt phát đã bị sửa sau khi đóng"
	case pgstore.ProblemConflict:
		return "tỉnh đã giữ một lượt phát khác ở vị trí đó"
	}
	return string(e.Problem)
}

// loggedAiring is a shipped airing as the store holds it.
func loggedAiring(a provinceapi.Airing) store.LoggedAiring {
	ms := func(p *int64) time.Time {
		if p == nil {
			return time.Time{}
		}
		return time.UnixMilli(*p)
	}
	var topics []string
	if a.Topics != "" {
		topics = strings.Split(a.Topics, ",")
	}
	return store.LoggedAiring{
		Airing: playlist.Airing{
			ID: a.ID, SegmentID: a.SegmentID, Title: a.Title, Topics: topics, Slot: a.Slot,
			ScheduledAt: time.UnixMilli(a.ScheduledAtMS), StartedAt: ms(a.StartedAtMS), EndedAt: ms(a.EndedAtMS),
			Played: time.Duration(a.PlayedMS) * time.Millisecond, Duration: time.Duration(a.DurationMS) * time.Millisecond,
			Status: playlist.Status(a.Status), Reason: a.Reason, Zone: a.Zone,
		},
		Link: store.Link{Seq: a.ChainSeq, PrevHash: a.PrevHash, Hash: a.Hash},
	}
}

// pollLimit is the most bulletins one answer lists; the station asks again
// after the last.
const pollLimit = 100

func (s *Server) apiBulletins(w http.ResponseWriter, r *http.Request, commune string) {
	q := r.URL.Query()
	var after int64
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			stationError(w, http.StatusBadRequest, provinceapi.Error{Error: "after=" + v + ": cần số mã bản tin ≥ 0", ErrorEN: "after=" + v + ": want a bulletin id ≥ 0"})
			return
		}
		after = n
	}
	var wait time.Duration
	if v := q.Get("wait"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			n, nerr := strconv.Atoi(v)
			if nerr != nil {
				stationError(w, http.StatusBadRequest, provinceapi.Error{Error: "wait=" + v + ": cần thời lượng, ví dụ 30s", ErrorEN: "wait=" + v + ": want a duration, e.g. 30s"})
				return
			}
			d = time.Duration(n) * time.Second
		}
		wait = min(max(d, 0), MaxWait)
	}
	list, err := s.Store.BulletinsFor(r.Context(), commune, after, pollLimit)
	if err == nil && len(list) == 0 && wait > 0 {
		ctx, cancel := context.WithTimeout(r.Context(), wait)
		stop := context.AfterFunc(s.life, cancel) // a shutdown ends the wait
		list, err = s.Store.WaitBulletins(ctx, commune, after, pollLimit)
		ended := ctx.Err() != nil // the wait ran out, or the server stops
		stop()
		cancel()
		if err != nil && ended && r.Context().Err() == nil {
			list, err = nil, nil // an empty answer
		}
	}
	if err != nil {
		if r.Context().Err() != nil {
			return // the station went away
		}
		s.stationServerError(w, r, err)
		return
	}
	out := provinceapi.BulletinList{Bulletins: make([]provinceapi.Bulletin, 0, len(list))}
	for _, b := range list {
		ext, err := s.bulletinExt(r.Context(), commune, b)
		if err != nil {
			s.stationServerError(w, r, err)
			return
		}
		out.Bulletins = append(out.Bulletins, wireBulletin(b, ext))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiBulletinAudio(w http.ResponseWriter, r *http.Request, commune string) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		stationError(w, http.StatusBadRequest, provinceapi.Error{Error: "mã bản tin " + r.PathValue("id") + " không hợp lệ", ErrorEN: "bad bulletin id " + r.PathValue("id")})
		return
	}
	audio, b, err := s.Store.BulletinAudio(r.Context(), commune, id)
	if errors.Is(err, store.ErrNotFound) {
		stationError(w, http.StatusNotFound, provinceapi.Error{Error: "không có bản tin " + strconv.FormatInt(id, 10) + " cho xã " + commune,
			ErrorEN: "no bulletin " + strconv.FormatInt(id, 10) + " for commune " + commune})
		return
	}
	if err != nil {
		s.stationServerError(w, r, err)
		return
	}
	ct := mime.TypeByExtension(audioExt(audio))
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(audio)))
	w.Header().Set("X-Content-SHA256", b.SHA256)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(audio)
}
