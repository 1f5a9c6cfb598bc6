package loadbench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/switchboard-gw/switchboard/telemetry/histogram"
	"github.com/switchboard-gw/switchboard/telemetry/overhead"
)

// OverheadWindow is the gateway's own overhead, measured inside it, during
// one run's window: the difference of two readings of GET /debug/overhead.
type OverheadWindow struct {
	Unary, StreamRequest, StreamChunk, StreamWrite histogram.Snapshot
}

// readOverhead reads the overhead histograms of the gateway (with its admin
// key) or of the bare proxy (no key).
func readOverhead(ctx context.Context, client *http.Client, baseURL, adminKey string) (overhead.Snapshot, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/debug/overhead", nil)
	if err != nil {
		return overhead.Snapshot{}, err
	}
	if adminKey != "" {
		req.Header.Set("Authorization", "Bearer "+adminKey)
	}
	resp, err := client.Do(req)
	if err != nil {
		return overhead.Snapshot{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return overhead.Snapshot{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return overhead.Snapshot{}, fmt.Errorf("GET /debug/overhead: status %d: %s", resp.StatusCode, body)
	}
	var s overhead.Snapshot
	if err := json.Unmarshal(body, &s); err != nil {
		return overhead.Snapshot{}, fmt.Errorf("GET /debug/overhead: %w", err)
	}
	return s, nil
}

func overheadBetween(before, after overhead.Snapshot) *OverheadWindow {
	return &OverheadWindow{
		Unary:         after.Unary.Histogram.Sub(before.Unary.Histogram),
		StreamRequest: after.StreamRequest.Histogram.Sub(before.StreamRequest.Histogram),
		StreamChunk:   after.StreamChunk.Histogram.Sub(before.StreamChunk.Histogram),
		StreamWrite:   after.StreamWrite.Histogram.Sub(before.StreamWrite.Histogram),
	}
}
