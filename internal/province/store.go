package province

import (
	"context"
	"net/http"
	"time"

	"github.com/truyenthanh/cchc/internal/pgstore"
	"github.com/truyenthanh/cchc/internal/provinceapi"
	"github.com/truyenthanh/cchc/internal/store"
)

// Store is the province's database as the server uses it (pgstore.DB).
type Store interface {
	AddCommune(ctx context.Context, code, name string, now time.Time) (token string, err error)
	CommuneByToken(ctx context.Context, token string) (pgstore.Commune, error)
	CommuneInfo(ctx context.Context, code string) (pgstore.Commune, error)
	Communes(ctx context.Context) ([]pgstore.Commune, error)
	IngestAirings(ctx context.Context, code string, batch []store.LoggedAiring) (pgstore.IngestResult, error)
	AddBulletin(ctx context.Context, b pgstore.Bulletin, audio []byte) (pgstore.Bulletin, error)
	BulletinsFor(ctx context.Context, code string, after int64, limit int) ([]pgstore.Bulletin, error)
	WaitBulletins(ctx context.Context, code string, after int64, limit int) ([]pgstore.Bulletin, error)
	BulletinAudio(ctx context.Context, code string, id int64) ([]byte, pgstore.Bulletin, error)
	Bulletins(ctx context.Context, limit int) ([]pgstore.Bulletin, error)
	ReportStore
}

// Users is the province's own accounts, sessions and audit trail
// (pgstore.DB.Province()).
type Users interface {
	AddUser(ctx context.Context, name, role, password string, at time.Time) (store.User, error)
	CheckPassword(ctx context.Context, name, password string) (store.User, error)
	CreateSession(ctx context.Context, u store.User, now time.Time, ttl time.Duration) (store.Session, error)
	SessionByToken(ctx context.Context, token string, now time.Time) (store.Session, error)
	DeleteSession(ctx context.Context, token string) error
	Users(ctx context.Context) ([]store.User, error)
	Audit(ctx context.Context, e store.AuditEntry) error
}

var (
	_ Store = (*pgstore.DB)(nil)
	_ Users = (*pgstore.Store)(nil)
)

// chainStateOf is where a commune's chain stands, as the wire says it.
// The chain has no gaps, so its last link's number is the rows received.
func chainStateOf(c pgstore.Commune) provinceapi.ChainState {
	hash := c.Head.Hash
	if hash == "" {
		hash = store.Genesis
	}
	return provinceapi.ChainState{Commune: c.Code, LastSeq: c.Head.Seq, LastHash: hash, Airings: c.Head.Seq, LastSync: c.LastSync}
}

func (s *Server) chainState(r *http.Request, code string) (provinceapi.ChainState, error) {
	c, err := s.Store.CommuneInfo(r.Context(), code)
	if err != nil {
		return provinceapi.ChainState{}, err
	}
	return chainStateOf(c), nil
}
