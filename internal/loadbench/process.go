package loadbench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// process is a child process of the benchmark (the simulator or the
// gateway), with its output in a log file.
type process struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	exited  chan struct{}
	waitErr error
	// group: the process leads its own process group, and stop signals
	// the whole group (a peer gateway's workers with it).
	group bool
}

// startProcess starts bin with args and env, its output appended to
// logPath. The child is killed if the benchmark dies.
func startProcess(name, bin string, args, env []string, logPath string) (*process, error) {
	return startProcessIn(name, bin, args, env, logPath, false)
}

// startProcessGroup is startProcess with the child in a process group of
// its own, which stop signals whole: for servers that may start children.
func startProcessGroup(name, bin string, args, env []string, logPath string) (*process, error) {
	return startProcessIn(name, bin, args, env, logPath, true)
}

func startProcessIn(name, bin string, args, env []string, logPath string, group bool) (*process, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: group}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, logPath: logPath, exited: make(chan struct{}), group: group}
	go func() {
		p.waitErr = cmd.Wait()
		logFile.Close()
		close(p.exited)
	}()
	return p, nil
}

func (p *process) pid() int { return p.cmd.Process.Pid }

// running reports whether the process has not exited.
func (p *process) running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// stop asks the process to shut down (SIGTERM) and kills it if it has not
// exited within grace.
func (p *process) stop(grace time.Duration) {
	if !p.running() {
		return
	}
	p.signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(grace):
		p.signal(syscall.SIGKILL)
		<-p.exited
	}
}

// signal sends sig to the process, or to its process group. (Only while
// the leader has not been reaped: its pid, the group's id, is then still
// ours.)
func (p *process) signal(sig syscall.Signal) {
	if p.group {
		_ = syscall.Kill(-p.cmd.Process.Pid, sig)
		return
	}
	_ = p.cmd.Process.Signal(sig)
}

// logTail returns the end of the process's log, for error messages.
func (p *process) logTail() string {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return ""
	}
	const max = 2000
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return strings.TrimSpace(string(b))
}

// waitReady polls url until it answers 200, the process exits, or timeout
// passes.
func (p *process) waitReady(ctx context.Context, url string, timeout time.Duration) error {
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DialContext: loopbackDialer().DialContext}}
	defer client.CloseIdleConnections()
	deadline := time.Now().Add(timeout)
	maxAttempts := max(1000, int(timeout/(50*time.Millisecond))+1)
	for attempt := 0; time.Now().Before(deadline) && attempt < maxAttempts; attempt++ {
		if !p.running() {
			return fmt.Errorf("%s exited before it was ready (%v); its log:\n%s", p.name, p.waitErr, p.logTail())
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s not ready at %s after %s; its log:\n%s", p.name, url, timeout, p.logTail())
}

// freeLoopbackAddr returns a 127.0.0.1 address with a port that was free a
// moment ago.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// errNotLoopback is returned for any attempt to dial off the machine.
var errNotLoopback = errors.New("loadbench only connects to 127.0.0.1")

// loopbackDialer dials 127.0.0.1 only: the benchmark must never send load
// anywhere else, whatever its flags say.
func loopbackDialer() *net.Dialer {
	return &net.Dialer{
		Timeout:   5 * time.Second,
		KeepAlive: 30 * time.Second,
		Control: func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil || host != "127.0.0.1" {
				return errNotLoopback
			}
			return nil
		},
	}
}

// childEnv is the benchmark's environment without the variables that would
// change what the children do (provider keys, Switchboard settings), plus
// extra.
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "SWITCHBOARD_") || strings.HasSuffix(name, "_API_KEY") || name == "GODEBUG" || name == "GOGC" || name == "GOMEMLIMIT" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}
