package storetest

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/audit"
)

// RequestRecords returns n request records of a gateway's traffic (a few
// principals and models, distinct prompts, times spread over span from
// from, microsecond precision), named by seed so that batches made with
// different seeds never share a request id.
func RequestRecords(seed uint64, n int, from time.Time, span time.Duration) []audit.RequestRecord {
	rng := rand.New(rand.NewPCG(seed, seed^0x6a09e667f3bcc908))
	recs := make([]audit.RequestRecord, n)
	for i := range recs {
		p := spendPrincipals[rng.IntN(len(spendPrincipals))]
		tg := spendTargets[rng.IntN(len(spendTargets))]
		in, out := 10+rng.Int64N(5000), rng.Int64N(2000)
		recs[i] = audit.RequestRecord{
			RequestID: fmt.Sprintf("req_%d_%06d", seed, i),
			Time:      from.Add(time.Duration(rng.Int64N(int64(span/time.Microsecond))) * time.Microsecond),
			KeyID:     p.key, TeamID: p.team, UserID: p.user, EndUser: fmt.Sprintf("end-user-%d", rng.IntN(5)),
			Operation: "chat", Alias: tg.alias, Model: tg.model, Provider: tg.provider, Deployment: tg.deployment,
			Transport: "openai", Stream: rng.IntN(2) == 0, Status: audit.OutcomeOK,
			PromptSHA256: fmt.Sprintf("%016x%016x%016x%016x", rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64()),
			InputBytes:   4 * in, InputMessages: 1 + rng.IntN(8), InputTools: rng.IntN(3), OutputBytes: 4 * out,
			InputTokens: in, OutputTokens: out, CostNanoUSD: rng.Int64N(50_000_000),
			ClientAddress: "198.51.100.7", UserAgent: "openai-python/1.52.0",
			Latency: time.Duration(50_000+rng.Int64N(5_000_000)) * time.Microsecond,
		}
	}
	return recs
}

// BenchmarkWriteRequests measures WriteRequests with batches of batchSize
// new request records (no payloads: capture is off by default), and
// reports records/s. Both backends can call it, so their figures compare.
func BenchmarkWriteRequests(b *testing.B, s audit.RequestStore, batchSize int) {
	// Records are made ahead, outside the timer, a few batches at a time
	// so memory stays flat whatever b.N is.
	const pregenerated = 20
	var pool [][]audit.RequestRecord
	refill := func(round int) {
		pool = pool[:0]
		for i := range pregenerated {
			seed := uint64(round*pregenerated + i + 1)
			pool = append(pool, RequestRecords(seed, batchSize, spendBase.Add(time.Duration(seed)*time.Second), time.Second))
		}
	}
	timer := startRecordTimer(b)
	for i := range b.N {
		if i%pregenerated == 0 {
			timer.stop()
			refill(i / pregenerated)
			timer.start()
		}
		batch := pool[i%pregenerated]
		ctx, cancel := writerContext()
		err := s.WriteRequests(ctx, batch, nil)
		cancel()
		if err != nil {
			b.Fatal(fmt.Errorf("WriteRequests: %w", err))
		}
		timer.records += len(batch)
	}
	timer.report()
}
