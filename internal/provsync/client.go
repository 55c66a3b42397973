// Package provsync is the station's side of the province tier (issue 16):
// it ships the closed airings of the station's log, in chain order and in
// batches, to the province server, resuming from where the province's
// chain stands (so shipping twice counts once), and it receives the
// bulletins the province sends down. It speaks internal/provinceapi, the
// contract the province server (internal/province) answers.
//
// The station never waits for it: playout and logging write to the local
// SQLite log as ever, and provsync reads that log behind them; when the
// province cannot be reached it backs off and tries again.
package provsync

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/truyenthanh/cchc/internal/provinceapi"
)

// Client calls the province server's station API with the station's token.
type Client struct {
	BaseURL string // e.g. https://truyenthanh.tinh.gov.vn
	Commune string
	Token   string
	// ReadToken, when set, gives the token for each request instead of
	// Token: the station's token file is read again, so that a token the
	// province replaced works without restarting the station.
	ReadToken func() (string, error)
	HTTP      *http.Client // nil: a client with no overall timeout (long-polls); each call has its own
}

// UnreachableError: the province could not be reached or failed on its side
// (network error, 5xx). Worth retrying.
type UnreachableError struct{ Err error }

func (e *UnreachableError) Error() string { return "province unreachable: " + e.Err.Error() }
func (e *UnreachableError) Unwrap() error { return e.Err }

// RefusedError: the province answered and refused the request (a batch that
// breaks the chain, a token that does not match the commune). Retrying the
// same request will not help: the operator must look.
type RefusedError struct {
	Status int
	Body   provinceapi.Error
}

func (e *RefusedError) Error() string {
	msg := e.Body.ErrorEN
	if msg == "" {
		msg = e.Body.Error
	}
	if e.Body.AiringID != 0 {
		return fmt.Sprintf("province refused (HTTP %d) at airing %d (chain_seq %d): %s", e.Status, e.Body.AiringID, e.Body.ChainSeq, msg)
	}
	return fmt.Sprintf("province refused (HTTP %d): %s", e.Status, msg)
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

// do sends a request and decodes a JSON answer into out.
func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	resp, err := c.send(ctx, method, path, rd)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return &UnreachableError{fmt.Errorf("%s %s: reading the answer: %w", method, path, err)}
	}
	return nil
}

// send makes the request; a non-2xx answer is returned as an error.
func (c *Client) send(ctx context.Context, method, path string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.BaseURL, "/")+path, body)
	if err != nil {
		return nil, fmt.Errorf("province request %s: %w", path, err)
	}
	tok := c.Token
	if c.ReadToken != nil {
		if tok, err = c.ReadToken(); err != nil {
			return nil, err
		}
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &UnreachableError{err}
	}
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var e provinceapi.Error
	if json.Unmarshal(raw, &e) != nil || (e.Error == "" && e.ErrorEN == "") {
		e.ErrorEN = strings.TrimSpace(string(raw))
		if e.ErrorEN == "" {
			e.ErrorEN = resp.Status
		}
	}
	if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
		return nil, &UnreachableError{fmt.Errorf("%s %s: HTTP %d: %s", method, path, resp.StatusCode, e.ErrorEN)}
	}
	return nil, &RefusedError{Status: resp.StatusCode, Body: e}
}

// Chain asks where this commune's chain stands at the province.
func (c *Client) Chain(ctx context.Context) (provinceapi.ChainState, error) {
	var st provinceapi.ChainState
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err := c.do(ctx, http.MethodGet, provinceapi.PathChain+"?commune="+url.QueryEscape(c.Commune), nil, &st)
	return st, err
}

// Ship sends one batch of closed airings.
func (c *Client) Ship(ctx context.Context, airings []provinceapi.Airing) (provinceapi.BatchResult, error) {
	var res provinceapi.BatchResult
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	err := c.do(ctx, http.MethodPost, provinceapi.PathAirings, provinceapi.AiringBatch{Commune: c.Commune, Airings: airings}, &res)
	return res, err
}

// Bulletins long-polls for the bulletins after id: at once when there are
// some, else at the first new one or after wait.
func (c *Client) Bulletins(ctx context.Context, after int64, wait time.Duration) ([]provinceapi.Bulletin, error) {
	var list provinceapi.BulletinList
	ctx, cancel := context.WithTimeout(ctx, wait+30*time.Second)
	defer cancel()
	q := url.Values{"after": {strconv.FormatInt(after, 10)}, "wait": {wait.String()}, "commune": {c.Commune}}
	err := c.do(ctx, http.MethodGet, provinceapi.PathBulletins+"?"+q.Encode(), nil, &list)
	return list.Bulletins, err
}

// DownloadAudio writes bulletin id's audio to dest.
func (c *Client) DownloadAudio(ctx context.Context, id int64, dest string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	resp, err := c.send(ctx, http.MethodGet, provinceapi.PathBulletinAudio+strconv.FormatInt(id, 10), nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	f, err := os.Create(dest)
	if err != nil {
		return fmt.Errorf("bulletin %d audio: %w", id, err)
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		os.Remove(dest)
		if ctx.Err() == nil {
			err = &UnreachableError{err}
		}
		return fmt.Errorf("bulletin %d audio: %w", id, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(dest)
		return fmt.Errorf("bulletin %d audio: %w", id, err)
	}
	return nil
}

// Retryable reports whether err is worth another try later.
func Retryable(err error) bool {
	var u *UnreachableError
	return errors.As(err, &u)
}
