package e2e_test

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// TestBufCurl calls the gateway with `buf curl`, a client that knows nothing
// of Switchboard: it reads the schema through gRPC reflection and speaks
// each of the three protocols. `make test` puts the pinned buf on PATH.
func TestBufCurl(t *testing.T) {
	buf, err := exec.LookPath("buf")
	if err != nil {
		t.Skip("buf is not on PATH (make test installs it into .bin/)")
	}
	g := startGateway(t)
	_, secret := g.createKey(t, "buf-curl")
	body := `{"model":"demo","messages":[{"role":"ROLE_USER","content":[{"text":"[[sim reply=\"hello from buf\"]] hi"}]}]}`
	for _, protocol := range []string{"connect", "grpc", "grpcweb"} {
		t.Run(protocol, func(t *testing.T) {
			out, err := exec.Command(buf, "curl", "--protocol", protocol, "--http2-prior-knowledge",
				"-H", "Authorization: Bearer "+secret, "-d", body,
				g.url+"/switchboard.v1.CompletionService/Complete").CombinedOutput()
			if err != nil {
				t.Fatalf("buf curl: %v\n%s", err, out)
			}
			var resp struct {
				Choices []struct {
					Message struct {
						Content []struct{ Text string } `json:"content"`
					} `json:"message"`
				} `json:"choices"`
				Provider string `json:"provider"`
			}
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if len(resp.Choices) != 1 || len(resp.Choices[0].Message.Content) == 0 || resp.Choices[0].Message.Content[0].Text != "hello from buf" || resp.Provider != "sim" {
				t.Fatalf("answer: %s", out)
			}
		})
	}
	t.Run("streaming", func(t *testing.T) {
		out, err := exec.Command(buf, "curl", "--protocol", "grpc", "--http2-prior-knowledge",
			"-H", "Authorization: Bearer "+secret, "-d", body,
			g.url+"/switchboard.v1.CompletionService/StreamComplete").CombinedOutput()
		if err != nil {
			t.Fatalf("buf curl: %v\n%s", err, out)
		}
		if !strings.Contains(string(out), `"usage"`) || strings.Count(string(out), `"text"`) < 2 {
			t.Fatalf("stream: %s", out)
		}
	})
	t.Run("unauthenticated", func(t *testing.T) {
		out, err := exec.Command(buf, "curl", "--protocol", "grpc", "--http2-prior-knowledge", "-d", body,
			g.url+"/switchboard.v1.CompletionService/Complete").CombinedOutput()
		if err == nil || !strings.Contains(string(out), "unauthenticated") {
			t.Fatalf("want unauthenticated, got %v: %s", err, out)
		}
	})
}
