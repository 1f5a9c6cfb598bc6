package gateway

import (
	"context"
	"fmt"
	"os"

	"github.com/switchboard-gw/switchboard/gateway/config"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/azure"
	"github.com/switchboard-gw/switchboard/providers/vertex"
	"github.com/switchboard-gw/switchboard/secrets"
)

// newAzureProvider builds an Azure OpenAI provider. Its credential is the
// api_key (a resource key, sent as api-key; a deployment's api_keys pool
// sets it) or else azure.bearer_token (an Entra ID token, sent as a bearer
// token); either refreshes like every provider key when it comes from
// Vault.
func newAzureProvider(name string, pc *config.Provider, resolver secrets.Resolver) (llm.Provider, error) {
	a := pc.Azure
	if a == nil {
		return nil, fmt.Errorf("azure: the azure section is required")
	}
	ref, auth, field := pc.APIKey, azure.AuthAPIKey, "api_key"
	if ref == "" {
		ref, auth, field = a.BearerToken, azure.AuthBearer, "azure.bearer_token"
	}
	key, cred, err := providerKey(context.Background(), resolver, ref)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", field, err)
	}
	ac := azure.Config{
		Name:           name,
		Endpoint:       a.Endpoint,
		APIVersion:     a.APIVersion,
		Auth:           auth,
		APIKey:         key,
		Headers:        pc.Headers,
		HTTPClient:     httpClientFor(pc),
		MaxTokensField: a.MaxTokensField,
	}
	if a.Route == config.AzureRouteV1 {
		ac.Route = azure.RouteV1
	}
	if cred != nil {
		ac.Credential = cred.Get
	}
	p, err := azure.New(ac)
	if err != nil {
		return nil, err
	}
	return withCredentialRefresh(p, cred), nil
}

// newVertexProvider builds a Vertex AI provider from its service-account
// key, read once from vertex.service_account_file or vertex.credentials (a
// reload of the configuration reads it again).
func newVertexProvider(name string, pc *config.Provider, resolver secrets.Resolver) (llm.Provider, error) {
	v := pc.Vertex
	if v == nil {
		return nil, fmt.Errorf("vertex: the vertex section is required")
	}
	var key []byte
	if v.ServiceAccountFile != "" {
		b, err := os.ReadFile(v.ServiceAccountFile)
		if err != nil {
			return nil, fmt.Errorf("vertex.service_account_file: %w", err)
		}
		key = b
	} else {
		s, err := resolver.Resolve(context.Background(), v.Credentials)
		if err != nil {
			return nil, fmt.Errorf("vertex.credentials: %w", err)
		}
		key = []byte(s)
	}
	return vertex.New(vertex.Config{
		Name:               name,
		Project:            v.Project,
		Location:           v.Location,
		Endpoint:           v.Endpoint,
		APIVersion:         v.APIVersion,
		ServiceAccountJSON: key,
		TokenURI:           v.TokenURI,
		Headers:            pc.Headers,
		HTTPClient:         httpClientFor(pc),
	})
}
