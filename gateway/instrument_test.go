package gateway_test

import (
	"context"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-gw/switchboard/gateway"
	"github.com/switchboard-gw/switchboard/llm"
)

type countingHook struct {
	mu           sync.Mutex
	starts, ends int
}

func (h *countingHook) AttemptStart(ctx context.Context, _ *llm.Attempt) context.Context {
	h.mu.Lock()
	h.starts++
	h.mu.Unlock()
	return ctx
}

func (h *countingHook) AttemptEnd(context.Context, *llm.Attempt) {
	h.mu.Lock()
	h.ends++
	h.mu.Unlock()
}

// Every provider the gateway builds (a credential pool's keys included)
// goes through the instrumentation with its kind and vendor, and every
// attempt through its hook, again after a reload.
func TestInstrumentationSeesProvidersAndAttempts(t *testing.T) {
	const yml = `
defaults: {demo: false, env_providers: false}
providers:
  local: {kind: sim}
  groq: {kind: openai, vendor: groq, base_url: "http://127.0.0.1:9/v1"}
deployments:
  a: {provider: local, model: m}
  g: {provider: groq, model: llama, api_keys: [env:K1, env:K2]}
aliases:
  chat: {deployments: [a]}
  fast: {deployments: [g]}
`
	var mu sync.Mutex
	var built []string
	hook := &countingHook{}
	gw, err := gateway.New(parse(t, yml, "K1", "one", "K2", "two"), gateway.WithInstrumentation(gateway.Instrumentation{
		Attempts: hook,
		Provider: func(name, kind, vendor string, p llm.Provider) llm.Provider {
			mu.Lock()
			built = append(built, name+":"+kind+":"+vendor)
			mu.Unlock()
			return p
		},
	}))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(built)
	if got := strings.Join(built, " "); got != "groq:openai:groq groq:openai:groq local:sim:" {
		t.Errorf("instrumented providers: %s", got)
	}
	if _, err := gw.Complete(context.Background(), anyKey, userReq("chat", "hi")); err != nil {
		t.Fatal(err)
	}
	if err := gw.Reload(parse(t, yml, "K1", "one", "K2", "two")); err != nil {
		t.Fatal(err)
	}
	if _, err := gw.Complete(context.Background(), anyKey, userReq("chat", "hi")); err != nil {
		t.Fatal(err)
	}
	if hook.starts != 2 || hook.ends != 2 || len(built) != 6 {
		t.Errorf("hook saw %d starts, %d ends; %d providers built", hook.starts, hook.ends, len(built))
	}
}
