package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/truyenthanh/cchc/internal/store"
)

func TestUsersPasswordsAndRoles(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	u, err := st.AddUser(ctx, "lan", store.RoleOperator, "mật-khẩu-dài", at(1, 8, 0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddUser(ctx, "lan", store.RoleViewer, "khác-hẳn-nhau", at(1, 8, 0)); !errors.Is(err, store.ErrExists) {
		t.Errorf("second lan: err %v, want ErrExists", err)
	}
	if _, err := st.AddUser(ctx, "minh", "admin", "xxxxxxxxxx", at(1, 8, 0)); err == nil || !strings.Contains(err.Error(), `"admin"`) {
		t.Errorf("role admin: err %v, want one naming the role", err)
	}
	got, err := st.CheckPassword(ctx, "lan", "mật-khẩu-dài")
	if err != nil || got.ID != u.ID || got.Role != store.RoleOperator {
		t.Fatalf("check good password: %+v %v", got, err)
	}
	for _, c := range []struct{ name, pw string }{{"lan", "sai"}, {"nobody", "mật-khẩu-dài"}, {"lan", ""}} {
		if _, err := st.CheckPassword(ctx, c.name, c.pw); !errors.Is(err, store.ErrBadPassword) {
			t.Errorf("%s/%s: err %v, want ErrBadPassword", c.name, c.pw, err)
		}
	}
	// The hash is bcrypt, never the password itself.
	var hash string
	if err := st.DB().QueryRow("SELECT password_hash FROM users WHERE name = 'lan'").Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$2a$") || strings.Contains(hash, "mật") {
		t.Errorf("stored hash %q is not bcrypt", hash)
	}
	if err := st.SetPassword(ctx, "lan", "mới-đổi-xong"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CheckPassword(ctx, "lan", "mật-khẩu-dài"); !errors.Is(err, store.ErrBadPassword) {
		t.Errorf("old password still works after SetPassword")
	}
}

func TestSessionsExpireAndStoreOnlyTheTokenHash(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	u, err := st.AddUser(ctx, "lan", store.RoleViewer, "mật-khẩu-dài", at(1, 8, 0))
	if err != nil {
		t.Fatal(err)
	}
	now := at(2, 9, 0)
	sess, err := st.CreateSession(ctx, u, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(sess.Token) != 64 || len(sess.CSRF) != 64 || sess.Token == sess.CSRF {
		t.Fatalf("tokens %q %q", sess.Token, sess.CSRF)
	}
	if n := count(t, st, "SELECT COUNT(*) FROM sessions WHERE token_hash = ?", sess.Token); n != 0 {
		t.Errorf("the raw token is stored")
	}
	got, err := st.SessionByToken(ctx, sess.Token, now.Add(59*time.Minute))
	if err != nil || got.User.Name != "lan" || got.CSRF != sess.CSRF {
		t.Fatalf("live session: %+v %v", got, err)
	}
	if _, err := st.SessionByToken(ctx, sess.Token, now.Add(time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("expired session: err %v", err)
	}
	if _, err := st.SessionByToken(ctx, forge(sess.Token), now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("forged token: err %v", err)
	}
	if err := st.DeleteSession(ctx, sess.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SessionByToken(ctx, sess.Token, now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("session after logout: err %v", err)
	}
}

func TestAuditTrailIsAppendOnly(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	for i, a := range []string{store.ActionLoad, store.ActionApprove, store.ActionPlay} {
		if err := st.Audit(ctx, store.AuditEntry{At: at(3, 8, i), User: "lan", Action: a, Object: "segment 1"}); err != nil {
			t.Fatal(err)
		}
	}
	trail, err := st.AuditTrail(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(trail) != 2 || trail[0].Action != store.ActionPlay || trail[1].Action != store.ActionApprove || !trail[0].At.Equal(at(3, 8, 2)) {
		t.Fatalf("trail %+v", trail)
	}
	if _, err := st.DB().Exec("UPDATE audit SET user_name = 'x'"); err == nil {
		t.Error("an audit row was changed")
	}
	if _, err := st.DB().Exec("DELETE FROM audit"); err == nil {
		t.Error("an audit row was deleted")
	}
}

// forge returns token with its first hex digit changed, so it always differs
// from the real one (writing "00" over the first two digits did not when the
// token already began with "00", one time in 256).
func forge(token string) string {
	first := "0"
	if token[0] == '0' {
		first = "1"
	}
	return first + token[1:]
}
