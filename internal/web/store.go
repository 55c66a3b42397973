package web

import "github.com/truyenthanh/cchc/internal/commune"

// Store is the store the web app is built on when Deps.App is not given
// (tests): the use cases' own. The web app itself never calls it — every
// read and change goes through the use cases (internal/commune), which
// TestFrontDoorsCallOnlyTheUseCases in cmd/scheduler enforces.
type Store = commune.Store
