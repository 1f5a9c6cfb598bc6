package router_test

import (
	"context"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/router"
)

func yes() *bool { v := true; return &v }

func ceiling(x float64) *float64 { return &x }

func rulesConfig() router.Config {
	target := func(name string) *router.Alias {
		return &router.Alias{Name: name, Deployments: []*router.Deployment{dep(name, &fake{name: name})}}
	}
	return router.Config{Aliases: []*router.Alias{
		target("vision"), target("tools"), target("premium"), target("long"), target("smart"), target("fast"), target("tiny"),
		{Name: "auto", Default: "fast", Rules: []router.Rule{
			{Name: "images", Alias: "vision", When: router.Condition{Images: yes()}},
			{Name: "tools", Alias: "tools", When: router.Condition{Tools: yes()}},
			{Name: "premium", Alias: "premium", When: router.Condition{Metadata: map[string]string{"tier": "premium"}}},
			{Name: "tagged", Alias: "premium", When: router.Condition{Metadata: map[string]string{"vip": "*"}}},
			{Name: "long", Alias: "long", When: router.Condition{MinInputTokens: 1000}},
			{Name: "hard", Alias: "smart", When: router.Condition{MinComplexity: 0.4}},
			{Name: "trivial", Alias: "tiny", When: router.Condition{MaxComplexity: ceiling(0), MaxInputTokens: 20}},
		}},
	}}
}

func TestContentRulesChooseTheAlias(t *testing.T) {
	r, _ := build(t, rulesConfig(), newClock())
	withImage := chat("auto", "what is this")
	withImage.Messages[0].Parts = append(withImage.Messages[0].Parts, llm.Part{Type: llm.PartImage, Image: &llm.Image{URL: "https://example.com/x.png"}})
	withTools := chat("auto", "weather?")
	withTools.Tools = []llm.Tool{{Name: "get_weather"}}
	premium := chat("auto", "hello")
	premium.Metadata = map[string]string{"tier": "premium"}
	vip := chat("auto", "hello")
	vip.Metadata = map[string]string{"vip": "yes"}
	cases := []struct {
		name      string
		req       *llm.Request
		alias     string
		rule      string
		ruleFired bool
	}{
		{"image", withImage, "vision", "images", true},
		{"tools", withTools, "tools", "tools", true},
		{"metadata value", premium, "premium", "premium", true},
		{"metadata present", vip, "premium", "tagged", true},
		{"long prompt", chat("auto", strings.Repeat("lorem ipsum ", 400)), "long", "long", true},
		{"hard prompt", chat("auto", complexityExamples[6].prompt), "smart", "hard", true},
		{"trivial prompt", chat("auto", "hi"), "tiny", "trivial", true},
		{"default", chat("auto", "Write a haiku about autumn leaves falling on a quiet pond."), "fast", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := r.Complete(context.Background(), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Deployment != tc.alias || resp.Route.Alias != tc.alias || resp.Route.Rule != tc.rule {
				t.Errorf("served by %s via alias %q rule %q; want %s rule %q", resp.Deployment, resp.Route.Alias, resp.Route.Rule, tc.alias, tc.rule)
			}
		})
	}
	// Streams follow the same rules.
	s, err := r.Stream(context.Background(), withTools)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := s.Recv()
	s.Close()
	if c.Route == nil || c.Route.Rule != "tools" || c.Deployment != "tools" {
		t.Errorf("stream chunk %+v", c)
	}
}

func TestResolveOfARulesAliasIsItsDefault(t *testing.T) {
	r, _ := build(t, rulesConfig(), newClock())
	ds, err := r.Resolve("auto")
	if err != nil || len(ds) != 1 || ds[0].Name != "fast" {
		t.Fatalf("ds %v err %v", ds, err)
	}
}
