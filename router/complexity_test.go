package router_test

import (
	"math"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/router"
)

// The complexity heuristic's behaviour, pinned on example prompts. A
// change to the heuristic changes these numbers: update them, and the
// description in docs/routing.md, deliberately.
var complexityExamples = []struct {
	prompt string
	score  float64
}{
	{"hi", 0},
	{"What is the capital of France?", 0},
	{"Translate 'good morning' into Spanish.", 0},
	{"Write a haiku about autumn leaves falling on a quiet pond.", 0.0240},
	{"Compare the trade-offs between B-trees and LSM-trees for a write-heavy workload, and explain which you would choose.", 0.2577},
	{"Prove that the square root of 2 is irrational. Use a rigorous proof by contradiction and derive each step: " +
		"assume √2 = p/q with p, q coprime, then p^2 = 2q^2.", 0.4832},
	{"Design a distributed rate limiter for an API gateway that runs on 50 instances.\nRequirements:\n" +
		"- 10k requests per second per tenant\n- at most 1% over-admission\n- survives the loss of a Redis node\n" +
		"1. Describe the architecture.\n2. Implement the core algorithm in Go.\n" +
		"3. Analyze its complexity and the trade-offs versus a token bucket.\n" +
		"```go\nfunc Allow(key string) bool { return true }\n```", 0.7121},
}

func TestComplexityIsPinnedOnExamples(t *testing.T) {
	prev := -1.0
	for _, ex := range complexityExamples {
		got := router.Complexity(ex.prompt)
		if math.Abs(got-ex.score) > 0.0005 {
			t.Errorf("Complexity(%.40q...) = %.4f, want %.4f", ex.prompt, got, ex.score)
		}
		if got < prev {
			t.Errorf("examples are listed from easy to hard; %.40q scored %.4f after %.4f", ex.prompt, got, prev)
		}
		prev = got
	}
}

func TestComplexityBounds(t *testing.T) {
	long := strings.Repeat("Analyze and prove the algorithm's complexity; derive each step? ", 2000)
	if s := router.Complexity(long); s < 0.5 || s > 1 {
		t.Errorf("long prompt scored %.3f", s)
	}
	if s := router.Complexity(""); s != 0 {
		t.Errorf("empty prompt scored %.3f", s)
	}
	// Case does not matter for keywords.
	if router.Complexity("PROVE IT") != router.Complexity("prove it") {
		t.Error("keywords are case-sensitive")
	}
}

func BenchmarkComplexity(b *testing.B) {
	for _, size := range []struct {
		name string
		text string
	}{
		{"short", complexityExamples[4].prompt},
		{"16KiB", strings.Repeat(complexityExamples[6].prompt+" ", 16<<10/len(complexityExamples[6].prompt)+1)},
	} {
		b.Run(size.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(size.text)))
			for b.Loop() {
				router.Complexity(size.text)
			}
		})
	}
}
