package web

import (
	"context"
	"time"

	"github.com/truyenthanh/cchc/internal/commune"
	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/store"
)

// Store is the store as the web app uses it: what the pages read and the
// sessions of its users. Changes go through the use cases (Deps.App); the
// use cases' own store is part of it so that web.New can build them when
// none is given.
type Store interface {
	commune.Store
	Users(ctx context.Context) ([]store.User, error)
	Reviews(ctx context.Context) (map[int64]store.Review, error)
	CompletedAirings(ctx context.Context) (map[int64]int, error)
	LoggedAirings(ctx context.Context, zone string, from, to time.Time) ([]store.LoggedAiring, error)
	LatestAiring(ctx context.Context) (playlist.Airing, error)
	CheckPassword(ctx context.Context, name, password string) (store.User, error)
	CreateSession(ctx context.Context, u store.User, now time.Time, ttl time.Duration) (store.Session, error)
	SessionByToken(ctx context.Context, token string, now time.Time) (store.Session, error)
	DeleteSession(ctx context.Context, token string) error
	// Path names the database, for the system page.
	Path() string
}
