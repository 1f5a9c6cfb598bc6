package auth_test

import (
	"slices"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/llm"
)

// createSeries creates n keys a millisecond apart and returns their ids
// newest first, the order List uses.
func createSeries(t *testing.T, keys *auth.Keys, clock *fakeClock, n int) []string {
	t.Helper()
	var ids []string
	for range n {
		k, _ := mustCreate(t, keys, auth.CreateKeyParams{Name: "series"})
		ids = append(ids, k.ID)
		clock.Advance(time.Millisecond)
	}
	slices.Reverse(ids)
	return ids
}

func listAll(t *testing.T, keys *auth.Keys, p auth.ListKeysParams) (ids []string, pages int) {
	t.Helper()
	for {
		page, next, err := keys.List(t.Context(), p)
		if err != nil {
			t.Fatalf("List(%+v): %v", p, err)
		}
		pages++
		for _, k := range page {
			ids = append(ids, k.ID)
		}
		if next == "" {
			return ids, pages
		}
		if pages > 100 {
			t.Fatal("List does not terminate")
		}
		p.PageToken = next
	}
}

func TestListPagesNewestFirst(t *testing.T) {
	keys, _, clock := newKeys(t)
	want := createSeries(t, keys, clock, 7)

	got, pages := listAll(t, keys, auth.ListKeysParams{PageSize: 3})
	if !slices.Equal(got, want) || pages != 3 {
		t.Errorf("pages of 3: got %v in %d pages, want %v in 3", got, pages, want)
	}
	// An exact multiple of the page size ends without an empty extra page.
	got, pages = listAll(t, keys, auth.ListKeysParams{PageSize: 7})
	if !slices.Equal(got, want) || pages != 1 {
		t.Errorf("page of 7: got %d keys in %d pages", len(got), pages)
	}
	got, _ = listAll(t, keys, auth.ListKeysParams{})
	if !slices.Equal(got, want) {
		t.Errorf("default page size: got %v", got)
	}
}

func TestListRevokedOnlyWhenAsked(t *testing.T) {
	keys, _, clock := newKeys(t)
	all := createSeries(t, keys, clock, 5)
	if _, err := keys.Revoke(t.Context(), all[1]); err != nil {
		t.Fatal(err)
	}
	active := slices.Delete(slices.Clone(all), 1, 2)

	got, _ := listAll(t, keys, auth.ListKeysParams{PageSize: 2})
	if !slices.Equal(got, active) {
		t.Errorf("without revoked: got %v, want %v", got, active)
	}
	got, _ = listAll(t, keys, auth.ListKeysParams{PageSize: 2, IncludeRevoked: true})
	if !slices.Equal(got, all) {
		t.Errorf("with revoked: got %v, want %v", got, all)
	}
}

func TestListParameterErrors(t *testing.T) {
	keys, _, clock := newKeys(t)
	createSeries(t, keys, clock, 3)
	_, next, err := keys.List(t.Context(), auth.ListKeysParams{PageSize: 1})
	if err != nil || next == "" {
		t.Fatalf("List: next %q, err %v", next, err)
	}

	tests := []struct {
		name  string
		p     auth.ListKeysParams
		param string
	}{
		{"negative page size", auth.ListKeysParams{PageSize: -1}, "page_size"},
		{"garbage token", auth.ListKeysParams{PageToken: "not a token!"}, "page_token"},
		{"forged token", auth.ListKeysParams{PageToken: "djE6MDp4eDp5eQ"}, "page_token"},
		{"token from another listing", auth.ListKeysParams{PageToken: next, IncludeRevoked: true}, "page_token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := keys.List(t.Context(), tc.p)
			if e := assertError(t, err, llm.KindInvalidRequest, nil); e.Param != tc.param {
				t.Errorf("Param %q, want %q", e.Param, tc.param)
			}
		})
	}

	// Above the maximum the page size is coerced, not refused (AIP-158).
	page, _, err := keys.List(t.Context(), auth.ListKeysParams{PageSize: auth.MaxPageSize + 1})
	if err != nil || len(page) != 3 {
		t.Errorf("oversized page: %d keys, %v", len(page), err)
	}
}
