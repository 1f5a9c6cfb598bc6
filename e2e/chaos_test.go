package e2e_test

import (
	"io"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The chaos run: three deployments behind one alias, on simulators through
// three different translators. "flaky" fails 30% of its requests (HTTP
// 500), "slow" answers after 20ms, "healthy" at once. A few thousand
// requests, a quarter of them streamed, go through the OpenAI shim with
// 16 in flight. Every one must succeed, and the traffic must split as the
// strategy says. The breaker is set not to trip at 30% failures (it would
// take flaky out and change the split); its own tests are in router.
const chaosConfig = `
defaults: {demo: false, env_providers: false}
routing:
  breaker: {consecutive_failures: 0, failure_rate: 0.6, min_requests: 50}
providers:
  sim-flaky: {kind: sim, sim: {seed: 7, faults: [{probability: 0.3, fault: "status=500"}]}}
  sim-slow: {kind: sim, dialect: anthropic, sim: {latency: 20ms, ttft: 20ms}}
  sim-healthy: {kind: sim, dialect: gemini}
deployments:
  flaky: {provider: sim-flaky, model: m, weight: 1}
  slow: {provider: sim-slow, model: m, weight: 1}
  healthy: {provider: sim-healthy, model: m, weight: 2}
aliases:
  weighted: {deployments: [flaky, slow, healthy], strategy: weighted, retry: {max_retries: 0}}
  fastest: {deployments: [flaky, slow, healthy], strategy: least_latency, retry: {max_retries: 0}}
`

// chaosResult is what one request of the run tells.
type chaosResult struct {
	status   int
	first    string // the deployment of the first attempt
	served   string
	failover bool
	stream   bool
	elapsed  time.Duration
	err      string
}

func runChaos(t *testing.T, r *routed, alias string, n, concurrency int) []chaosResult {
	t.Helper()
	results := make([]chaosResult, n)
	var wg sync.WaitGroup
	next := make(chan int)
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = chaosRequest(r, alias, i%4 == 0)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}

func chaosRequest(r *routed, alias string, stream bool) chaosResult {
	start := time.Now()
	req, _ := http.NewRequest(http.MethodPost, r.url+"/v1/chat/completions", strings.NewReader(chatBody(alias, "What is a circuit breaker?", stream)))
	req.Header.Set("Authorization", "Bearer "+r.secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.http1.Do(req)
	if err != nil {
		return chaosResult{err: err.Error()}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	res := chaosResult{status: resp.StatusCode, served: resp.Header.Get("X-Switchboard-Deployment"), stream: stream, elapsed: time.Since(start)}
	if err != nil {
		res.err = err.Error()
	}
	if resp.StatusCode != http.StatusOK {
		res.err = string(body)
	}
	if stream && !endsWithDone(body) {
		res.err = "stream did not end with [DONE]: " + string(body[max(0, len(body)-200):])
	}
	entries := attemptEntries(resp.Header.Get("X-Switchboard-Attempts"))
	if len(entries) > 0 {
		res.first = entries[0]["deployment"]
		res.failover = len(entries) > 1
	}
	return res
}

func endsWithDone(body []byte) bool {
	const done = "data: [DONE]\n\n"
	return len(body) >= len(done) && string(body[len(body)-len(done):]) == done
}

func shares(results []chaosResult, of func(chaosResult) string) map[string]float64 {
	out := map[string]float64{}
	for _, r := range results {
		out[of(r)] += 1 / float64(len(results))
	}
	return out
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(math.Ceil(p*float64(len(s))))-1)]
}

func TestChaosRun(t *testing.T) {
	r := startRouted(t, chaosConfig)
	const n = 3000

	t.Run("weighted", func(t *testing.T) {
		start := time.Now()
		results := runChaos(t, r, "weighted", n, 16)
		took := time.Since(start)
		failed := 0
		for _, res := range results {
			if res.status != http.StatusOK || res.err != "" {
				failed++
				if failed <= 3 {
					t.Errorf("request failed: %d %s", res.status, res.err)
				}
			}
		}
		if failed > 0 {
			t.Fatalf("%d of %d requests failed", failed, n)
		}
		// First attempts follow the weights 1:1:2. The binomial standard
		// deviation at n=3000 is under 1 point; the tolerance is 4 (over
		// four deviations: the run does not flake).
		const tolerance = 0.04
		first := shares(results, func(r chaosResult) string { return r.first })
		for name, want := range map[string]float64{"flaky": 0.25, "slow": 0.25, "healthy": 0.5} {
			if math.Abs(first[name]-want) > tolerance {
				t.Errorf("first attempts on %s: %.3f, want %.2f ± %.2f", name, first[name], want, tolerance)
			}
		}
		// flaky serves 70% of its share; its failures go to the next
		// deployment in weighted order: slow (1) or healthy (2).
		served := shares(results, func(r chaosResult) string { return r.served })
		expect := map[string]float64{"flaky": 0.25 * 0.7, "slow": 0.25 + 0.25*0.3/3, "healthy": 0.5 + 0.25*0.3*2/3}
		for name, want := range expect {
			if math.Abs(served[name]-want) > tolerance {
				t.Errorf("served by %s: %.3f, want %.3f ± %.2f", name, served[name], want, tolerance)
			}
		}
		// Failover latency: unary requests served by healthy, directly or
		// after flaky failed them.
		var direct, failover []time.Duration
		for _, res := range results {
			switch {
			case res.stream || res.served != "healthy":
			case res.failover:
				failover = append(failover, res.elapsed)
			default:
				direct = append(direct, res.elapsed)
			}
		}
		failovers := 0
		for _, res := range results {
			if res.failover {
				failovers++
			}
		}
		t.Logf("chaos run: %d requests (a quarter streamed), 16 in flight, %s (%.0f req/s); all succeeded", n, took.Round(time.Millisecond), float64(n)/took.Seconds())
		t.Logf("first attempts: flaky %.3f, slow %.3f, healthy %.3f (weights 0.25/0.25/0.50)", first["flaky"], first["slow"], first["healthy"])
		t.Logf("served by:      flaky %.3f, slow %.3f, healthy %.3f (expected %.3f/%.3f/%.3f)",
			served["flaky"], served["slow"], served["healthy"], expect["flaky"], expect["slow"], expect["healthy"])
		t.Logf("failovers: %d (%.1f%%)", failovers, 100*float64(failovers)/n)
		t.Logf("unary latency served by healthy: direct p50 %s p90 %s (%d); after failing over from flaky p50 %s p90 %s (%d)",
			percentile(direct, 0.5), percentile(direct, 0.9), len(direct), percentile(failover, 0.5), percentile(failover, 0.9), len(failover))
	})

	t.Run("least_latency", func(t *testing.T) {
		results := runChaos(t, r, "fastest", n/2, 16)
		for _, res := range results {
			if res.status != http.StatusOK || res.err != "" {
				t.Fatalf("request failed: %d %s", res.status, res.err)
			}
		}
		// slow is 20ms behind the others: it gets the exploration share
		// (5%, split between the other two) and little more.
		served := shares(results, func(r chaosResult) string { return r.served })
		if served["slow"] > 0.10 {
			t.Errorf("slow served %.3f under least_latency", served["slow"])
		}
		t.Logf("least_latency: served by flaky %.3f, slow %.3f, healthy %.3f", served["flaky"], served["slow"], served["healthy"])
	})
}
