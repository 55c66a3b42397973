package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/truyenthanh/cchc/internal/contract"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/store"
)

// apiAudio serves a segment's audio file so that the approver hears what he
// approves: HTTP Range requests are answered (206 with Content-Range), so
// the browser's player can seek. The file is the one the library stored,
// never a path from the request.
func (s *Server) apiAudio(w http.ResponseWriter, r *http.Request, _ store.Session) {
	seg, ok := s.segmentID(w, r)
	if !ok {
		return
	}
	f, err := os.Open(seg.Path)
	if err != nil {
		s.Logger.Warn("segment audio", "segment", seg.ID, "err", err)
		s.jsonError(w, r, http.StatusNotFound, fmt.Sprintf("không tìm thấy tệp âm thanh của bản tin #%d trên máy chủ", seg.ID),
			fmt.Sprintf("the audio file of segment #%d is not on the server", seg.ID))
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.IsDir() {
		s.jsonError(w, r, http.StatusNotFound, "không đọc được tệp âm thanh", "cannot read the audio file")
		return
	}
	ctype := "audio/wav"
	if strings.EqualFold(filepath.Ext(seg.Path), ".mp3") {
		ctype = "audio/mpeg"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "private, max-age=3600")
	http.ServeContent(w, r, "", fi.ModTime(), f)
}

type rejectRequest struct {
	Reason string `json:"reason"`
}

// apiReject refuses a segment awaiting approval, with the reason the
// operator reads: it is retired and never airs.
func (s *Server) apiReject(w http.ResponseWriter, r *http.Request, sess store.Session) {
	var in rejectRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8192)).Decode(&in); err != nil {
		s.jsonError(w, r, http.StatusBadRequest, "cần JSON {\"reason\": \"lý do\"}", "want JSON {\"reason\": \"why\"}")
		return
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Reason == "" || utf8.RuneCountInString(in.Reason) > 500 {
		s.jsonError(w, r, http.StatusBadRequest, "hãy ghi lý do từ chối (tối đa 500 ký tự) để người vận hành biết cần sửa gì",
			"give the reason for refusing (up to 500 characters) so the operator knows what to fix")
		return
	}
	seg, ok := s.segmentID(w, r)
	if !ok {
		return
	}
	err := s.App.Reject(r.Context(), sess.User.Name, seg.ID, in.Reason)
	if errors.Is(err, store.ErrApproved) {
		s.jsonError(w, r, http.StatusConflict, fmt.Sprintf("bản tin #%d đã được duyệt — muốn thôi phát thì gỡ khỏi lịch", seg.ID),
			fmt.Sprintf("segment #%d is already approved — retire it to stop it airing", seg.ID))
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	seg, _ = s.App.Segment(r.Context(), seg.ID)
	writeJSON(w, http.StatusOK, contract.FromSegment(seg, s.Location))
}

type editRequest struct {
	Title      string   `json:"title"`
	Topics     []string `json:"topics"`
	ValidFrom  string   `json:"valid_from"`
	ValidUntil string   `json:"valid_until"`
	Priority   string   `json:"priority"`
}

// apiEdit corrects a segment before its approval: title, topics, validity
// and priority. After approval it is refused (409): what was approved is
// what airs.
func (s *Server) apiEdit(w http.ResponseWriter, r *http.Request, sess store.Session) {
	var in editRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10)).Decode(&in); err != nil {
		s.jsonError(w, r, http.StatusBadRequest, "cần JSON {\"title\", \"topics\", \"valid_from\", \"valid_until\", \"priority\"}",
			"want JSON {\"title\", \"topics\", \"valid_from\", \"valid_until\", \"priority\"}")
		return
	}
	seg, ok := s.segmentID(w, r)
	if !ok {
		return
	}
	e, vi, en := s.checkEdit(in)
	if vi != "" {
		s.jsonError(w, r, http.StatusBadRequest, vi, en)
		return
	}
	err := s.App.Edit(r.Context(), sess.User.Name, seg.ID, e)
	if errors.Is(err, store.ErrApproved) {
		s.jsonError(w, r, http.StatusConflict, fmt.Sprintf("bản tin #%d đã được duyệt — không sửa được nữa", seg.ID),
			fmt.Sprintf("segment #%d is already approved — it can no longer be changed", seg.ID))
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	seg, _ = s.App.Segment(r.Context(), seg.ID)
	writeJSON(w, http.StatusOK, contract.FromSegment(seg, s.Location))
}

// checkEdit validates an edit as an upload is validated.
func (s *Server) checkEdit(in editRequest) (store.SegmentEdit, string, string) {
	e := store.SegmentEdit{Title: strings.TrimSpace(in.Title)}
	if e.Title == "" || utf8.RuneCountInString(e.Title) > 200 {
		return e, "tiêu đề không được để trống (tối đa 200 ký tự)", "the title must not be empty (up to 200 characters)"
	}
	known := map[string]bool{}
	for _, t := range s.Config().Topics {
		known[t.Code] = true
	}
	for _, t := range in.Topics {
		if !known[t] {
			return e, fmt.Sprintf("lĩnh vực %q không có trong cấu hình", t), fmt.Sprintf("topic %q is not configured", t)
		}
		e.Topics = append(e.Topics, t)
	}
	if len(e.Topics) == 0 {
		return e, "chọn ít nhất một lĩnh vực", "choose at least one topic"
	}
	for _, d := range []struct {
		in  string
		out *string
		vi  string
	}{{in.ValidFrom, &e.ValidFrom, "hiệu lực từ"}, {in.ValidUntil, &e.ValidUntil, "hiệu lực đến"}} {
		if strings.TrimSpace(d.in) == "" {
			continue
		}
		t, ok := s.parseFormDay(strings.TrimSpace(d.in))
		if !ok {
			return e, fmt.Sprintf("%s %q: cần ngày dạng dd/mm/yyyy", d.vi, d.in), fmt.Sprintf("%q: want a date dd/mm/yyyy", d.in)
		}
		*d.out = t.Format("2006-01-02")
	}
	if e.ValidFrom != "" && e.ValidUntil != "" && e.ValidUntil < e.ValidFrom {
		return e, "ngày hết hiệu lực sớm hơn ngày bắt đầu", "valid until is before valid from"
	}
	p, err := playlist.ParsePriority(in.Priority)
	if err != nil {
		return e, fmt.Sprintf("mức ưu tiên %q: dùng thông thường, ưu tiên hoặc khẩn cấp", in.Priority), fmt.Sprintf("priority %q: use normal, priority or emergency", in.Priority)
	}
	e.Priority = p
	return e, "", ""
}
