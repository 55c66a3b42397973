// Package provsynctest is a stand-in province server for the station's
// tests: it answers internal/provinceapi as the contract says (a token per
// commune, the hash chain checked row by row, a batch that breaks it
// refused naming the row, duplicates counted once, bulletins long-polled),
// keeping its state in memory. It is the edge of the station under test;
// the real server (internal/province, on PostgreSQL) is tested against the
// same contract in its own package and end to end.
package provsynctest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/truyenthanh/cchc/internal/playlist"
	"github.com/truyenthanh/cchc/internal/provinceapi"
)

// Province is the stand-in server. Use it as an http.Handler.
type Province struct {
	mu       sync.Mutex
	tokens   map[string]string // token -> commune
	chains   map[string]*chain
	bulletin []bulletin
	changed  chan struct{} // closed and replaced when a bulletin is added
	// Batches counts the batches received, per commune.
	Batches map[string]int
}

type chain struct {
	state   provinceapi.ChainState
	airings []provinceapi.Airing
	dups    int
}

type bulletin struct {
	b       provinceapi.Bulletin
	audio   []byte
	targets []string
}

// New returns an empty province.
func New() *Province {
	return &Province{tokens: map[string]string{}, chains: map[string]*chain{}, changed: make(chan struct{}), Batches: map[string]int{}}
}

// AddCommune registers a commune with its token.
func (p *Province) AddCommune(code, token string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tokens[token] = code
	p.chains[code] = &chain{state: provinceapi.ChainState{Commune: code, LastHash: genesis}}
}

// Airings is what the province holds of a commune, in chain order.
func (p *Province) Airings(code string) []provinceapi.Airing {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]provinceapi.Airing(nil), p.chains[code].airings...)
}

// Duplicates is how many rows of a commune arrived again.
func (p *Province) Duplicates(code string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.chains[code].dups
}

// AddBulletin sends a bulletin down to the target communes.
func (p *Province) AddBulletin(b provinceapi.Bulletin, audio []byte, targets ...string) provinceapi.Bulletin {
	p.mu.Lock()
	defer p.mu.Unlock()
	b.ID = int64(len(p.bulletin) + 1)
	sum := sha256.Sum256(audio)
	b.SHA256, b.Size, b.CreatedAt = hex.EncodeToString(sum[:]), int64(len(audio)), time.Now()
	p.bulletin = append(p.bulletin, bulletin{b: b, audio: audio, targets: targets})
	close(p.changed)
	p.changed = make(chan struct{})
	return b
}

const genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// canonical is internal/store's canonical line of a row (see store/chain.go).
func canonical(a provinceapi.Airing) string {
	opt := func(p *int64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatInt(*p, 10)
	}
	f := []string{strconv.FormatInt(a.ID, 10), strconv.FormatInt(a.SegmentID, 10), a.Title, a.Topics, a.Slot,
		strconv.FormatInt(a.ScheduledAtMS, 10), opt(a.StartedAtMS), opt(a.EndedAtMS),
		strconv.FormatInt(a.PlayedMS, 10), strconv.FormatInt(a.DurationMS, 10), a.Status, a.Reason}
	if a.Zone != "" && a.Zone != playlist.DefaultZone {
		f = append(f, a.Zone)
	}
	return strings.Join(f, "\x1f")
}

func hash(prev, line string) string {
	sum := sha256.Sum256([]byte(prev + "\n" + line))
	return hex.EncodeToString(sum[:])
}

func fail(w http.ResponseWriter, status int, vi, en string, a *provinceapi.Airing) {
	e := provinceapi.Error{Error: vi, ErrorEN: en}
	if a != nil {
		e.AiringID, e.ChainSeq = a.ID, a.ChainSeq
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(e)
}

func ok(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// ServeHTTP answers the station API.
func (p *Province) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	p.mu.Lock()
	commune, known := p.tokens[tok]
	p.mu.Unlock()
	if !known {
		fail(w, http.StatusUnauthorized, "mã truy cập không hợp lệ", "invalid token", nil)
		return
	}
	if c := r.URL.Query().Get("commune"); c != "" && c != commune {
		fail(w, http.StatusForbidden, "mã truy cập không thuộc xã "+c, "the token is not commune "+c+"'s", nil)
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == provinceapi.PathChain:
		p.mu.Lock()
		st := p.chains[commune].state
		p.mu.Unlock()
		ok(w, st)
	case r.Method == http.MethodPost && r.URL.Path == provinceapi.PathAirings:
		var batch provinceapi.AiringBatch
		if err := json.NewDecoder(r.Body).Decode(&batch); err != nil {
			fail(w, http.StatusBadRequest, "lô không đọc được", "unreadable batch: "+err.Error(), nil)
			return
		}
		if batch.Commune != commune {
			fail(w, http.StatusForbidden, "mã truy cập không thuộc xã "+batch.Commune, "the token is not commune "+batch.Commune+"'s", nil)
			return
		}
		p.receive(w, commune, batch.Airings)
	case r.Method == http.MethodGet && r.URL.Path == provinceapi.PathBulletins:
		after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
		wait, _ := time.ParseDuration(r.URL.Query().Get("wait"))
		deadline := time.After(wait)
		for {
			p.mu.Lock()
			var out []provinceapi.Bulletin
			for _, b := range p.bulletin {
				if b.b.ID > after && (len(b.targets) == 0 || contains(b.targets, commune)) {
					out = append(out, b.b)
				}
			}
			changed := p.changed
			p.mu.Unlock()
			if len(out) > 0 || wait <= 0 {
				ok(w, provinceapi.BulletinList{Bulletins: append([]provinceapi.Bulletin{}, out...)})
				return
			}
			select {
			case <-changed:
			case <-deadline:
				wait = 0
			case <-r.Context().Done():
				return
			}
		}
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, provinceapi.PathBulletinAudio):
		id, _ := strconv.ParseInt(strings.TrimPrefix(r.URL.Path, provinceapi.PathBulletinAudio), 10, 64)
		p.mu.Lock()
		defer p.mu.Unlock()
		if id < 1 || id > int64(len(p.bulletin)) {
			fail(w, http.StatusNotFound, "không có bản tin", "no such bulletin", nil)
			return
		}
		w.Header().Set("Content-Type", "audio/wav")
		w.Write(p.bulletin[id-1].audio)
	default:
		fail(w, http.StatusNotFound, "không có", "not found", nil)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// receive checks the batch against the chain: rows at or below LastSeq
// must be those received (duplicates), the rest must continue the chain.
// All or nothing.
func (p *Province) receive(w http.ResponseWriter, commune string, rows []provinceapi.Airing) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.chains[commune]
	st := c.state
	accepted, dups := 0, 0
	var fresh []provinceapi.Airing
	for i := range rows {
		a := &rows[i]
		if a.ChainSeq <= st.LastSeq {
			if a.ChainSeq < 1 || c.airings[a.ChainSeq-1].Hash != a.Hash {
				fail(w, http.StatusConflict, "lượt phát khác với lượt đã nhận ở cùng vị trí", "the airing differs from the one received at this place", a)
				return
			}
			dups++
			continue
		}
		if a.ChainSeq != st.LastSeq+1 || a.PrevHash != st.LastHash {
			fail(w, http.StatusConflict, "lượt phát không nối tiếp chuỗi", "the airing does not continue the chain", a)
			return
		}
		if hash(a.PrevHash, canonical(*a)) != a.Hash {
			fail(w, http.StatusConflict, "nội dung lượt phát không khớp mã băm", "the airing's content does not match its hash", a)
			return
		}
		st.LastSeq, st.LastHash = a.ChainSeq, a.Hash
		fresh = append(fresh, *a)
		accepted++
	}
	c.airings = append(c.airings, fresh...)
	c.dups += dups
	st.Airings += int64(accepted)
	st.LastSync = time.Now()
	c.state = st
	p.Batches[commune]++
	ok(w, provinceapi.BatchResult{Accepted: accepted, Duplicates: dups, Chain: st})
}

// SetLastSeq pretends the province lost the commune's rows after seq (a
// restored backup): the station must ship them again.
func (p *Province) SetLastSeq(code string, seq int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.chains[code]
	c.airings = c.airings[:seq]
	c.state.LastSeq, c.state.Airings = seq, seq
	c.state.LastHash = genesis
	if seq > 0 {
		c.state.LastHash = c.airings[seq-1].Hash
	}
}
