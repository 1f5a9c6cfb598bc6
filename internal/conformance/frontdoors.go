package conformance

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/gateway"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/anthropic"
	"github.com/switchboard-gw/switchboard/providers/openai"
	"github.com/switchboard-gw/switchboard/router"
	"github.com/switchboard-gw/switchboard/server"
	"github.com/switchboard-gw/switchboard/store/sqlite"
)

// Front door names, the keys of their rows in the deviations table.
const (
	DoorOpenAI    = "openai-shim"
	DoorAnthropic = "anthropic-messages"
	DoorConnect   = "connect"
)

// FrontDoors lists the gateway's front doors in matrix order.
var FrontDoors = []string{DoorOpenAI, DoorAnthropic, DoorConnect}

// FrontDoorTitles name the front doors in the matrix.
var FrontDoorTitles = map[string]string{
	DoorOpenAI:    "OpenAI shim",
	DoorAnthropic: "Anthropic Messages",
	DoorConnect:   "proto API (Connect)",
}

// Gateway is an in-process gateway (server.New over gateway.NewWithRouter)
// whose aliases reach the simulator through each translator, and a client
// per front door.
type Gateway struct {
	URL string
	// Doors are the front doors' clients, each an llm.Provider speaking
	// that front door's own wire format.
	Doors map[string]llm.Provider
}

// Alias is the model a front door call names. Every (translator, scenario,
// front door, mode) has its own alias and deployment, so that the health a
// fault leaves behind (a rate limit's cooldown, an open breaker) never
// affects another call.
func Alias(provider, scenario, door string, stream bool) string {
	mode := "unary"
	if stream {
		mode = "stream"
	}
	return provider + "." + scenario + "." + door + "." + mode
}

// NewGateway starts a gateway over the simulator's translators on a
// loopback httptest server, with a virtual key in a SQLite store, and
// builds the front door clients. Everything is closed when t ends.
func NewGateway(t testing.TB, s *Simulator) *Gateway {
	t.Helper()
	ctx := context.Background()
	var aliases []*router.Alias
	for _, tr := range s.Translators {
		for _, sc := range Scenarios {
			for _, door := range FrontDoors {
				for _, stream := range []bool{false, true} {
					name := Alias(tr.Name, sc.Name, door, stream)
					// No retries: a fault must reach the caller as the
					// provider reported it, once.
					aliases = append(aliases, &router.Alias{Name: name, Deployments: []*router.Deployment{{
						Name: name, ProviderName: tr.Name, Model: tr.Model, Provider: tr.Provider,
					}}})
				}
			}
		}
	}
	rt, err := router.Build(router.Config{Aliases: aliases}, router.Options{})
	if err != nil {
		t.Fatal(err)
	}

	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "switchboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	serverSecret := make([]byte, auth.ServerSecretLen)
	admin := auth.NewAdmin("sk-sbadmin-conformance-0123456789")
	keys := auth.NewKeys(st, serverSecret, auth.WithAdmin(admin))
	_, secret, err := keys.Create(ctx, auth.CreateKeyParams{Name: "conformance"})
	if err != nil {
		t.Fatal(err)
	}

	srv, err := server.New(server.Options{
		Core: gateway.NewWithRouter(rt), Keys: keys, Admin: admin,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	t.Cleanup(client.CloseIdleConnections)

	g := &Gateway{URL: hs.URL, Doors: map[string]llm.Provider{}}
	// The OpenAI and Anthropic translators are exactly those front doors'
	// client shapes: they write the wire requests the SDKs write, read the
	// JSON and SSE answers, and classify the errors from their bodies.
	oc, _ := openai.Preset("openai")
	oc.Name, oc.BaseURL, oc.APIKey, oc.HTTPClient = "gateway-openai-shim", hs.URL+"/v1", secret, client
	if g.Doors[DoorOpenAI], err = openai.New(oc); err != nil {
		t.Fatal(err)
	}
	// Structured output as output_config.format, which the Anthropic front
	// door reads as a response format, rather than as a forced tool, which
	// it would pass on as one.
	if g.Doors[DoorAnthropic], err = anthropic.New(anthropic.Config{
		Name: "gateway-anthropic-messages", BaseURL: hs.URL, APIKey: secret, HTTPClient: client, NativeStructuredOutput: true,
	}); err != nil {
		t.Fatal(err)
	}
	g.Doors[DoorConnect] = newConnectProvider(client, hs.URL, secret)
	return g
}
