package loadbench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// The names the gateway's configuration gives the simulator.
const (
	// GatewayAlias is the model name clients send to the gateway.
	GatewayAlias = "bench"
	// UpstreamModel is the model name the simulator sees, directly or
	// through the gateway.
	UpstreamModel = "sim-chat"
)

// stack is the simulator and the gateway in front of it, running.
type stack struct {
	dir      string
	sim      *process
	gateway  *process
	proxy    *process // the bare proxy, when configured
	simURL   string   // http://127.0.0.1:port
	gwURL    string
	proxyURL string
	adminKey string
	// virtualKey is a real key created through the admin API, scoped to
	// GatewayAlias.
	virtualKey string
}

// gatewayConfig points the alias at the external simulator over loopback
// HTTP with the OpenAI translator, as an operator would configure a local
// OpenAI-compatible server; the built-in demo and environment providers are
// off so that nothing else is loaded.
const gatewayConfig = `# written by loadbench
providers:
  upstream:
    kind: openai
    vendor: openai
    base_url: %s/v1
    auth: none
deployments:
  %s:
    provider: upstream
    model: %s
aliases:
  %s:
    deployments: [%s]
defaults:
  demo: false
  env_providers: false
`

// startStack starts the simulator, the gateway and, when proxyBin is set,
// the bare proxy (proxyBin run with BareProxyFlag), in dir, and creates a
// virtual key. pprofAddr, when set, enables the gateway's profiler there.
func startStack(ctx context.Context, bin, proxyBin, dir, pprofAddr string) (*stack, error) {
	s := &stack{dir: dir}
	simAddr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	gwAddr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	s.simURL, s.gwURL = "http://"+simAddr, "http://"+gwAddr
	s.adminKey = "loadbench-admin-" + randomHex(16)

	s.sim, err = startProcess("simulator", bin, []string{"sim", "--addr", simAddr}, childEnv(), filepath.Join(dir, "sim.log"))
	if err != nil {
		return nil, err
	}
	if err := s.sim.waitReady(ctx, s.simURL+"/v1/models", 15*time.Second); err != nil {
		s.stop()
		return nil, err
	}

	configPath := filepath.Join(dir, "switchboard.yaml")
	cfg := fmt.Sprintf(gatewayConfig, s.simURL, GatewayAlias, UpstreamModel, GatewayAlias, GatewayAlias)
	if err := os.WriteFile(configPath, []byte(cfg), 0o600); err != nil {
		s.stop()
		return nil, err
	}
	args := []string{"serve", "--addr", gwAddr, "--config", configPath, "--data-dir", filepath.Join(dir, "data")}
	if pprofAddr != "" {
		args = append(args, "--pprof", pprofAddr)
	}
	s.gateway, err = startProcess("gateway", bin, args, childEnv("SWITCHBOARD_ADMIN_KEY="+s.adminKey), filepath.Join(dir, "gateway.log"))
	if err != nil {
		s.stop()
		return nil, err
	}
	if err := s.gateway.waitReady(ctx, s.gwURL+"/readyz", 15*time.Second); err != nil {
		s.stop()
		return nil, err
	}
	if s.virtualKey, err = s.createKey(ctx, bin); err != nil {
		s.stop()
		return nil, err
	}
	if proxyBin != "" {
		if err := s.startBareProxy(ctx, proxyBin); err != nil {
			s.stop()
			return nil, err
		}
	}
	return s, nil
}

func (s *stack) startBareProxy(ctx context.Context, proxyBin string) error {
	addr, err := freeLoopbackAddr()
	if err != nil {
		return err
	}
	s.proxyURL = "http://" + addr
	args := []string{"-" + BareProxyFlag, addr, "-upstream", s.simURL}
	if s.proxy, err = startProcess("bare proxy", proxyBin, args, childEnv(), filepath.Join(s.dir, "proxy.log")); err != nil {
		return err
	}
	// The proxy answers GET /v1/models from the simulator once it is up.
	return s.proxy.waitReady(ctx, s.proxyURL+"/v1/models", 15*time.Second)
}

// createKey creates a virtual key the way an operator does, with
// `switchboard keys create`.
func (s *stack) createKey(ctx context.Context, bin string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "keys", "create", "--name", "loadbench", "--models", GatewayAlias, "--json", "--url", s.gwURL)
	cmd.Env = childEnv("SWITCHBOARD_ADMIN_KEY=" + s.adminKey)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("switchboard keys create: %w: %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	var out struct {
		Secret string `json:"secret"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil || out.Secret == "" {
		return "", fmt.Errorf("switchboard keys create: unexpected output (%v)", err)
	}
	return out.Secret, nil
}

func (s *stack) stop() {
	if s.proxy != nil {
		s.proxy.stop(10 * time.Second)
	}
	if s.gateway != nil {
		s.gateway.stop(10 * time.Second)
	}
	if s.sim != nil {
		s.sim.stop(10 * time.Second)
	}
}

// healthy returns an error naming a child that has died.
func (s *stack) healthy() error {
	for _, p := range []*process{s.sim, s.gateway, s.proxy} {
		if p != nil && !p.running() {
			return fmt.Errorf("%s exited (%v); its log:\n%s", p.name, p.waitErr, p.logTail())
		}
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
