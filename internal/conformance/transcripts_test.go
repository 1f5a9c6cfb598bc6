package conformance_test

import (
	"testing"

	"github.com/switchboard-gw/switchboard/internal/conformance"
	"github.com/switchboard-gw/switchboard/internal/fixtures"
)

// Every recorded transcript, replayed to its translator, decodes to the
// result its row expects: the error class and finish reason of its
// scenario, the text, calls and usage the real model sent.
func TestTranscripts(t *testing.T) {
	for i := range conformance.Transcripts {
		tr := &conformance.Transcripts[i]
		t.Run(tr.Provider+"/"+tr.Case, func(t *testing.T) {
			rec := fixtures.Load(t, tr.Provider, tr.Case)
			if rec.Provider != tr.Provider {
				t.Fatalf("the recording is of provider %q", rec.Provider)
			}
			if tr.Scenario == "" {
				for _, p := range conformance.ReplayOther(t, tr, rec) {
					t.Error(p)
				}
				return
			}
			got := conformance.Replay(t, tr, rec)
			for _, m := range conformance.Check(tr.Expect(), got, tr.Stream) {
				t.Error(m)
			}
		})
	}
}

// The table covers every recording, and every row has its recording.
func TestEveryTranscriptHasARow(t *testing.T) {
	rows := map[string]bool{}
	for _, tr := range conformance.Transcripts {
		k := tr.Provider + "/" + tr.Case
		if rows[k] {
			t.Errorf("%s has two rows", k)
		}
		rows[k] = true
	}
	for _, provider := range []string{conformance.OpenAI, conformance.Anthropic, conformance.Gemini, conformance.Bedrock} {
		for _, c := range fixtures.List(t, provider) {
			k := provider + "/" + c
			if !rows[k] {
				t.Errorf("recording %s has no row in conformance.Transcripts", k)
			}
			delete(rows, k)
		}
	}
	for k := range rows {
		t.Errorf("row %s has no recording", k)
	}
}
