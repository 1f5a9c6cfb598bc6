package llm_test

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
)

func TestFormatUSD(t *testing.T) {
	for nano, want := range map[int64]string{
		0:             "0.000000000",
		123_450:       "0.000123450",
		1_000_000_000: "1.000000000",
		1_500_000_001: "1.500000001",
		-42:           "-0.000000042",
		math.MaxInt64: "9223372036.854775807",
		math.MinInt64: "-9223372036.854775808",
	} {
		if got := llm.FormatUSD(nano); got != want {
			t.Errorf("FormatUSD(%d) = %q, want %q", nano, got, want)
		}
	}
	if got := (llm.Cost{NanoUSD: 7}).USD(); got != "0.000000007" {
		t.Errorf("USD() = %q", got)
	}
}

func TestCostAdd(t *testing.T) {
	c := llm.Cost{NanoUSD: 5}
	c.Add(llm.Cost{NanoUSD: 7, Estimated: true})
	c.Add(llm.Cost{Unpriced: true})
	if c != (llm.Cost{NanoUSD: 12, Estimated: true, Unpriced: true}) {
		t.Errorf("%+v", c)
	}
}

func TestCostOfAFailure(t *testing.T) {
	cost := &llm.Cost{NanoUSD: 99}
	err := fmt.Errorf("wrapped: %w", &llm.RouteError{Err: &llm.Error{Kind: llm.KindUpstream}, Cost: cost})
	if got, ok := llm.CostOf(err); !ok || got != *cost {
		t.Errorf("CostOf = %+v, %v", got, ok)
	}
	if _, ok := llm.CostOf(&llm.RouteError{Err: errors.New("x")}); ok {
		t.Error("a route error without a cost has one")
	}
	if _, ok := llm.CostOf(errors.New("plain")); ok {
		t.Error("a plain error has a cost")
	}
}

func TestRequestIDInContext(t *testing.T) {
	ctx := llm.WithRequestID(t.Context(), "req_1")
	if got := llm.RequestIDFrom(ctx); got != "req_1" {
		t.Errorf("RequestIDFrom = %q", got)
	}
	if got := llm.RequestIDFrom(t.Context()); got != "" {
		t.Errorf("no id: %q", got)
	}
}
