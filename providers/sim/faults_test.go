package sim_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/providers/sim"
)

// Every fault is checked over real TCP and over the in-memory transport,
// asked for by header and by directive.

// faultRequest sends a chat request asking for fault, by header or by
// directive, and returns the response with its body unread.
func faultRequest(t *testing.T, tg target, fault string, byHeader, stream bool) (*http.Response, error) {
	t.Helper()
	text := "Hello!"
	h := http.Header{}
	if byHeader {
		h.Set("X-Sim-Fault", fault)
	} else {
		text += " [[sim " + fault + "]]"
	}
	body, _ := json.Marshal(map[string]any{"model": "sim-chat", "messages": userMsg(text), "stream": stream})
	req, err := http.NewRequest(http.MethodPost, tg.base+"/chat/completions", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h
	req.Header.Set("Content-Type", "application/json")
	return tg.client.Do(req)
}

// eachWay runs f for both targets and both ways of asking.
func eachWay(t *testing.T, opts sim.Options, f func(t *testing.T, tg target, byHeader bool)) {
	for _, tg := range targets(t, opts) {
		for _, byHeader := range []bool{true, false} {
			name := tg.name + "/directive"
			if byHeader {
				name = tg.name + "/header"
			}
			t.Run(name, func(t *testing.T) { f(t, tg, byHeader) })
		}
	}
}

func TestStatusFaults(t *testing.T) {
	cases := []struct {
		fault, typ, code, param, message string
		status                           int
	}{
		{"status=429 retry_after=2", "requests", "rate_limit_exceeded", "", "", 429},
		{"status=429 code=insufficient_quota", "insufficient_quota", "insufficient_quota", "", "", 429},
		{"status=503", "server_error", "", "", "The server is overloaded or not ready yet.", 503},
		{"status=500", "server_error", "", "", "The server had an error while processing your request. Sorry about that!", 500},
		{"status=400 code=context_length_exceeded", "invalid_request_error", "context_length_exceeded", "messages", "", 400},
		{"status=401", "invalid_request_error", "invalid_api_key", "", "", 401},
		{"status=404", "invalid_request_error", "model_not_found", "", "The model `sim-chat` does not exist or you do not have access to it.", 404},
	}
	eachWay(t, sim.Options{}, func(t *testing.T, tg target, byHeader bool) {
		for _, c := range cases {
			for _, stream := range []bool{false, true} {
				resp, err := faultRequest(t, tg, c.fault, byHeader, stream)
				if err != nil {
					t.Fatalf("%s: %v", c.fault, err)
				}
				data, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != c.status {
					t.Errorf("%s: status %d, want %d", c.fault, resp.StatusCode, c.status)
					continue
				}
				e := decodeObject(t, data) // an error is JSON even for a stream request
				if str(path(e, "error.type")) != c.typ || str(path(e, "error.code")) != c.code || str(path(e, "error.param")) != c.param {
					t.Errorf("%s: %s", c.fault, data)
				}
				if c.message != "" && path(e, "error.message") != c.message {
					t.Errorf("%s: message %q", c.fault, path(e, "error.message"))
				}
				if c.code == "rate_limit_exceeded" {
					if resp.Header.Get("Retry-After") != "2" || resp.Header.Get("X-Ratelimit-Remaining-Requests") != "0" ||
						resp.Header.Get("X-Ratelimit-Reset-Requests") != "2s" || resp.Header.Get("X-Ratelimit-Limit-Requests") == "" {
						t.Errorf("%s: headers %v", c.fault, resp.Header)
					}
				}
			}
		}
	})
}

func TestDisconnectFault(t *testing.T) {
	eachWay(t, sim.Options{}, func(t *testing.T, tg target, byHeader bool) {
		resp, err := faultRequest(t, tg, "disconnect_after=3", byHeader, true)
		if err != nil {
			t.Fatal(err)
		}
		events, err := readEvents(resp.Body)
		resp.Body.Close()
		if len(events) != 3 {
			t.Errorf("%d events before the cut, want 3", len(events))
		}
		if err == nil || errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("a cut stream ended with %v; want a read error", err)
		} else if !isCut(err) {
			t.Errorf("unexpected error %v", err)
		}

		// Asked for after more chunks than the answer has, the cut still
		// comes, before [DONE].
		resp, err = faultRequest(t, tg, `disconnect_after=100 reply="short"`, byHeader, true)
		if err != nil {
			t.Fatal(err)
		}
		events, err = readEvents(resp.Body)
		resp.Body.Close()
		if len(events) != 3 || err == nil || !isCut(err) || errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("disconnect_after=100 on a 3-chunk answer: %d events, %v", len(events), err)
		}

		// A unary request is cut before the response.
		resp, err = faultRequest(t, tg, "disconnect_after=0", byHeader, false)
		if err == nil {
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			t.Errorf("a cut unary request returned %d %s", resp.StatusCode, data)
		}
	})
}

func TestMalformedChunkFault(t *testing.T) {
	eachWay(t, sim.Options{}, func(t *testing.T, tg target, byHeader bool) {
		resp, err := faultRequest(t, tg, "malformed_after=2", byHeader, true)
		if err != nil {
			t.Fatal(err)
		}
		events, err := readEvents(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("stream did not reach [DONE]: %v", err)
		}
		for i, e := range events {
			if valid := json.Valid([]byte(e)); valid != (i != 2) {
				t.Errorf("event %d valid=%v: %s", i, valid, e)
			}
		}

		resp, err = faultRequest(t, tg, "malformed_after=0", byHeader, false)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || json.Valid(data) {
			t.Errorf("malformed unary: %d, valid JSON %v", resp.StatusCode, json.Valid(data))
		}
	})
}

func TestStreamErrorFault(t *testing.T) {
	eachWay(t, sim.Options{}, func(t *testing.T, tg target, byHeader bool) {
		resp, err := faultRequest(t, tg, "error_after=2", byHeader, true)
		if err != nil {
			t.Fatal(err)
		}
		events, err := readEvents(resp.Body)
		resp.Body.Close()
		if !errors.Is(err, io.EOF) || len(events) != 3 {
			t.Fatalf("got %d events and %v; want 2 chunks, an error event and no [DONE]", len(events), err)
		}
		e := decodeObject(t, []byte(events[2]))
		if path(e, "error.type") != "server_error" {
			t.Errorf("error event %s", events[2])
		}
	})
}

func TestTimingFaults(t *testing.T) {
	eachWay(t, sim.Options{}, func(t *testing.T, tg target, byHeader bool) {
		// Only lower bounds: a loaded machine may be slower, never faster.
		start := time.Now()
		resp, err := faultRequest(t, tg, "ttft=150ms", byHeader, true)
		if err != nil {
			t.Fatal(err)
		}
		events, err := readEvents(resp.Body)
		resp.Body.Close()
		if err != nil || len(events) == 0 {
			t.Fatalf("%v", err)
		}
		if d := time.Since(start); d < 150*time.Millisecond {
			t.Errorf("ttft=150ms stream took %v", d)
		}

		start = time.Now()
		resp, err = faultRequest(t, tg, "latency=60ms", byHeader, false)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if d := time.Since(start); d < 60*time.Millisecond {
			t.Errorf("latency=60ms answer took %v", d)
		}

		start = time.Now()
		resp, err = faultRequest(t, tg, `chunk_delay=20ms reply="a b c"`, byHeader, true)
		if err != nil {
			t.Fatal(err)
		}
		events, _ = readEvents(resp.Body)
		resp.Body.Close()
		// open, a, b, c, finish: four gaps.
		if d := time.Since(start); len(events) != 5 || d < 80*time.Millisecond {
			t.Errorf("%d events in %v", len(events), d)
		}
	})
}

func TestServerWideFaults(t *testing.T) {
	always := memTarget(t, sim.Options{Faults: []sim.FaultRule{{Probability: 1, Fault: sim.Fault{Status: 503}}}})
	resp, _ := always.post(t, "/chat/completions", map[string]any{"model": "m", "messages": userMsg("hi")})
	if resp.StatusCode != 503 {
		t.Errorf("probability 1: status %d", resp.StatusCode)
	}

	pattern := func(seed int64) []bool {
		tg := memTarget(t, sim.Options{Seed: seed, Faults: []sim.FaultRule{{Probability: 0.5, Fault: sim.Fault{Status: 500}}}})
		var out []bool
		for i := 0; i < 100; i++ {
			resp, _ := tg.post(t, "/chat/completions", map[string]any{"model": "m", "messages": userMsg("hi")})
			out = append(out, resp.StatusCode == 500)
		}
		return out
	}
	a, b := pattern(42), pattern(42)
	failed := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("the same seed gave different fault sequences")
		}
		if a[i] {
			failed++
		}
	}
	if failed < 25 || failed > 75 {
		t.Errorf("probability 0.5 failed %d of 100 requests", failed)
	}
}

func TestParseFault(t *testing.T) {
	f, err := sim.ParseFault(`[[sim status=429 retry_after=500ms reply="say \"hi\"" cached=3]]`)
	if err != nil {
		t.Fatal(err)
	}
	if f.Status != 429 || f.RetryAfter != 500*time.Millisecond || f.Reply == nil || *f.Reply != `say "hi"` || f.CachedTokens != 3 {
		t.Errorf("parsed %+v", f)
	}
	for _, bad := range []string{"status=abc", "ttft=200", "nope=1", "status", `reply="open`, "[[sim status=500"} {
		if _, err := sim.ParseFault(bad); err == nil {
			t.Errorf("ParseFault(%q) accepted", bad)
		}
	}
}

func TestServedTotals(t *testing.T) {
	tg := memTarget(t, sim.Options{})
	var prompt, completion int64
	for _, stream := range []bool{false, true} {
		body := map[string]any{"model": "m", "messages": userMsg("Hello! [[sim reasoning=5 cached=2]]")}
		if stream {
			body["stream"] = true
			body["stream_options"] = map[string]any{"include_usage": true}
		}
		_, data := tg.post(t, "/chat/completions", body)
		var usage map[string]any
		if stream {
			events, _ := sseData(t, string(data))
			usage = decodeObject(t, []byte(events[len(events)-1]))["usage"].(map[string]any)
		} else {
			usage = decodeObject(t, data)["usage"].(map[string]any)
		}
		prompt += num(t, usage["prompt_tokens"])
		completion += num(t, usage["completion_tokens"])
	}
	embedResp := embed(t, tg, map[string]any{"model": "e", "input": "count me"})
	prompt += num(t, path(embedResp, "usage.prompt_tokens"))
	tg.post(t, "/chat/completions", map[string]any{"model": "m", "messages": userMsg("hi [[sim status=429]]")})

	got := tg.srv.Served()
	want := sim.Totals{Requests: 4, Errors: 1, PromptTokens: prompt, CompletionTokens: completion, CachedTokens: 4, ReasoningTokens: 10}
	if got != want {
		t.Errorf("Served() = %+v\nwant        %+v", got, want)
	}

	// A stream cut short counts only what was sent.
	cut := memTarget(t, sim.Options{})
	resp, err := faultRequest(t, cut, `disconnect_after=3 reply="one two three four five"`, false, true)
	if err != nil {
		t.Fatal(err)
	}
	readEvents(resp.Body)
	resp.Body.Close()
	if got := cut.srv.Served(); got.CompletionTokens != 2 || got.Errors != 1 {
		t.Errorf("after a cut after the open chunk and 2 tokens: %+v", got)
	}
}
