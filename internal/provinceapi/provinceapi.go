// Package provinceapi is the wire contract between a commune's station and
// the province server (issue 16): the paths, the JSON bodies and the words
// both sides agree on. It holds no logic, so that the server
// (internal/province) and the station's client (internal/provsync) cannot
// drift apart.
//
// Every request carries the station's token: "Authorization: Bearer TOKEN".
// A token belongs to one commune; a request that names another commune is
// refused with 403.
//
//	GET  PathChain                      -> ChainState (where this commune's chain stands at the province)
//	POST PathAirings   (AiringBatch)    -> BatchResult, or 409 + Error naming the airing that breaks the chain
//	GET  PathBulletins?after=ID&wait=30s -> BulletinList (long-poll: answers at once when there are
//	                                        bulletins after ID, else at the first new one or after wait)
//	GET  PathBulletinAudio + ID          -> the bulletin's audio file, as uploaded (Content-Type from it)
//
// Errors are JSON Error bodies with a Vietnamese message and an English one.
package provinceapi

import "time"

// Paths of the station API on the province server.
const (
	PathChain         = "/api/v1/station/chain"
	PathAirings       = "/api/v1/station/airings"
	PathBulletins     = "/api/v1/station/bulletins"
	PathBulletinAudio = "/api/v1/station/bulletins/audio/" // + bulletin id
)

// Airing is one closed airing as the station's log holds it, with its place
// in the commune's hash chain. The fields are the stored ones, so that the
// province recomputes the hash exactly (internal/store's canonical form):
// times in Unix milliseconds, topics as the stored comma-joined codes.
type Airing struct {
	ID            int64  `json:"id"`
	ChainSeq      int64  `json:"chain_seq"`
	PrevHash      string `json:"prev_hash"`
	Hash          string `json:"hash"`
	SegmentID     int64  `json:"segment_id"`
	SegmentSHA256 string `json:"segment_sha256,omitempty"`
	Title         string `json:"title"`
	Topics        string `json:"topics"`
	Slot          string `json:"slot"`
	Zone          string `json:"zone"`
	ScheduledAtMS int64  `json:"scheduled_at_ms"`
	StartedAtMS   *int64 `json:"started_at_ms"`
	EndedAtMS     *int64 `json:"ended_at_ms"`
	PlayedMS      int64  `json:"played_ms"`
	DurationMS    int64  `json:"duration_ms"`
	Status        string `json:"status"`
	Reason        string `json:"reason"`
	// Listeners is the stream listeners counted for the airing (issue 15);
	// nil for airings on sound cards only.
	Listeners *int `json:"listeners"`
}

// AiringBatch is what a station ships: closed airings in chain order
// (ChainSeq ascending, without gaps), starting right after the province's
// ChainState.LastSeq or overlapping it (rows already received are counted
// as duplicates, not twice).
type AiringBatch struct {
	Commune string   `json:"commune"`
	Airings []Airing `json:"airings"`
}

// ChainState is where a commune's chain stands at the province.
type ChainState struct {
	Commune  string    `json:"commune"`
	LastSeq  int64     `json:"last_seq"`  // 0 when nothing was received
	LastHash string    `json:"last_hash"` // the Genesis hash when nothing was received
	Airings  int64     `json:"airings"`   // rows received in all
	LastSync time.Time `json:"last_sync"` // zero when never
}

// BatchResult answers an AiringBatch.
type BatchResult struct {
	Accepted   int        `json:"accepted"`
	Duplicates int        `json:"duplicates"`
	Chain      ChainState `json:"chain"`
}

// Error is the body of every refused request.
type Error struct {
	Error   string `json:"error"`    // Vietnamese, for the operator
	ErrorEN string `json:"error_en"` // English
	// AiringID and ChainSeq name the row that broke the chain (409).
	AiringID int64 `json:"airing_id,omitempty"`
	ChainSeq int64 `json:"chain_seq,omitempty"`
}

// The three levels of Circular 39/2020/TT-BTTTT at which the province sends
// bulletins down.
const (
	// LevelNormal (thông thường): the commune decides; the bulletin waits
	// for the commune's approval like any imported segment.
	LevelNormal = "thong-thuong"
	// LevelPriority (ưu tiên): planned first in the commune's next slot.
	LevelPriority = "uu-tien"
	// LevelEmergency (khẩn cấp): plays at once in the commune's zones.
	LevelEmergency = "khan-cap"
)

// Bulletin is one bulletin sent down by the province.
type Bulletin struct {
	ID        int64     `json:"id"`
	Level     string    `json:"level"`
	Title     string    `json:"title"`
	Topics    []string  `json:"topics"`
	SHA256    string    `json:"sha256"`   // of the audio file, as uploaded
	FileName  string    `json:"filename"` // as uploaded, for its extension
	Size      int64     `json:"size"`
	Zones     []string  `json:"zones,omitempty"` // empty: every zone of the commune
	ValidFrom time.Time `json:"valid_from,omitempty"`
	ValidTo   time.Time `json:"valid_to,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
}

// BulletinList answers PathBulletins: the bulletins for the asking commune
// with ID > after, oldest first.
type BulletinList struct {
	Bulletins []Bulletin `json:"bulletins"`
}
