package loadbench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-gw/switchboard/telemetry/overhead"
)

// The bare proxy is the benchmark's reference for what any HTTP hop costs
// on the machine: a minimal Go proxy in its own process, in front of the
// same simulator, that forwards the request body and streams the answer back
// (each read from the upstream written and flushed at once), with a pooled
// transport and nothing else: no authentication, no JSON, no routing. The
// gateway's added latency is best read next to the bare proxy's: the
// difference is what Switchboard itself costs; the rest is the extra hop
// (two more loopback round trips, process wake-ups), which no gateway
// avoids. (httputil.ReverseProxy was tried first; under this load it cut
// some streams with "use of closed network connection", so it would not
// have been a fair reference.)

// BareProxyFlag is the command-line flag that makes the loadbench binary
// run as the bare proxy (the benchmark starts itself with it).
const BareProxyFlag = "serve-bare-proxy"

// ServeBareProxy serves the bare proxy to upstream (http://127.0.0.1:port)
// on addr until ctx is done.
func ServeBareProxy(ctx context.Context, addr, upstream string) error {
	u, err := url.Parse(upstream)
	if err != nil || u.Scheme != "http" {
		return errors.New("bare proxy: upstream must be an http URL")
	}
	p := &bareProxy{upstream: strings.TrimSuffix(upstream, "/"), rec: new(overhead.Recorder), client: &http.Client{Transport: &http.Transport{
		DialContext:         loopbackDialer().DialContext,
		MaxIdleConns:        1024,
		MaxIdleConnsPerHost: 1024,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}}}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/overhead", p.serveOverhead)
	mux.Handle("/", p)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// bareProxy measures its own overhead exactly as the gateway measures its
// (package telemetry/overhead, served at GET /debug/overhead), so that the
// gateway's figures can be read against the floor of any proxy.
type bareProxy struct {
	upstream string
	client   *http.Client
	rec      *overhead.Recorder
}

func (p *bareProxy) serveOverhead(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(p.rec.Snapshot())
}

func (p *bareProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var probe overhead.Probe
	probe.Start()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ctx := probe.TraceUpstream(r.Context())
	req, err := http.NewRequestWithContext(ctx, r.Method, p.upstream+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	for _, h := range []string{"Content-Type", "Accept", "Authorization"} {
		if v := r.Header.Get(h); v != "" {
			req.Header.Set(h, v)
		}
	}
	resp, err := p.client.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	probe.Sent()
	stream := strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream")
	for k, vs := range resp.Header {
		if k != "Content-Length" && k != "Transfer-Encoding" && k != "Connection" {
			w.Header()[k] = vs
		}
	}
	w.WriteHeader(resp.StatusCode)
	flusher := http.NewResponseController(w)
	bp := readBuffers.Get().(*[]byte)
	defer readBuffers.Put(bp)
	if !stream { // read it all, then answer, as a unary call is answered
		answer, err := io.ReadAll(resp.Body)
		probe.Received()
		if _, werr := w.Write(answer); err != nil || werr != nil || flusher.Flush() != nil {
			return
		}
		probe.UnaryDone(p.rec)
		return
	}
	for {
		n, err := resp.Body.Read(*bp)
		if n > 0 {
			probe.Received()
			if _, werr := w.Write((*bp)[:n]); werr != nil {
				return
			}
			probe.ChunkWritten()
			if flusher.Flush() != nil {
				return
			}
			probe.ChunkDone(p.rec)
		}
		if err != nil {
			return
		}
	}
}
