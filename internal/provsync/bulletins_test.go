package provsync_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/provinceapi"
	"github.com/truyenthanh/cchc/internal/provsync"
	"github.com/truyenthanh/cchc/internal/store"
)

// recordingStation is the station's side as the receiver sees it (the
// edge of this package: cmd/scheduler wires the real use cases, tested end
// to end there). It records what it was asked and can fail an import once.
type recordingStation struct {
	imported []string // file contents
	aired    []int64
	pinned   []int64
	failNext error
}

func (s *recordingStation) Import(ctx context.Context, path string, b provinceapi.Bulletin) (int64, error) {
	if err := s.failNext; err != nil {
		s.failNext = nil
		return 0, err
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	s.imported = append(s.imported, string(raw))
	return int64(len(s.imported)), nil
}

func (s *recordingStation) PlanFirst(ctx context.Context, id int64) error {
	s.pinned = append(s.pinned, id)
	return nil
}

func (s *recordingStation) AirNow(ctx context.Context, id int64, zones []string) error {
	s.aired = append(s.aired, id)
	return nil
}

// Each bulletin is handled once and in order; a failure worth retrying
// stops at that bulletin and it is retried; an emergency that arrives
// hours late is imported but not aired at once.
func TestBulletinsAreHandledOnceInOrder(t *testing.T) {
	ctx := context.Background()
	prov := startProvince(t)
	prov.AddCommune("tan-lap", "tok")
	st := openStore(t)
	stn := &recordingStation{}
	now := time.Now()
	r := &provsync.Receiver{Store: st, Client: &provsync.Client{BaseURL: prov.url(), Commune: "tan-lap", Token: "tok"},
		Station: stn, Dir: t.TempDir(), Now: func() time.Time { return now }}

	alert := prov.AddBulletin(provinceapi.Bulletin{Level: provinceapi.LevelEmergency, Title: "Cảnh báo", FileName: "a.wav"}, []byte("alert"), "tan-lap")
	if n, err := r.Poll(ctx, 0); err != nil || n != 1 || len(stn.aired) != 1 {
		t.Fatalf("first poll: %d, %v; aired %v", n, err, stn.aired)
	}
	if err := r.Handle(ctx, alert); err != nil || len(stn.imported) != 1 || len(stn.aired) != 1 {
		t.Fatalf("the same bulletin again: %v; imported %d, aired %v", err, len(stn.imported), stn.aired)
	}
	if n, err := r.Poll(ctx, 0); err != nil || n != 0 {
		t.Fatalf("poll with nothing new: %d, %v", n, err)
	}

	prov.AddBulletin(provinceapi.Bulletin{Level: provinceapi.LevelPriority, Title: "Ưu tiên", FileName: "p.wav"}, []byte("priority"), "tan-lap")
	prov.AddBulletin(provinceapi.Bulletin{Level: provinceapi.LevelNormal, Title: "Thường", FileName: "n.wav"}, []byte("normal"), "tan-lap")
	stn.failNext = store.ErrDiskFull
	if _, err := r.Poll(ctx, 0); !errors.Is(err, store.ErrDiskFull) {
		t.Fatalf("poll with the disk full: %v", err)
	}
	if last, _ := st.LastProvinceBulletin(ctx); last != 1 {
		t.Fatalf("after a failure the receiver stands at %d, want 1 (retry bulletin 2)", last)
	}
	if n, err := r.Poll(ctx, 0); err != nil || n != 2 || len(stn.pinned) != 1 || stn.imported[1] != "priority" || stn.imported[2] != "normal" {
		t.Fatalf("retry: %d, %v; imported %q, pinned %v", n, err, stn.imported, stn.pinned)
	}

	late := prov.AddBulletin(provinceapi.Bulletin{Level: provinceapi.LevelEmergency, Title: "Cảnh báo cũ", FileName: "b.wav"}, []byte("old alert"), "tan-lap")
	now = late.CreatedAt.Add(3 * time.Hour)
	if n, err := r.Poll(ctx, 0); err != nil || n != 1 || len(stn.imported) != 4 || len(stn.aired) != 1 {
		t.Fatalf("an emergency 3 h late: %d, %v; imported %d, aired %v (want imported, not aired)", n, err, len(stn.imported), stn.aired)
	}
	rec, err := st.ProvinceBulletinByID(ctx, late.ID)
	if err != nil || rec.HandledAt.IsZero() || rec.SegmentID != 4 || rec.Error == "" {
		t.Fatalf("the late emergency's record: %+v, %v", rec, err)
	}
}
