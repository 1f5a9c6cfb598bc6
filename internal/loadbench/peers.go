package loadbench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Peer gateways: other LLM gateways that users run, installed from their
// package registries (scripts/peers-install.sh, what `make bench-peers`
// runs), so that the ratio of Switchboard to them is measured in the same
// invocation, on the same machine and the same simulator, instead of quoted.
const (
	// PeerPortkey is the Portkey AI Gateway (npm @portkey-ai/gateway), a
	// Node server, told where the upstream is by request headers.
	PeerPortkey = "portkey"
	// PeerLiteLLM is the LiteLLM proxy (PyPI litellm[proxy]), a Python
	// server (FastAPI on uvicorn), configured by a YAML model list.
	PeerLiteLLM = "litellm"
)

// PeerNames lists the peers the benchmark can run, in the order they run.
var PeerNames = []string{PeerPortkey, PeerLiteLLM}

// isPeer reports whether a target name is a peer's.
func isPeer(name string) bool { return slices.Contains(PeerNames, name) }

// Peer is a peer gateway to measure, installed where Bin is.
type Peer struct {
	// Name is one of PeerNames; it labels the peer's rows.
	Name string
	// Bin is its server's executable: Portkey's node_modules/.bin/gateway,
	// LiteLLM's virtualenv bin/litellm. Empty or missing: the peer is
	// reported as not installed and the benchmark runs without it.
	Bin string
}

// ParsePeers turns a comma-separated list of peer names (the -peers flag)
// and the executables by name into the peers to measure, in the order of
// PeerNames. An empty list is no peer; an unknown or repeated name is an
// error.
func ParsePeers(list string, bins map[string]string) ([]Peer, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	want := map[string]bool{}
	var errs []error
	for name := range strings.SplitSeq(list, ",") {
		name = strings.TrimSpace(name)
		switch {
		case !isPeer(name):
			errs = append(errs, fmt.Errorf("unknown peer %q (want one of %s)", name, strings.Join(PeerNames, ", ")))
		case want[name]:
			errs = append(errs, fmt.Errorf("peer %q named twice", name))
		}
		want[name] = true
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var out []Peer
	for _, name := range PeerNames {
		if want[name] {
			out = append(out, Peer{Name: name, Bin: bins[name]})
		}
	}
	return out, nil
}

// PeerInfo describes a peer in the report.
type PeerInfo struct {
	Name string
	// Version is its package's version, read from the installation.
	Version string
	// Setup is how it ran: package, runtime, settings.
	Setup string
	// Skipped says why it was not measured (not installed, did not start),
	// or since when it was not (it exited).
	Skipped string
}

// peerInstance is a running peer.
type peerInstance struct {
	info   PeerInfo
	proc   *process
	target target
	// exited is set once the peer has been found dead after a run: its
	// later scenarios are skipped.
	exited bool
}

// peerStartTimeout bounds a peer's start. LiteLLM imports a large Python
// application before it listens: about 10 s on an idle 2-core machine,
// several times that while other work runs.
const peerStartTimeout = 3 * time.Minute

// startPeers starts each peer of cfg in front of the simulator at simURL,
// with its configuration and log in dir. A peer that is not installed or
// does not start is described as skipped, never an error: the benchmark
// runs without it.
func startPeers(ctx context.Context, cfg *Config, simURL, dir string) ([]*peerInstance, []PeerInfo) {
	var running []*peerInstance
	var infos []PeerInfo
	for _, p := range cfg.Peers {
		info := PeerInfo{Name: p.Name, Version: "version unknown"}
		if p.Bin == "" {
			info.Skipped = fmt.Sprintf("no executable given (-%s-bin); `make bench-peers` installs it", p.Name)
			infos = append(infos, info)
			continue
		}
		if _, err := os.Stat(p.Bin); err != nil {
			info.Skipped = fmt.Sprintf("not installed at %s (`make bench-peers` installs it with scripts/peers-install.sh)", p.Bin)
			infos = append(infos, info)
			continue
		}
		cfg.progress("starting peer %s (%s)", p.Name, p.Bin)
		var (
			pi  *peerInstance
			err error
		)
		switch p.Name {
		case PeerPortkey:
			pi, err = startPortkey(ctx, p, simURL, dir)
		case PeerLiteLLM:
			pi, err = startLiteLLM(ctx, p, simURL, dir)
		}
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			info.Version, info.Setup = peerVersion(p), peerSetup(p)
			info.Skipped = fmt.Sprintf("did not start: %v", err)
			cfg.progress("peer %s did not start: %v", p.Name, err)
			infos = append(infos, info)
			continue
		}
		cfg.progress("peer %s %s at %s (pid %d)", p.Name, pi.info.Version, pi.target.url, pi.proc.pid())
		running = append(running, pi)
		infos = append(infos, pi.info)
	}
	return running, infos
}

func stopPeers(peers []*peerInstance) {
	for _, p := range peers {
		p.proc.stop(10 * time.Second)
	}
}

// portkeyUpstreamHeaders route a request through Portkey to an
// OpenAI-compatible server at baseURL, as its documentation shows for a
// self-hosted model: the provider's request format, a custom host. The key
// is passed on to the upstream, which ignores it.
func portkeyUpstreamHeaders(baseURL string) http.Header {
	return http.Header{
		"X-Portkey-Provider":    {"openai"},
		"X-Portkey-Custom-Host": {baseURL},
	}
}

// startPortkey runs Portkey's Node server as `npx @portkey-ai/gateway`
// does, on defaults (its console log, its request log for the UI), on a
// port of ours (it listens on every interface: it has no flag for the
// address).
func startPortkey(ctx context.Context, p Peer, simURL, dir string) (*peerInstance, error) {
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	_, port, _ := net.SplitHostPort(addr)
	proc, err := startProcessGroup(p.Name, p.Bin, []string{"--port=" + port}, childEnv(), filepath.Join(dir, "portkey.log"))
	if err != nil {
		return nil, err
	}
	url := "http://" + addr
	if err := proc.waitReady(ctx, url+"/", peerStartTimeout); err != nil { // "AI Gateway says hey!"
		proc.stop(10 * time.Second)
		return nil, err
	}
	return &peerInstance{
		info: PeerInfo{Name: p.Name, Version: peerVersion(p), Setup: peerSetup(p)},
		proc: proc,
		target: target{
			name: p.Name, url: url + "/v1/chat/completions", model: UpstreamModel,
			authorization: "Bearer loadbench", header: portkeyUpstreamHeaders(simURL + "/v1"),
		},
	}, nil
}

// litellmConfig maps the model name clients send to the simulator, through
// LiteLLM's OpenAI provider. No master key and no database: LiteLLM then
// checks no key and writes no spend, its lightest configuration.
const litellmConfig = `# written by loadbench
model_list:
  - model_name: %s
    litellm_params:
      model: openai/%s
      api_base: %s/v1
      api_key: loadbench
`

// LiteLLMWorkers is the number of worker processes LiteLLM runs: its
// default, one.
const LiteLLMWorkers = 1

// startLiteLLM runs the LiteLLM proxy with a model list pointing at the
// simulator, one uvicorn worker (its default), on loopback.
func startLiteLLM(ctx context.Context, p Peer, simURL, dir string) (*peerInstance, error) {
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	host, port, _ := net.SplitHostPort(addr)
	configPath := filepath.Join(dir, "litellm.yaml")
	cfg := fmt.Sprintf(litellmConfig, GatewayAlias, UpstreamModel, simURL)
	if err := os.WriteFile(configPath, []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	args := []string{"--config", configPath, "--host", host, "--port", port, "--num_workers", fmt.Sprint(LiteLLMWorkers)}
	// The model cost map is read from the package, not fetched from the
	// internet at start (which this machine cannot reach: the fetch would
	// only time out). Nothing on the request path changes.
	env := childEnv("LITELLM_LOCAL_MODEL_COST_MAP=True")
	proc, err := startProcessGroup(p.Name, p.Bin, args, env, filepath.Join(dir, "litellm.log"))
	if err != nil {
		return nil, err
	}
	url := "http://" + addr
	if err := proc.waitReady(ctx, url+"/health/readiness", peerStartTimeout); err != nil {
		proc.stop(10 * time.Second)
		return nil, err
	}
	return &peerInstance{
		info:   PeerInfo{Name: p.Name, Version: peerVersion(p), Setup: peerSetup(p)},
		proc:   proc,
		target: target{name: p.Name, url: url + "/v1/chat/completions", model: GatewayAlias},
	}, nil
}

// peerVersion reads the installed version of a peer's package from its
// installation, without running it: Portkey's package.json next to the
// server script its executable links to; LiteLLM's dist-info folder in the
// virtualenv.
func peerVersion(p Peer) string {
	switch p.Name {
	case PeerPortkey:
		if v := packageJSONVersion(portkeyPackageDir(p.Bin)); v != "" {
			return v
		}
	case PeerLiteLLM:
		if v := distInfoVersion(filepath.Dir(filepath.Dir(p.Bin)), "litellm"); v != "" {
			return v
		}
	}
	return "version unknown"
}

// peerSetup describes how a peer runs, for the report's header.
func peerSetup(p Peer) string {
	switch p.Name {
	case PeerPortkey:
		setup := "npm @portkey-ai/gateway on Node " + nodeVersion()
		if v := packageJSONVersion(filepath.Join(filepath.Dir(filepath.Dir(portkeyPackageDir(p.Bin))), "@hono", "node-server")); v != "" {
			setup += ", @hono/node-server " + v
		}
		return setup + ", defaults (console log, request log for its UI)"
	case PeerLiteLLM:
		setup := "PyPI litellm[proxy]"
		if v := venvPythonVersion(filepath.Dir(filepath.Dir(p.Bin))); v != "" {
			setup += " on Python " + v
		}
		return setup + fmt.Sprintf(", uvicorn, %d worker, no master key, no database, defaults otherwise", LiteLLMWorkers)
	}
	return ""
}

// portkeyPackageDir is the folder of the @portkey-ai/gateway package whose
// build/start-server.js bin links to.
func portkeyPackageDir(bin string) string {
	real, err := filepath.EvalSymlinks(bin)
	if err != nil {
		return ""
	}
	return filepath.Dir(filepath.Dir(real))
}

func packageJSONVersion(dir string) string {
	if dir == "" {
		return ""
	}
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return ""
	}
	var pkg struct {
		Version string `json:"version"`
	}
	if json.Unmarshal(b, &pkg) != nil {
		return ""
	}
	return pkg.Version
}

// distInfoVersion finds the version of an installed Python distribution
// from its dist-info folder name (NAME-VERSION.dist-info) in a virtualenv.
func distInfoVersion(venv, dist string) string {
	matches, _ := filepath.Glob(filepath.Join(venv, "lib", "python*", "site-packages", dist+"-*.dist-info"))
	for _, m := range matches {
		v := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(m), dist+"-"), ".dist-info")
		if v != "" && v[0] >= '0' && v[0] <= '9' {
			return v
		}
	}
	return ""
}

// venvPythonVersion reads the interpreter version a virtualenv was made
// with from its pyvenv.cfg.
func venvPythonVersion(venv string) string {
	b, err := os.ReadFile(filepath.Join(venv, "pyvenv.cfg"))
	if err != nil {
		return ""
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		name, value, ok := strings.Cut(line, "=")
		if ok && (strings.TrimSpace(name) == "version" || strings.TrimSpace(name) == "version_info") {
			return strings.TrimSpace(value)
		}
	}
	return ""
}

// nodeVersion is the version of the node on PATH, which Portkey's
// executable runs (#!/usr/bin/env node).
func nodeVersion() string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "node", "--version").Output()
	if err != nil {
		return "(version unknown)"
	}
	return strings.TrimSpace(string(out))
}

// peerTargets lists the targets of the peers still running.
func peerTargets(peers []*peerInstance) []target {
	var out []target
	for _, p := range peers {
		if !p.exited {
			t := p.target
			t.peer = p
			out = append(out, t)
		}
	}
	return out
}

// checkPeer notes a peer that died during scenario sc and leaves it out of
// the later scenarios: a peer's failure never stops the benchmark.
func (b *bench) checkPeer(p *peerInstance, sc Scenario) {
	if p.proc.running() {
		return
	}
	p.exited = true
	why := fmt.Sprintf("exited during %s (%v), not measured after it", sc.Title(), p.proc.waitErr)
	for i := range b.rep.Peers {
		if b.rep.Peers[i].Name == p.info.Name {
			b.rep.Peers[i].Skipped = why
		}
	}
	b.note("peer %s %s; the end of its log:\n%s", p.info.Name, why, p.proc.logTail())
}
