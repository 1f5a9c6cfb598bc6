package audit_test

import (
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/audit"
	"github.com/switchboard-gw/switchboard/auth"
)

// BenchmarkObserveChat measures what a request record costs the request
// path: hashing and measuring the prompt, and handing the finished record
// to the queue (Run is not running, so past the queue's size records are
// dropped, which costs the same as queueing them).
func BenchmarkObserveChat(b *testing.B) {
	st := openStore(b)
	log := audit.NewRequestLog(st, audit.RequestLogOptions{Teams: st})
	req := chatRequest(strings.Repeat("Summarise the quarterly plan in three bullet points. ", 20)) // ~1 kB
	resp := answer("Done.")
	p := &auth.Principal{KeyID: "key_bench", TeamID: auth.DefaultTeamID} // capture off: the default
	b.ReportAllocs()
	for b.Loop() {
		o := log.ObserveChat(b.Context(), meta("req_bench"), p, req, false)
		o.Finish(resp, nil)
	}
}

func BenchmarkPromptHash(b *testing.B) {
	req := chatRequest(strings.Repeat("x", 4096))
	b.SetBytes(4096)
	for b.Loop() {
		audit.PromptHash(req)
	}
}
