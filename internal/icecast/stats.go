package icecast

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// statsPath is Icecast's statistics as JSON, readable without credentials.
const statsPath = "/status-json.xsl"

// listeners reads how many listeners the server counts on mount. A mount
// with no source is not listed: that is an error (the stream is not up).
func listeners(ctx context.Context, client *http.Client, host, mount string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+host+statsPath, nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("%s: %s", statsPath, resp.Status)
	}
	// icestats.source is an object when one mount is up and a list when
	// several are (and absent when none is).
	var doc struct {
		Icestats struct {
			Source json.RawMessage `json:"source"`
		} `json:"icestats"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		return 0, fmt.Errorf("%s: %w", statsPath, err)
	}
	type src struct {
		ListenURL string `json:"listenurl"`
		Listeners *int   `json:"listeners"`
	}
	var list []src
	if raw := doc.Icestats.Source; len(raw) > 0 && raw[0] == '[' {
		if err := json.Unmarshal(raw, &list); err != nil {
			return 0, fmt.Errorf("%s: %w", statsPath, err)
		}
	} else if len(raw) > 0 && raw[0] == '{' {
		var one src
		if err := json.Unmarshal(raw, &one); err != nil {
			return 0, fmt.Errorf("%s: %w", statsPath, err)
		}
		list = append(list, one)
	}
	for _, s := range list {
		u, err := url.Parse(s.ListenURL)
		if err != nil || u.Path != mount || s.Listeners == nil {
			continue
		}
		return *s.Listeners, nil
	}
	return 0, fmt.Errorf("%s does not list the mount %s", statsPath, mount)
}

// statsClient is the client of the statistics: short timeouts, no pool
// growth.
func statsClient(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &http.Transport{MaxIdleConnsPerHost: 1, IdleConnTimeout: time.Minute}}
}
