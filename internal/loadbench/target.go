package loadbench

import (
	"net/http"
	"strings"
	"time"
)

// target is where a run sends its requests: the simulator directly or the
// gateway.
type target struct {
	// name is "direct" or "gateway".
	name string
	// url is the chat completions endpoint.
	url string
	// model is the model name to ask for there.
	model string
	// authorization is the Authorization header value ("" for none).
	authorization string
	// gw is the gateway behind url (nil for the simulator and the bare
	// proxy).
	gw *gatewayInstance
	// header holds further request headers, canonical keys (a peer's
	// routing headers); nil for none.
	header http.Header
	// peer is the peer gateway behind url (nil for the others).
	peer *peerInstance
}

// isGateway reports whether a target name is a gateway's: the embedded one
// ("gateway") or a backend's ("gateway/NAME").
func isGateway(name string) bool {
	return name == targetGateway || strings.HasPrefix(name, targetGateway+"/")
}

const (
	targetDirect    = "direct"
	targetBareProxy = "bare proxy"
	targetGateway   = "gateway"
)

// targets lists where each load scenario runs, in order: the simulator, the
// bare proxy (when there is one) and the gateway.
func (s *stack) targets() []target {
	ts := []target{{name: targetDirect, url: s.simURL + "/v1/chat/completions", model: UpstreamModel}}
	if s.proxyURL != "" {
		ts = append(ts, target{name: targetBareProxy, url: s.proxyURL + "/v1/chat/completions", model: UpstreamModel})
	}
	for _, g := range s.gateways() {
		ts = append(ts, target{name: g.name, url: g.url + "/v1/chat/completions", model: GatewayAlias, authorization: "Bearer " + g.virtualKey, gw: g})
	}
	return ts
}

// newClient returns an HTTP/1.1 client tuned for load on few hosts:
// keep-alive pools as large as the concurrency, no compression, a bounded
// wait for response headers, loopback only. maxConns 0 means no limit on
// connections per host.
func newClient(maxConns, idleConns int) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext:           loopbackDialer().DialContext,
		MaxIdleConns:          idleConns,
		MaxIdleConnsPerHost:   idleConns,
		MaxConnsPerHost:       maxConns,
		IdleConnTimeout:       60 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		DisableCompression:    true,
		WriteBufferSize:       8 << 10,
		ReadBufferSize:        16 << 10,
	}}
}
