package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/store"
)

func TestRejectRetiresAndRecordsTheReasonAndEditOnlyBeforeApproval(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	at := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	add := func(sha string) int64 {
		id, _, err := st.AddSegment(ctx, playlist.Segment{Title: "t " + sha, Path: sha + ".wav", SHA256: sha, Duration: time.Minute,
			SampleRate: 16000, Channels: 1, BitDepth: 16, Topics: []string{"tthc"}, ImportedAt: at})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	a, b := add("a"), add("b")
	if err := st.SetUploader(ctx, a, "lan"); err != nil {
		t.Fatal(err)
	}
	if err := st.SetUploader(ctx, a, "khac"); err != nil {
		t.Fatal(err)
	}
	if err := st.EditSegment(ctx, a, store.SegmentEdit{Title: "Thủ tục cấp căn cước", Topics: []string{"an-ninh", "tthc"},
		ValidUntil: "2026-12-31", Priority: playlist.PriorityEmergency}); err != nil {
		t.Fatal(err)
	}
	seg, _ := st.Segment(ctx, a)
	if seg.Title != "Thủ tục cấp căn cước" || len(seg.Topics) != 2 || seg.Priority != playlist.PriorityEmergency || seg.ValidUntil != "2026-12-31" {
		t.Errorf("after edit: %+v", seg)
	}
	if err := st.Reject(ctx, a, "chutich", "Sai số liệu", at); err != nil {
		t.Fatal(err)
	}
	seg, _ = st.Segment(ctx, a)
	if !seg.Retired || seg.Approved {
		t.Errorf("a refused segment must be retired and unapproved: %+v", seg)
	}
	revs, err := st.Reviews(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r := revs[a]; r.UploadedBy != "lan" || r.RejectedBy != "chutich" || r.RejectReason != "Sai số liệu" || !r.RejectedAt.Equal(at) {
		t.Errorf("review %+v", r)
	}
	if err := st.Approve(ctx, []int64{b}, "chutich", at); err != nil {
		t.Fatal(err)
	}
	if err := st.EditSegment(ctx, b, store.SegmentEdit{Title: "x", Priority: playlist.PriorityNormal}); !errors.Is(err, store.ErrApproved) {
		t.Errorf("editing an approved segment: %v", err)
	}
	if err := st.Reject(ctx, b, "chutich", "x", at); !errors.Is(err, store.ErrApproved) {
		t.Errorf("refusing an approved segment: %v", err)
	}
	if err := st.Reject(ctx, 99, "chutich", "x", at); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("refusing a missing segment: %v", err)
	}
}

func TestPasswordChangeAndDisablingEndTheUsersSessions(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	st.SetHashCost(4)
	now := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	u, err := st.AddUser(ctx, "lan", store.RoleOperator, "cũ", now)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := st.AddUser(ctx, "binh", store.RoleOperator, "pw", now)
	s1, _ := st.CreateSession(ctx, u, now, time.Hour)
	s2, _ := st.CreateSession(ctx, other, now, time.Hour)
	if err := st.SetPassword(ctx, "lan", "mới"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SessionByToken(ctx, s1.Token, now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the session survived a password change: %v", err)
	}
	if _, err := st.SessionByToken(ctx, s2.Token, now); err != nil {
		t.Errorf("another user's session ended: %v", err)
	}
	s3, _ := st.CreateSession(ctx, u, now, time.Hour)
	if err := st.SetDisabled(ctx, "lan", true); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SessionByToken(ctx, s3.Token, now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the session survived disabling: %v", err)
	}
	if _, err := st.CheckPassword(ctx, "lan", "mới"); !errors.Is(err, store.ErrDisabled) {
		t.Errorf("a disabled account logs in: %v", err)
	}
	if _, err := st.CheckPassword(ctx, "lan", "sai"); !errors.Is(err, store.ErrBadPassword) {
		t.Errorf("a wrong password of a disabled account: %v", err)
	}
	if err := st.SetDisabled(ctx, "lan", false); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CheckPassword(ctx, "lan", "mới"); err != nil {
		t.Errorf("enabled again: %v", err)
	}
	if err := st.SetDisabled(ctx, "ai", true); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("disabling a missing user: %v", err)
	}
}
