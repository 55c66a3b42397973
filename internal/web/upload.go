package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/contract"
	"github.com/truyenthanh/cchc/internal/library"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/store"
	"github.com/truyenthanh/cchc/internal/title"
)

// uploadResult is the outcome for one uploaded file.
type uploadResult struct {
	File    string            `json:"file"`
	OK      bool              `json:"ok"`
	Existed bool              `json:"existed,omitempty"`
	Segment *contract.Segment `json:"segment,omitempty"`
	Error   string            `json:"error,omitempty"`
	// DiskFull: the file was refused because the disk is full.
	DiskFull bool `json:"disk_full,omitempty"`
	// FirstAiring says when it would first air once approved.
	FirstAiring string `json:"first_airing,omitempty"`
}

// tempPrefix names upload temp files; a folder walk of the media folder
// ignores them (only .wav and .mp3 are picked up).
const tempPrefix = ".upload-"

// uploadOptions are the form fields sent before the files.
type uploadOptions struct {
	library.Options
}

// rawFileName is the file name exactly as the browser sent it
// (multipart.Part.FileName would quietly keep only its last element).
func rawFileName(part *multipart.Part) string {
	_, params, err := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
	if err != nil {
		return part.FileName()
	}
	return params["filename"]
}

// safeClientName reports whether a file name sent by the browser is a bare
// name: no folder, no "..", no control character. The name is only ever
// shown (and used as a default title), never as a path.
func safeClientName(name string) bool {
	if name == "" || len(name) > 255 || strings.ContainsAny(name, `/\`) || strings.Contains(name, "..") {
		return false
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// apiUpload takes a multipart form: fields topic (repeatable), title,
// valid_from, valid_until, priority, then one or more "file" parts. Each
// file is streamed to a temp file beside the media folder, refused when
// it is too large, not a recording by its content, or broken, and otherwise
// stored by its SHA-256 under media/<topic>/ and imported. A refused or
// interrupted upload leaves no file behind.
func (s *Server) apiUpload(w http.ResponseWriter, r *http.Request, sess store.Session) {
	lang := s.lang(nil, r)
	cfg := s.Config()
	limit := int64(cfg.Web.MaxUploadMB) << 20
	mr, err := r.MultipartReader()
	if err != nil {
		s.jsonError(w, r, http.StatusBadRequest, "cần biểu mẫu multipart/form-data có tệp (file)", "want a multipart/form-data form with files (file)")
		return
	}
	known := map[string]bool{}
	for _, t := range cfg.Topics {
		known[t.Code] = true
	}
	var opts uploadOptions
	var results []uploadResult
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			// The request broke off: what was taken is kept, nothing half-written stays.
			s.Logger.Warn("upload interrupted", "err", err)
			break
		}
		if part.FormName() != "file" {
			v, err := io.ReadAll(io.LimitReader(part, 4096))
			part.Close()
			if err != nil {
				break
			}
			if msgVI, msgEN := opts.set(part.FormName(), strings.TrimSpace(string(v)), known, s); msgVI != "" {
				s.jsonError(w, r, http.StatusBadRequest, msgVI, msgEN)
				return
			}
			continue
		}
		if len(opts.Topics) == 0 {
			part.Close()
			s.jsonError(w, r, http.StatusBadRequest, "chọn ít nhất một lĩnh vực (topic) trước khi gửi tệp", "choose at least one topic (topic) before the files")
			return
		}
		if opts.ValidFrom != "" && opts.ValidUntil != "" && opts.ValidUntil < opts.ValidFrom {
			part.Close()
			s.jsonError(w, r, http.StatusBadRequest, "ngày hết hiệu lực sớm hơn ngày bắt đầu", "valid_until is before valid_from")
			return
		}
		res := s.takeFile(r, part, opts, limit, lang, sess)
		part.Close()
		results = append(results, res)
	}
	if len(results) == 0 {
		s.jsonError(w, r, http.StatusBadRequest, "không có tệp nào được gửi", "no file was sent")
		return
	}
	code := http.StatusOK
	for _, res := range results {
		if !res.OK && code != http.StatusInsufficientStorage {
			code = http.StatusUnprocessableEntity
		}
		if res.DiskFull {
			code = http.StatusInsufficientStorage
		}
	}
	writeJSON(w, code, results)
}

// set applies one form field; it returns a message when the value is bad.
func (o *uploadOptions) set(name, v string, known map[string]bool, s *Server) (string, string) {
	switch name {
	case "topic":
		if v == "" {
			return "", ""
		}
		if !known[v] {
			return fmt.Sprintf("lĩnh vực %q không có trong config.yaml (topics)", v), fmt.Sprintf("topic %q is not in config.yaml (topics)", v)
		}
		o.Topics = append(o.Topics, v)
	case "title":
		o.Title = title.Clean(v)
	case "valid_from", "valid_until":
		if v != "" {
			t, ok := s.parseFormDay(v)
			if !ok {
				return fmt.Sprintf("%s %q: cần ngày dạng dd/mm/yyyy", name, v), fmt.Sprintf("%s %q: want YYYY-MM-DD", name, v)
			}
			v = t.Format("2006-01-02")
		}
		if name == "valid_from" {
			o.ValidFrom = v
		} else {
			o.ValidUntil = v
		}
	case "priority":
		p, err := playlist.ParsePriority(v)
		if err != nil {
			return fmt.Sprintf("priority %q: dùng normal, priority hoặc emergency", v), fmt.Sprintf("priority %q: use normal, priority or emergency", v)
		}
		o.Priority = p
	}
	return "", ""
}

// takeFile stores one uploaded file, or refuses it with the reason.
func (s *Server) takeFile(r *http.Request, part *multipart.Part, opts uploadOptions, limit int64, lang string, sess store.Session) uploadResult {
	name := rawFileName(part)
	res := uploadResult{File: name}
	refuse := func(vi, en string) uploadResult {
		res.Error = tr(lang, vi, en)
		return res
	}
	// full refuses the file when err says the disk is full: the operator
	// must free space first, uploading again would fail the same way.
	full := func(step string, err error) (uploadResult, bool) {
		if !errors.Is(store.MarkDiskFull(err), store.ErrDiskFull) {
			return res, false
		}
		s.Logger.Error("upload refused: disk full", "file", name, "step", step, "err", err)
		res.DiskFull = true
		return refuse("Ổ đĩa đã đầy, không lưu được tệp — không có gì được lưu. Hãy giải phóng dung lượng ổ đĩa rồi tải lên lại.",
			"The disk is full, the file could not be stored — nothing was kept. Free some disk space, then upload it again."), true
	}
	if !safeClientName(name) {
		res.File = strings.ToValidUTF8(name, "?")
		return refuse("tên tệp không hợp lệ (có thư mục, \"..\" hoặc ký tự điều khiển) — hãy đổi tên tệp rồi tải lên lại",
			"bad file name (a folder, \"..\" or a control character) — rename the file and upload it again")
	}
	if err := os.MkdirAll(s.MediaDir, 0o750); err != nil {
		s.Logger.Error("upload: media folder", "err", err)
		return refuse("không tạo được thư mục bản tin trên máy chủ", "cannot create the media folder on the server")
	}
	tmp, err := os.CreateTemp(s.MediaDir, tempPrefix+"*.part")
	if res, ok := full("temp file", err); ok {
		return res
	}
	if err != nil {
		s.Logger.Error("upload: temp file", "err", err)
		return refuse("không ghi được tệp tạm trên máy chủ", "cannot write a temp file on the server")
	}
	tmpPath := tmp.Name()
	keep := false
	defer func() {
		if !keep {
			tmp.Close()
			os.Remove(tmpPath)
		}
	}()
	n, err := io.Copy(tmp, io.LimitReader(pacedReader{ctx: r.Context(), r: part, g: s.ingest}, limit+1))
	if res, ok := full("write", err); ok {
		return res
	}
	if err != nil {
		s.Logger.Warn("upload interrupted", "file", name, "err", err)
		return refuse("tải lên bị gián đoạn — không có gì được lưu, hãy tải lên lại", "the upload was interrupted — nothing was kept, upload it again")
	}
	if n > limit {
		return refuse(fmt.Sprintf("tệp quá lớn: giới hạn %d MB (web.max_upload_mb) — hãy cắt ngắn hoặc nén sang MP3", limit>>20),
			fmt.Sprintf("file too large: the limit is %d MB (web.max_upload_mb) — shorten it or convert it to MP3", limit>>20))
	}
	if err := tmp.Sync(); err != nil {
		if res, ok := full("sync", err); ok {
			return res
		}
		return refuse("không ghi được tệp lên đĩa", "cannot write the file to disk")
	}
	if err := tmp.Close(); err != nil {
		if res, ok := full("close", err); ok {
			return res
		}
		return refuse("không ghi được tệp lên đĩa", "cannot write the file to disk")
	}
	if err := os.Chmod(tmpPath, 0o644); err != nil {
		return refuse("không ghi được tệp lên đĩa", "cannot write the file to disk")
	}
	select {
	case s.measuring <- struct{}{}:
		defer func() { <-s.measuring }()
	case <-r.Context().Done():
		return refuse("tải lên bị gián đoạn — không có gì được lưu, hãy tải lên lại", "the upload was interrupted — nothing was kept, upload it again")
	}
	info, err := audio.Probe(tmpPath)
	if err == nil && info.Frames == 0 {
		err = audio.ErrNoData
	}
	if err != nil {
		return refuse(uploadReason("vi", err), uploadReason("en", err))
	}
	// A compressed upload is converted into the library's house WAV, which
	// is what plays; a PCM WAV plays from where it is stored below.
	lib, _ := filepath.Abs(filepath.Join(s.DataDir, "library"))
	im := &library.Importer{Now: s.Now, LibraryDir: lib} // measures only: storing is the use case's (App.Upload)
	var seg playlist.Segment
	lowPriority(func() { seg, err = im.Measure(tmpPath) })
	if err != nil {
		return refuse(uploadReason("vi", err), uploadReason("en", err))
	}
	dir := filepath.Join(s.MediaDir, opts.Topics[0])
	if err := os.MkdirAll(dir, 0o750); err != nil {
		if res, ok := full("topic folder", err); ok {
			return res
		}
		s.Logger.Error("upload: topic folder", "err", err)
		return refuse("không tạo được thư mục lĩnh vực", "cannot create the topic folder")
	}
	final, err := filepath.Abs(filepath.Join(dir, seg.SHA256+"."+info.Format))
	if err != nil {
		return refuse("đường dẫn lưu không hợp lệ", "bad storage path")
	}
	placed := false
	if _, err := os.Lstat(final); errors.Is(err, os.ErrNotExist) {
		if err := os.Rename(tmpPath, final); err != nil {
			if res, ok := full("rename", err); ok {
				return res
			}
			s.Logger.Error("upload: rename", "err", err)
			return refuse("không lưu được tệp", "cannot store the file")
		}
		keep, placed = true, true
	}
	if filepath.Dir(seg.Path) != lib {
		seg.Path = final
	}
	seg.Topics = opts.Topics
	seg.Title = opts.Title
	if seg.Title == "" {
		seg.Title = title.Clean(info.Title)
	}
	if seg.Title == "" {
		seg.Title = title.Clean(strings.TrimSuffix(name, filepath.Ext(name)))
	}
	seg.ValidFrom, seg.ValidUntil = opts.ValidFrom, opts.ValidUntil
	seg.Priority = opts.Priority
	if seg.Priority == "" {
		seg.Priority = playlist.PriorityNormal
	}
	seg.ImportedAt = s.Now()
	stored, existed, err := s.App.Upload(r.Context(), sess.User.Name, seg, name)
	if err != nil && stored.ID != 0 {
		return refuse("không đọc lại được bản tin", "cannot read the segment back")
	}
	if err != nil {
		if placed {
			os.Remove(final)
		}
		if res, ok := full("database", err); ok {
			return res
		}
		s.Logger.Error("upload: store", "err", err)
		return refuse("không ghi được vào cơ sở dữ liệu", "cannot store it in the database")
	}
	c := contract.FromSegment(stored, s.Location)
	res.OK, res.Existed, res.Segment = true, existed, &c
	res.FirstAiring = s.firstAiring(r.Context(), stored, lang)
	return res
}
