package pgstore_test

import (
	"testing"

	"github.com/truyenthanh/cchc/internal/commune"
	"github.com/truyenthanh/cchc/internal/library"
	"github.com/truyenthanh/cchc/internal/pgstore"
	"github.com/truyenthanh/cchc/internal/station"
	"github.com/truyenthanh/cchc/internal/store/storetest"
	"github.com/truyenthanh/cchc/internal/web"
)

// The PostgreSQL store is everything a station's store is.
var (
	_ station.Log          = (*pgstore.Store)(nil)
	_ library.SegmentStore = (*pgstore.Store)(nil)
	_ commune.Store        = (*pgstore.Store)(nil)
	_ web.Store            = (*pgstore.Store)(nil)
	_ storetest.Store      = (*pgstore.Store)(nil)
)

func TestPostgreSQLStorePassesTheConformanceSuite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return open(t).Commune("25252") })
}
