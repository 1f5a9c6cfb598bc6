package vertex_test

import (
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/providers/vertex"
)

func TestBaseURL(t *testing.T) {
	const models = "/publishers/google"
	cases := []struct {
		endpoint, version, project, location, want string
	}{
		{"", "", "p1", "us-central1", "https://us-central1-aiplatform.googleapis.com/v1/projects/p1/locations/us-central1" + models},
		{"", "v1beta1", "p1", "europe-west4", "https://europe-west4-aiplatform.googleapis.com/v1beta1/projects/p1/locations/europe-west4" + models},
		{"", "", "p1", "global", "https://aiplatform.googleapis.com/v1/projects/p1/locations/global" + models},
		{"http://127.0.0.1:9000", "", "p1", "us-east5", "http://127.0.0.1:9000/v1/projects/p1/locations/us-east5" + models},
		{"https://proxy.example.com/vertex/", "", "p1", "us-east5", "https://proxy.example.com/vertex/v1/projects/p1/locations/us-east5" + models},
	}
	for _, c := range cases {
		got, err := vertex.BaseURL(c.endpoint, c.version, c.project, c.location)
		if err != nil || got != c.want {
			t.Errorf("BaseURL(%q, %q, %q, %q) = %q, %v; want %q", c.endpoint, c.version, c.project, c.location, got, err, c.want)
		}
	}
	bad := []struct{ endpoint, project, location, want string }{
		{"", "", "us-central1", "project is required"},
		{"", "p/../x", "us-central1", "project"},
		{"", "p1", "", "location is required"},
		{"", "p1", "US-Central1", "not a region"},
		{"", "p1", "us-central1/x", "not a region"},
		{"ftp://host", "p1", "us-central1", "endpoint"},
		{"https://host?x=1", "p1", "us-central1", "endpoint"},
	}
	for _, c := range bad {
		if _, err := vertex.BaseURL(c.endpoint, "", c.project, c.location); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("BaseURL(%q, %q, %q) error %v, want one mentioning %q", c.endpoint, c.project, c.location, err, c.want)
		}
	}
}

func TestParseServiceAccount(t *testing.T) {
	good := keyFile(t, testKey(t, 0), "")
	sa, err := vertex.ParseServiceAccount(good)
	if err != nil {
		t.Fatal(err)
	}
	if sa.ClientEmail != testEmail || sa.ProjectID != testProject || sa.TokenURI != vertex.DefaultTokenURI {
		t.Errorf("parsed %+v", sa)
	}
	if s := sa.String(); strings.Contains(s, "PRIVATE") || !strings.Contains(s, testEmail) {
		t.Errorf("String() = %q", s)
	}
	replace := func(old, new string) []byte { return []byte(strings.Replace(string(good), old, new, 1)) }
	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"not JSON", []byte(`{"type": "service_account", "private_key": "-----BEGIN`), "not valid JSON"},
		{"user credentials", replace(`"type":"service_account"`, `"type":"authorized_user"`), `type is "authorized_user"`},
		{"no email", replace(`"client_email":"`+testEmail+`"`, `"client_email":""`), "client_email is missing"},
		{"no key", []byte(`{"type":"service_account","client_email":"a@b.c"}`), "private_key is missing"},
		{"not PEM", []byte(`{"type":"service_account","client_email":"a@b.c","private_key":"MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"}`), "not a PEM-encoded key"},
		{"bad token_uri", replace(`"token_uri":""`, `"token_uri":"oauth2.googleapis.com"`), "token_uri"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := vertex.ParseServiceAccount(c.file)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one mentioning %q", err, c.want)
			}
			if strings.Contains(err.Error(), "MII") || strings.Contains(err.Error(), "BEGIN") {
				t.Fatalf("the error quotes the key: %v", err)
			}
		})
	}
}

func TestNewNeedsAKeyAndAPlace(t *testing.T) {
	key := keyFile(t, testKey(t, 0), "")
	cases := []struct {
		cfg  vertex.Config
		want string
	}{
		{vertex.Config{Location: "us-central1", ServiceAccountJSON: key}, "Name is required"},
		{vertex.Config{Name: "v", Location: "us-central1"}, "ServiceAccountJSON"},
		{vertex.Config{Name: "v", ServiceAccountJSON: key}, "location is required"},
		{vertex.Config{Name: "v", Location: "us-central1", ServiceAccountJSON: key, TokenURI: "not a url"}, "TokenURI"},
	}
	for _, c := range cases {
		if _, err := vertex.New(c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%+v) error %v, want one mentioning %q", c.cfg.Name, err, c.want)
		}
	}
	// The project defaults to the service account's.
	p, err := vertex.New(vertex.Config{Name: "v", Location: "global", ServiceAccountJSON: key})
	if err != nil {
		t.Fatal(err)
	}
	if want := "https://aiplatform.googleapis.com/v1/projects/" + testProject + "/locations/global/publishers/google"; p.BaseURL() != want {
		t.Errorf("BaseURL %q, want %q", p.BaseURL(), want)
	}
}
