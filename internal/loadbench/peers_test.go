package loadbench_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/internal/loadbench"
)

func TestParsePeers(t *testing.T) {
	bins := map[string]string{loadbench.PeerPortkey: "/p/gateway", loadbench.PeerLiteLLM: "/l/litellm"}
	if peers, err := loadbench.ParsePeers("", bins); err != nil || peers != nil {
		t.Fatalf("no list: %v, %v", peers, err)
	}
	// Listed in any order, run in the order of PeerNames, each with its
	// executable.
	peers, err := loadbench.ParsePeers(" litellm,portkey", bins)
	want := []loadbench.Peer{{Name: "portkey", Bin: "/p/gateway"}, {Name: "litellm", Bin: "/l/litellm"}}
	if err != nil || !slices.Equal(peers, want) {
		t.Fatalf("got %v, %v; want %v", peers, err, want)
	}
	// A peer without an executable is kept: the benchmark reports it as not
	// installed rather than refusing to run.
	if peers, err := loadbench.ParsePeers("portkey", nil); err != nil || len(peers) != 1 || peers[0].Bin != "" {
		t.Fatalf("portkey without a path: %v, %v", peers, err)
	}
	for _, bad := range []string{"kong", "portkey,portkey", "portkey,"} {
		if _, err := loadbench.ParsePeers(bad, bins); err == nil {
			t.Errorf("ParsePeers(%q) accepted", bad)
		}
	}
}

func TestConfigValidatesPeers(t *testing.T) {
	cfg := loadbench.DefaultConfig()
	cfg.Binary = "switchboard"
	cfg.Peers = []loadbench.Peer{{Name: loadbench.PeerLiteLLM}}
	if err := loadbench.ValidateConfig(cfg); err != nil {
		t.Fatal(err)
	}
	cfg.Peers = append(cfg.Peers, loadbench.Peer{Name: "envoy"}, loadbench.Peer{Name: loadbench.PeerLiteLLM})
	err := loadbench.ValidateConfig(cfg)
	if err == nil || !strings.Contains(err.Error(), `"envoy"`) || !strings.Contains(err.Error(), `"litellm"`) {
		t.Fatalf("error %v does not name the unknown and the repeated peer", err)
	}
}

// A peer that is not installed, or that dies before it is ready, is
// described as not measured; nothing fails.
func TestPeersThatCannotRunAreReportedNotFatal(t *testing.T) {
	dir := t.TempDir()
	cfg := loadbench.DefaultConfig()
	cfg.Peers = []loadbench.Peer{
		{Name: loadbench.PeerPortkey, Bin: filepath.Join(dir, "missing", "gateway")},
		{Name: loadbench.PeerLiteLLM, Bin: "/bin/false"}, // starts, exits at once
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	infos := loadbench.StartPeers(ctx, cfg, "http://127.0.0.1:1", dir)
	if len(infos) != 2 {
		t.Fatalf("infos %+v", infos)
	}
	if !strings.Contains(infos[0].Skipped, "not installed") {
		t.Errorf("portkey: %q", infos[0].Skipped)
	}
	if !strings.Contains(infos[1].Skipped, "did not start") || !strings.Contains(infos[1].Skipped, "exited before it was ready") {
		t.Errorf("litellm: %q", infos[1].Skipped)
	}
}

// Versions are read from the installations as scripts/peers-install.sh
// lays them out, without running anything.
func TestPeerVersionFromInstallation(t *testing.T) {
	dir := t.TempDir()
	pkg := filepath.Join(dir, "portkey", "node_modules", "@portkey-ai", "gateway")
	write(t, filepath.Join(pkg, "package.json"), `{"name":"@portkey-ai/gateway","version":"9.8.7"}`)
	write(t, filepath.Join(pkg, "build", "start-server.js"), "")
	bin := filepath.Join(dir, "portkey", "node_modules", ".bin", "gateway")
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../@portkey-ai/gateway/build/start-server.js", bin); err != nil {
		t.Fatal(err)
	}
	if v := loadbench.PeerVersion(loadbench.Peer{Name: loadbench.PeerPortkey, Bin: bin}); v != "9.8.7" {
		t.Errorf("portkey version %q", v)
	}

	venv := filepath.Join(dir, "litellm")
	write(t, filepath.Join(venv, "lib", "python3.11", "site-packages", "litellm-1.2.3.dist-info", "METADATA"), "")
	write(t, filepath.Join(venv, "lib", "python3.11", "site-packages", "litellm_enterprise-0.1.dist-info", "METADATA"), "")
	write(t, filepath.Join(venv, "bin", "litellm"), "")
	if v := loadbench.PeerVersion(loadbench.Peer{Name: loadbench.PeerLiteLLM, Bin: filepath.Join(venv, "bin", "litellm")}); v != "1.2.3" {
		t.Errorf("litellm version %q", v)
	}
	if v := loadbench.PeerVersion(loadbench.Peer{Name: loadbench.PeerLiteLLM, Bin: "/nowhere/bin/litellm"}); v != "version unknown" {
		t.Errorf("missing installation: %q", v)
	}
}

// A peer's CPU and memory are those of its whole process tree.
func TestProcessTreeIncludesChildren(t *testing.T) {
	child := exec.Command("sleep", "30")
	if err := child.Start(); err != nil {
		t.Skip("no sleep command:", err)
	}
	defer func() { _ = child.Process.Kill(); _ = child.Wait() }()
	tree := loadbench.ProcessTree(os.Getpid())
	if tree[0] != os.Getpid() || !slices.Contains(tree, child.Process.Pid) {
		t.Fatalf("tree %v lacks %d", tree, child.Process.Pid)
	}
	own, _, err := loadbench.MemoryStatus(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if sum, err := loadbench.TreePeakRSS(os.Getpid()); err != nil || sum <= own {
		t.Fatalf("tree peak %d, own %d, err %v", sum, own, err)
	}
}

// Peers get rows like the gateway's: ratios to direct, what they add, their
// CPU and memory, the comparison with the gateway, and their versions.
func TestReportShowsPeers(t *testing.T) {
	cfg := loadbench.DefaultConfig()
	sc := loadbench.Scenarios(cfg)
	ms := time.Millisecond
	run := func(s loadbench.Scenario, target string, throughput float64, p50 time.Duration, cpu time.Duration) loadbench.RunResult {
		r := loadbench.RunResult{Scenario: s, Target: target, OK: int(throughput) * 10, Throughput: throughput, Window: 10 * time.Second,
			GatewayCPU: cpu, GatewayPeakRSS: 100 << 20}
		r.Latency.P50, r.Latency.P99, r.TTFB.P50 = p50, 2*p50, p50
		return r
	}
	rep := &loadbench.Report{Config: cfg,
		Peers: []loadbench.PeerInfo{
			{Name: "portkey", Version: "1.15.2", Setup: "npm @portkey-ai/gateway on Node v20"},
			{Name: "litellm", Version: "1.100.5", Skipped: "not installed at /x"},
		},
		Runs: []loadbench.RunResult{
			run(sc[0], loadbench.TargetDirect, 10000, 2*ms, 0),
			run(sc[0], loadbench.TargetGateway, 4000, 5*ms, 4*time.Second),
			run(sc[0], loadbench.PeerPortkey, 800, 50*ms, 9*time.Second),
			run(sc[1], loadbench.TargetDirect, 500, ms/2, 0),
			run(sc[1], loadbench.TargetGateway, 500, ms, 3*time.Second),
			run(sc[1], loadbench.PeerPortkey, 500, 3*time.Second, 7*time.Second),
		}}
	rep.Runs[5].Drain = 4 * time.Second // portkey fell behind 500 req/s
	var out bytes.Buffer
	rep.Print(&out)
	text := out.String()
	for _, want := range []string{
		"portkey 1.15.2: npm @portkey-ai/gateway on Node v20",
		"litellm 1.100.5; NOT MEASURED: not installed at /x",
		"portkey/direct", "0.08x", // 800 of 10000
		"added by portkey", "+48.0ms",
		"1.12ms", // portkey's CPU per answer: 9 s over 8000 answers
		"5.00x",  // the gateway serves 5 times portkey's answers
		"100.0 MiB",
		"Switchboard and its peers",
		"fell behind the open loop's rate", "unary, 500 req/s: portkey (last answer 4.00s after the window)",
		"queued",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "1.40ms") { // 7 s over 5000 answers: not its cost
		t.Errorf("a saturated run's CPU per answer is printed:\n%s", text)
	}
	// The targets stay about the gateway.
	for _, c := range rep.Targets() {
		if strings.Contains(c.Target, "portkey") {
			t.Errorf("a target judges a peer: %+v", c)
		}
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
