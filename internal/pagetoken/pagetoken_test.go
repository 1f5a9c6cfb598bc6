package pagetoken_test

import (
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/internal/pagetoken"
	"github.com/switchboard-gw/switchboard/llm"
)

func validID(id string) bool { return id != "" && !strings.ContainsAny(id, ":/") }

func TestNextAndDecodeRoundTrip(t *testing.T) {
	codec := pagetoken.Codec{Version: "t1"}
	at := time.Date(2026, 3, 1, 12, 0, 0, 123456000, time.UTC)
	recs := []pagetoken.Position{{Time: at, ID: "a"}, {Time: at, ID: "b"}, {Time: at, ID: "c"}}
	self := func(p pagetoken.Position) pagetoken.Position { return p }

	page, token := pagetoken.Next(codec, recs, 2, "x", "f", self)
	if len(page) != 2 || token == "" {
		t.Fatalf("page %v token %q, want 2 records and a token", page, token)
	}
	got, err := codec.Decode(token, "x", "f", validID)
	if err != nil || got == nil || !got.Time.Equal(at) || got.ID != "b" {
		t.Fatalf("Decode = %+v, %v; want the last record of the page", got, err)
	}
	if _, last := pagetoken.Next(codec, recs, 3, "x", "f", self); last != "" {
		t.Fatalf("last page token = %q, want empty", last)
	}
	if p, err := codec.Decode("", "x", "f", validID); p != nil || err != nil {
		t.Fatalf("empty token = %+v, %v; want the first page", p, err)
	}
}

func TestDecodeRefusesReplayedAndForgedTokens(t *testing.T) {
	codec := pagetoken.Codec{Version: "t1"}
	token := codec.Encode("x", "f", pagetoken.Position{Time: time.Unix(1, 0), ID: "a"})
	cases := map[string]struct {
		codec                  pagetoken.Codec
		token, listing, filter string
		wantMessage            string
	}{
		"other listing": {codec, token, "y", "f", "invalid page_token"},
		"other family":  {pagetoken.Codec{Version: "t2"}, token, "x", "f", "invalid page_token"},
		"other filters": {codec, token, "x", "g", "other filters"},
		"not base64":    {codec, "%%%", "x", "f", "invalid page_token"},
		"bad id":        {codec, codec.Encode("x", "f", pagetoken.Position{ID: "a:b"}), "x", "f", "invalid page_token"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			p, err := c.codec.Decode(c.token, c.listing, c.filter, validID)
			if p != nil || err == nil || err.Kind != llm.KindInvalidRequest || err.Param != "page_token" || !strings.Contains(err.Message, c.wantMessage) {
				t.Fatalf("Decode = %+v, %v; want an invalid page_token error mentioning %q", p, err, c.wantMessage)
			}
		})
	}
}

func TestSize(t *testing.T) {
	for _, c := range []struct{ in, want int }{{0, 10}, {5, 5}, {50, 20}} {
		if got, err := pagetoken.Size(c.in, 10, 20); err != nil || got != c.want {
			t.Errorf("Size(%d) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	if _, err := pagetoken.Size(-1, 10, 20); err == nil || err.Param != "page_size" {
		t.Errorf("Size(-1) error = %v, want an invalid page_size", err)
	}
}
