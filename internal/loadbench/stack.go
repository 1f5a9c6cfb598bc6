package loadbench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
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

// stack is the simulator and the gateways in front of it, running.
type stack struct {
	dir      string
	sim      *process
	proxy    *process // the bare proxy, when configured
	simURL   string   // http://127.0.0.1:port
	proxyURL string
	adminKey string
	// gateway is the embedded configuration; backends are the others, in
	// the order of Config.Backends.
	gateway  *gatewayInstance
	backends []*gatewayInstance
}

// gatewayInstance is one gateway process and what a client needs to call it.
type gatewayInstance struct {
	// name is the target's name: "gateway" or "gateway/BACKEND".
	name string
	proc *process
	url  string
	// virtualKey is a real key created through the admin API, scoped to
	// GatewayAlias.
	virtualKey string
}

// gatewayConfig points the alias at the external simulator over loopback
// HTTP with the OpenAI translator, as an operator would configure a local
// OpenAI-compatible server; the built-in demo and environment providers are
// off so that nothing else is loaded. The model is priced (as gpt-4o-mini
// is) so that budgets, where a backend sets one, reserve and settle real
// amounts.
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
    pricing: {input: "0.15", output: "0.6"}
aliases:
  %s:
    deployments: [%s]
defaults:
  demo: false
  env_providers: false
`

// startStack starts the simulator, the embedded gateway, one gateway per
// backend and, when proxyBin is set, the bare proxy (proxyBin run with
// BareProxyFlag), in dir, and creates a virtual key on each gateway.
// pprofAddr, when set, enables the embedded gateway's profiler there, and
// the backends' on the ports after it (host:port+1, +2, ...).
func startStack(ctx context.Context, bin, proxyBin, dir, pprofAddr string, backends []Backend) (*stack, error) {
	s := &stack{dir: dir}
	simAddr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	s.simURL = "http://" + simAddr
	s.adminKey = "loadbench-admin-" + randomHex(16)

	s.sim, err = startProcess("simulator", bin, []string{"sim", "--addr", simAddr}, childEnv(), filepath.Join(dir, "sim.log"))
	if err != nil {
		return nil, err
	}
	if err := s.sim.waitReady(ctx, s.simURL+"/v1/models", 15*time.Second); err != nil {
		s.stop()
		return nil, err
	}
	if s.gateway, err = s.startGateway(ctx, bin, targetGateway, "", pprofAddr, nil); err != nil {
		s.stop()
		return nil, err
	}
	for i, b := range backends {
		g, err := s.startGateway(ctx, bin, targetGateway+"/"+b.Name, b.YAML, nextPort(pprofAddr, i+1), b.KeyArgs)
		if err != nil {
			s.stop()
			return nil, fmt.Errorf("backend %s: %w", b.Name, err)
		}
		s.backends = append(s.backends, g)
	}
	if proxyBin != "" {
		if err := s.startBareProxy(ctx, proxyBin); err != nil {
			s.stop()
			return nil, err
		}
	}
	return s, nil
}

// startGateway starts a gateway named name whose configuration is the
// embedded one plus extraYAML, with its own address, data directory and log.
func (s *stack) startGateway(ctx context.Context, bin, name, extraYAML, pprofAddr string, keyArgs []string) (*gatewayInstance, error) {
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	g := &gatewayInstance{name: name, url: "http://" + addr}
	file := strings.ReplaceAll(name, "/", "-")
	configPath := filepath.Join(s.dir, file+".yaml")
	cfg := fmt.Sprintf(gatewayConfig, s.simURL, GatewayAlias, UpstreamModel, GatewayAlias, GatewayAlias) + extraYAML
	if err := os.WriteFile(configPath, []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	args := []string{"serve", "--addr", addr, "--config", configPath, "--data-dir", filepath.Join(s.dir, file+"-data")}
	if pprofAddr != "" {
		args = append(args, "--pprof", pprofAddr)
	}
	g.proc, err = startProcess(name, bin, args, childEnv("SWITCHBOARD_ADMIN_KEY="+s.adminKey), filepath.Join(s.dir, file+".log"))
	if err != nil {
		return nil, err
	}
	if err := g.proc.waitReady(ctx, g.url+"/readyz", 30*time.Second); err != nil {
		g.proc.stop(10 * time.Second)
		return nil, err
	}
	if g.virtualKey, err = createKey(ctx, bin, g.url, s.adminKey, keyArgs); err != nil {
		g.proc.stop(10 * time.Second)
		return nil, err
	}
	return g, nil
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

// createKey creates a virtual key on the gateway at url the way an operator
// does, with `switchboard keys create`.
func createKey(ctx context.Context, bin, url, adminKey string, extra []string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	args := append([]string{"keys", "create", "--name", "loadbench", "--models", GatewayAlias, "--json", "--url", url}, extra...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = childEnv("SWITCHBOARD_ADMIN_KEY=" + adminKey)
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
	for _, g := range s.gateways() {
		g.proc.stop(10 * time.Second)
	}
	if s.sim != nil {
		s.sim.stop(10 * time.Second)
	}
}

// healthy returns an error naming a child that has died.
func (s *stack) healthy() error {
	procs := []*process{s.sim, s.proxy}
	for _, g := range s.gateways() {
		procs = append(procs, g.proc)
	}
	for _, p := range procs {
		if p != nil && !p.running() {
			return fmt.Errorf("%s exited (%v); its log:\n%s", p.name, p.waitErr, p.logTail())
		}
	}
	return nil
}

// gateways lists the running gateways, the embedded one first.
func (s *stack) gateways() []*gatewayInstance {
	var out []*gatewayInstance
	if s.gateway != nil {
		out = append(out, s.gateway)
	}
	return append(out, s.backends...)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// nextPort is addr with its port increased by n ("" stays "").
func nextPort(addr string, n int) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		return ""
	}
	return net.JoinHostPort(host, strconv.Itoa(p+n))
}
