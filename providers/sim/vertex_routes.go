package sim

import (
	"net/http"
	"strings"
	"time"

	"github.com/switchboard-gw/switchboard/providers/gemini/wire"
)

// Vertex AI's routes for Gemini models, on the Gemini dialect:
//
//	POST /{v1,v1beta1}/projects/{project}/locations/{location}/publishers/google/models/{model}:generateContent
//	POST /{v1,v1beta1}/projects/{project}/locations/{location}/publishers/google/models/{model}:streamGenerateContent?alt=sse
//
// and POST /token, Google's OAuth2 token endpoint (vertex_token.go). The
// answers are the Gemini dialect's, with Vertex AI's differences:
//
//   - Authentication by OAuth2 access token: "Authorization: Bearer
//     <token>". With Options.GoogleServiceAccounts set the token must be
//     one POST /token issued, unexpired and not revoked
//     (Server.RevokeAccessTokens); else, with Options.APIKey set, it must
//     be that key; else any token is accepted. A missing token is the real
//     401 with reason CREDENTIALS_MISSING, a bad one 401
//     ACCESS_TOKEN_TYPE_UNSUPPORTED, an expired or revoked one 401
//     ACCESS_TOKEN_EXPIRED.
//   - Every content must have a role: "Please use a valid role: user,
//     model." otherwise, as Vertex AI answers (the Gemini API defaults it).
//   - Answers add usageMetadata.trafficType and createTime.
//   - Faults use Vertex AI's wording: 404 "Publisher Model `projects/...`
//     was not found or your project does not have access to it", 429
//     "Resource exhausted. Please try again later." without quota details,
//     403 IAM_PERMISSION_DENIED.

// vertexPrefixes are the paths the Vertex routes own.
var vertexPrefixes = []string{"/v1/projects/", "/v1beta1/projects/"}

func (s *Server) registerVertex() {
	for _, p := range vertexPrefixes {
		s.prefixRoutes = append(s.prefixRoutes, prefixRoute{prefix: p, handler: s.vertexRoute})
	}
	s.routes["/token"] = s.googleToken
}

// vertexCall is what the URL of a Vertex AI request says.
type vertexCall struct {
	version, project, location string
}

// resource is the publisher model's resource name.
func (vc *vertexCall) resource(model string) string {
	return "projects/" + vc.project + "/locations/" + vc.location + "/publishers/google/models/" + model
}

// vertexRoute dispatches a path under /{version}/projects/.
func (s *Server) vertexRoute(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	version, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/projects/")
	parts := strings.Split(rest, "/")
	notFound := func() {
		s.writeGeminiError(w, &geminiError{status: http.StatusNotFound, message: "The requested URL " + r.URL.Path + " was not found on this server."}, false, start)
	}
	if len(parts) != 7 || parts[1] != "locations" || parts[3] != "publishers" || parts[4] != "google" || parts[5] != "models" ||
		parts[0] == "" || parts[2] == "" {
		notFound()
		return
	}
	vc := &vertexCall{version: version, project: parts[0], location: parts[2]}
	model, method, ok := strings.Cut(parts[6], ":")
	if !ok || model == "" || r.Method != http.MethodPost {
		notFound()
		return
	}
	switch method {
	case "generateContent":
		s.generateContent(w, r, model, false, start, vc)
	case "streamGenerateContent":
		s.generateContent(w, r, model, true, start, vc)
	default:
		notFound()
	}
}

// vertexAuthorized checks the bearer token and answers Vertex AI's 401 when
// it is missing or not valid.
func (s *Server) vertexAuthorized(w http.ResponseWriter, r *http.Request, sse bool, start time.Time) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	tok = strings.TrimSpace(tok)
	var reason string
	switch {
	case !ok || tok == "":
		reason = "CREDENTIALS_MISSING"
	case len(s.opts.GoogleServiceAccounts) > 0:
		reason = s.tokens.check(tok)
	case s.opts.APIKey != "" && tok != s.opts.APIKey:
		reason = "ACCESS_TOKEN_TYPE_UNSUPPORTED"
	}
	if reason == "" {
		return true
	}
	e := &geminiError{status: http.StatusUnauthorized, reason: reason, service: "aiplatform.googleapis.com",
		message: "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."}
	if reason == "CREDENTIALS_MISSING" {
		e.message = "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."
	}
	s.writeGeminiError(w, e, sse, start)
	return false
}

// vertexCheckRoles refuses a content without a role, as Vertex AI does.
func vertexCheckRoles(wr *wire.GenerateContentRequest) *geminiError {
	for i := range wr.Contents {
		switch wr.Contents[i].Role {
		case wire.RoleUser, wire.RoleModel:
		default:
			return geminiInvalid("Please use a valid role: user, model.")
		}
	}
	return nil
}

// vertexFaultError is the error Vertex AI sends for a status fault.
func vertexFaultError(f *Fault, vc *vertexCall, model string, promptTokens int64) *geminiError {
	e := geminiFaultError(f, model, promptTokens)
	e.quota, e.localized = false, false
	switch f.Status {
	case http.StatusUnauthorized:
		e.reason, e.service = "ACCESS_TOKEN_EXPIRED", "aiplatform.googleapis.com"
	case http.StatusForbidden:
		e.reason, e.service = "IAM_PERMISSION_DENIED", "aiplatform.googleapis.com"
		e.message = "Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/" + vc.resource(model) + "' (or it may not exist)."
	case http.StatusNotFound:
		e.message = "Publisher Model `" + vc.resource(model) + "` was not found or your project does not have access to it. Please ensure you are using a valid model version. For more information, see: https://cloud.google.com/vertex-ai/generative-ai/docs/learn/model-versions"
	case http.StatusTooManyRequests:
		e.message = "Resource exhausted. Please try again later. Please refer to https://cloud.google.com/vertex-ai/generative-ai/docs/error-code-429 for more details."
	case http.StatusBadRequest:
		if e.reason == "API_KEY_INVALID" {
			e.reason, e.message = "", "Request contains an invalid argument."
		}
	case http.StatusInternalServerError:
		e.message = "Internal error encountered."
	}
	return e
}
