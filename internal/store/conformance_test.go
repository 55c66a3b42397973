package store_test

import (
	"testing"

	"github.com/truyenthanh/cchc/internal/commune"
	"github.com/truyenthanh/cchc/internal/library"
	"github.com/truyenthanh/cchc/internal/station"
	"github.com/truyenthanh/cchc/internal/store"
	"github.com/truyenthanh/cchc/internal/store/storetest"
	"github.com/truyenthanh/cchc/internal/web"
)

// The SQLite store is what every consumer declares it uses. (The
// assertions sit in a test file: station, library, commune and web import this
// package for its types and errors, so it cannot import them back.)
var (
	_ station.Log           = (*store.Store)(nil)
	_ library.SegmentStore  = (*store.Store)(nil)
	_ commune.Store         = (*store.Store)(nil)
	_ commune.ChainVerifier = (*store.Store)(nil)
	_ commune.Backuper      = (*store.Store)(nil)
	_ web.Store             = (*store.Store)(nil)
	_ storetest.Store       = (*store.Store)(nil)
)

func TestSQLiteStorePassesTheConformanceSuite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		st := open(t)
		st.SetHashCost(4) // bcrypt.MinCost: the suite logs in often
		return st
	})
}
