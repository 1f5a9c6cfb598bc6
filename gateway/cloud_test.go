package gateway_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/gateway"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/sim"
)

const cloudAccount = "gateway-test@proj.iam.gserviceaccount.com"

// cloudUpstream is a simulator on a loopback port that knows an Azure key
// and a service account, and the account's key file (generated now).
func cloudUpstream(t *testing.T) (srv *httptest.Server, up *sim.Server, keyFile string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	up = sim.New(sim.Options{APIKey: "azure-key", GoogleServiceAccounts: map[string]*rsa.PublicKey{cloudAccount: &key.PublicKey}})
	srv = httptest.NewServer(up)
	t.Cleanup(srv.Close)
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]string{"type": "service_account", "project_id": "proj", "private_key_id": "k1",
		"private_key": string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), "client_email": cloudAccount,
		"token_uri": srv.URL + "/token"})
	keyFile = filepath.Join(t.TempDir(), "sa.json")
	if err := os.WriteFile(keyFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return srv, up, keyFile
}

func cloudConfig(url, keyFile string) string {
	return `
defaults: {demo: false}
providers:
  azure:
    kind: azure
    api_key: env:AZURE_KEY
    azure: {endpoint: "` + url + `"}
  vertex:
    kind: vertex
    vertex: {location: us-central1, service_account_file: "` + keyFile + `", endpoint: "` + url + `"}
deployments:
  gpt:   {provider: azure, model: gpt4o-prod}
  embed: {provider: azure, model: embed-small}
  flash: {provider: vertex, model: gemini-2.5-flash}
aliases:
  azure-chat:  {deployments: [gpt]}
  azure-embed: {deployments: [embed]}
  vertex-chat: {deployments: [flash]}
`
}

func TestAzureAndVertexThroughTheGateway(t *testing.T) {
	srv, up, keyFile := cloudUpstream(t)
	gw, err := gateway.New(parse(t, cloudConfig(srv.URL, keyFile), "AZURE_KEY", "azure-key"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, alias := range []string{"azure-chat", "vertex-chat"} {
		t.Run(alias, func(t *testing.T) {
			resp, err := gw.Complete(ctx, anyKey, userReq(alias, `[[sim reply="served"]] hi`))
			if err != nil {
				t.Fatal(err)
			}
			if resp.Choices[0].Message.Text() != "served" {
				t.Fatalf("response %+v", resp)
			}
			s, err := gw.Stream(ctx, anyKey, userReq(alias, `[[sim reply="served"]] hi`))
			if err != nil {
				t.Fatal(err)
			}
			streamed, err := llm.Collect(s)
			if err != nil || streamed.Choices[0].Message.Text() != "served" {
				t.Fatalf("stream %+v, %v", streamed, err)
			}
		})
	}
	if _, err := gw.Embed(ctx, anyKey, &llm.EmbedRequest{Model: "azure-embed", Inputs: []string{"x"}}); err != nil {
		t.Errorf("embeddings: %v", err)
	}
	if n := up.Served().AccessTokens; n != 1 {
		t.Errorf("%d access tokens minted, want 1", n)
	}
}

func TestCloudProviderBuildErrors(t *testing.T) {
	srv, _, keyFile := cloudUpstream(t)
	yml := cloudConfig(srv.URL, keyFile)
	cases := []struct {
		name, yml, want string
		env             []string
	}{
		{"missing key file", strings.Replace(yml, keyFile, keyFile+".missing", 1), "providers.vertex: vertex.service_account_file", []string{"AZURE_KEY", "k"}},
		{"not a key file", strings.Replace(yml, `service_account_file: "`+keyFile+`"`, "credentials: env:SA", 1), "providers.vertex: vertex provider \"vertex\": service account", []string{"AZURE_KEY", "k", "SA", `{"type":"service_account","client_email":"a@b","private_key":"-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"}`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := gateway.New(parse(t, c.yml, c.env...))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one with %q", err, c.want)
			}
			if strings.Contains(err.Error(), "MIIB") {
				t.Errorf("the error quotes the key: %v", err)
			}
		})
	}
}
