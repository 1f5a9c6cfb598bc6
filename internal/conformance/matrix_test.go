package conformance_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/switchboard-gw/switchboard/internal/conformance"
)

var update = flag.Bool("update", false, "rewrite the conformance matrix in docs/providers.md")

// docsPath is docs/providers.md, from this package's directory.
var docsPath = filepath.Join("..", "..", "docs", "providers.md")

// The matrix in docs/providers.md is generated from the tables; the test
// fails when it is stale, and -update rewrites it.
func TestMatrixDoc(t *testing.T) {
	doc, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatal(err)
	}
	want := conformance.ReplaceMatrix(string(doc), conformance.Matrix())
	if want == string(doc) {
		return
	}
	if *update {
		if err := os.WriteFile(docsPath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the conformance matrix in docs/providers.md is stale: run go test ./internal/conformance -run TestMatrixDoc -update")
}
