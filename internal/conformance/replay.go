package conformance

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/internal/fixtures"
	"github.com/switchboard-gw/switchboard/llm"
)

// Replay serves a recording's response (status, headers and the exact
// body bytes) over loopback HTTP to the recording provider's translator,
// configured as the gateway configures it, and returns what the translator
// made of it. The request is the transcript's scenario's: what was asked
// does not change what a recording answers.
func Replay(t testing.TB, tr *Transcript, rec *fixtures.Transcript) Result {
	t.Helper()
	if tr.Scenario == "" {
		t.Fatalf("%s/%s is not a chat recording: use ReplayOther", tr.Provider, tr.Case)
	}
	p, model := replayTranslator(t, tr.Provider, rec)
	return Run(context.Background(), p, model, ScenarioNamed(tr.Scenario), tr.Stream)
}

// replayTranslator starts a server that answers every request with the
// recording, closed when t ends, and returns the provider's translator
// pointed at it, with the model it asks for.
func replayTranslator(t testing.TB, provider string, rec *fixtures.Transcript) (llm.Provider, string) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		for k, v := range rec.Response.Headers {
			if !strings.EqualFold(k, "content-length") {
				w.Header().Set(k, v)
			}
		}
		w.WriteHeader(rec.Response.Status)
		_, _ = w.Write(rec.Response.RawBody())
	}))
	t.Cleanup(srv.Close)
	client := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(client.CloseIdleConnections)
	b, ok := translatorBuilders[provider]
	if !ok {
		t.Fatalf("no translator for provider %q", provider)
	}
	p, err := b.build(srv.URL, client)
	if err != nil {
		t.Fatal(err)
	}
	return p, b.model
}

// ReplayOther replays an embeddings or model-list recording and checks it
// against the row, returning the problems.
func ReplayOther(t testing.TB, tr *Transcript, rec *fixtures.Transcript) []string {
	t.Helper()
	p, _ := replayTranslator(t, tr.Provider, rec)
	ctx := context.Background()
	var problems []string
	switch {
	case tr.Embeddings > 0:
		e, ok := p.(llm.Embedder)
		if !ok {
			return []string{tr.Provider + " translator has no embeddings"}
		}
		inputs := make([]string, tr.Embeddings)
		for i := range inputs {
			inputs[i] = "How do I reset my password?"
		}
		resp, err := e.Embed(ctx, &llm.EmbedRequest{Model: "text-embedding-3-small", Inputs: inputs})
		if err != nil {
			return []string{fmt.Sprintf("Embed: %v", err)}
		}
		if len(resp.Embeddings) != tr.Embeddings {
			problems = append(problems, fmt.Sprintf("%d embeddings, want %d", len(resp.Embeddings), tr.Embeddings))
		}
		for i, v := range resp.Embeddings {
			if len(v) != tr.Dimensions {
				problems = append(problems, fmt.Sprintf("embedding %d has %d dimensions, want %d", i, len(v), tr.Dimensions))
			}
		}
		if resp.Usage != tr.Usage {
			problems = append(problems, fmt.Sprintf("usage %+v, want %+v", resp.Usage, tr.Usage))
		}
	case len(tr.Models) > 0:
		l, ok := p.(llm.ModelLister)
		if !ok {
			return []string{tr.Provider + " translator lists no models"}
		}
		models, err := l.ListModels(ctx)
		if err != nil {
			return []string{fmt.Sprintf("ListModels: %v", err)}
		}
		ids := make([]string, len(models))
		for i, m := range models {
			ids[i] = m.ID
		}
		if strings.Join(ids, " ") != strings.Join(tr.Models, " ") {
			problems = append(problems, fmt.Sprintf("models %v, want %v", ids, tr.Models))
		}
	default:
		problems = append(problems, "the row describes neither embeddings nor models")
	}
	return problems
}
