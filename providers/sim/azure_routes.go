package sim

import (
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The Azure OpenAI dialect serves
//
//	POST /openai/deployments/{deployment}/chat/completions?api-version=...
//	POST /openai/deployments/{deployment}/embeddings?api-version=...
//	POST /openai/v1/chat/completions   (the v1 API: api-version optional, the
//	POST /openai/v1/embeddings          deployment named by the body's model)
//
// with the OpenAI dialect's engine and bodies, and Azure's differences:
//
//   - Routing. On deployment URLs the deployment is the model, whatever the
//     body says; a missing api-version is Azure's 404 "Resource not found"
//     (Azure answers it so, not with a 400), and a value that is not a
//     version is its 400 "API version not supported". Any deployment name
//     exists.
//   - Keys. With Options.APIKey set, a request needs "api-key: <key>" or
//     "Authorization: Bearer <key>" (an Entra ID token); otherwise it gets
//     Azure's 401 {"error": {"code": "401", "message": "Access denied due to
//     invalid subscription key or wrong API endpoint..."}} (or the Entra
//     variant for a wrong bearer token).
//   - Content filtering. Answers carry prompt_filter_results and, on each
//     choice, content_filter_results; a stream opens with Azure's preamble
//     chunk ("choices": [], empty id and model, the prompt's filter
//     results), and its choice chunks carry content_filter_results ({} on
//     the role and finish chunks). Chunks have no "obfuscation" padding and
//     no service_tier.
//   - Faults. content_filter=prompt (or status=400 code=content_filter) is
//     Azure's content-filter 400 (code content_filter, innererror
//     ResponsibleAIPolicyViolation with the filter's verdict);
//     content_filter=output cuts the answer halfway with finish_reason
//     content_filter and a violence verdict filtered: true. Status faults
//     get Azure's envelope {"error": {"code", "message"}}: 401, 403, 404
//     DeploymentNotFound, 408 and 504 Timeout, 429 with Azure's wording and
//     retry-after and retry-after-ms headers, 503 ServiceUnavailable. A 400
//     other than the filter's, and 500, are OpenAI's bodies passed through,
//     as Azure does.

// azurePrefix is the path prefix the Azure dialect owns.
const azurePrefix = "/openai/"

func (s *Server) registerAzure() {
	s.prefixRoutes = append(s.prefixRoutes, prefixRoute{prefix: azurePrefix, handler: s.azureRoute})
}

// azureCall is what the URL of an Azure request says.
type azureCall struct {
	// deployment is the deployment in the path; "" on the v1 route.
	deployment string
	version    string
}

// azureRoute dispatches a path under /openai/.
func (s *Server) azureRoute(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rest := strings.TrimPrefix(r.URL.Path, azurePrefix)
	az := &azureCall{version: r.URL.Query().Get("api-version")}
	var op string
	if after, ok := strings.CutPrefix(rest, "v1/"); ok {
		op = after
	} else if after, ok := strings.CutPrefix(rest, "deployments/"); ok {
		az.deployment, op, _ = strings.Cut(after, "/")
	}
	counted := op == "chat/completions" || op == "embeddings"
	if counted {
		s.served.requests.Add(1)
	}
	fail := func(e *azureError) {
		if counted {
			s.served.errors.Add(1)
		}
		s.writeAzureError(w, az, e, start)
	}
	v1 := strings.HasPrefix(rest, "v1/")
	switch {
	case !counted || (!v1 && (az.deployment == "" || strings.Contains(az.deployment, "/"))) || r.Method != http.MethodPost:
		fail(azureResourceNotFound())
		return
	case !v1 && az.version == "":
		fail(azureResourceNotFound())
		return
	case az.version != "" && !azureVersionSupported(az.version, v1):
		fail(&azureError{status: http.StatusBadRequest, code: "BadRequest", message: "API version not supported"})
		return
	}
	if e := s.azureAuthorized(r); e != nil {
		fail(e)
		return
	}
	if op == "chat/completions" {
		s.chat(w, r, start, az)
	} else {
		s.embeddings(w, r, start, az)
	}
}

// azureVersionSupported accepts a dated version ("2024-10-21",
// "2025-04-01-preview"), and on the v1 route "preview", "latest" and "v1".
func azureVersionSupported(v string, v1 bool) bool {
	if v1 && (v == "preview" || v == "latest" || v == "v1") {
		return true
	}
	date, suffix, _ := strings.Cut(v, "-preview")
	if suffix != "" || len(date) != len("2024-10-21") || date[4] != '-' || date[7] != '-' {
		return false
	}
	for i := 0; i < len(date); i++ {
		if i != 4 && i != 7 && (date[i] < '0' || date[i] > '9') {
			return false
		}
	}
	return date >= "2022-12-01"
}

// azureAuthorized checks the key when the server has one, from the api-key
// header or as an Entra ID bearer token, and returns Azure's 401 otherwise.
func (s *Server) azureAuthorized(r *http.Request) *azureError {
	if s.opts.APIKey == "" {
		return nil
	}
	key := []byte(s.opts.APIKey)
	if k := r.Header.Get("Api-Key"); k != "" {
		if subtle.ConstantTimeCompare([]byte(k), key) == 1 {
			return nil
		}
		return azureKeyRejected()
	}
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && tok != "" {
		if subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), key) == 1 {
			return nil
		}
		return &azureError{status: http.StatusUnauthorized, code: "401",
			message: "Unauthorized. Access token is missing, invalid, audience is incorrect (https://cognitiveservices.azure.com), or have expired."}
	}
	return azureKeyRejected()
}

var (
	azureRegion     = []string{"East US"}
	azureRAIInvoked = []string{"true"}
	azureRemaining  = []string{"99"}
	azureRemainToks = []string{"99000"}
)

// setAzureHeaders sets the headers Azure's front end sends on every
// response.
func setAzureHeaders(h http.Header, az *azureCall, start time.Time) {
	id := requestUUID()
	h["Apim-Request-Id"] = []string{id}
	h["X-Request-Id"] = []string{id}
	h["X-Ms-Region"] = azureRegion
	h["X-Ms-Rai-Invoked"] = azureRAIInvoked
	h["X-Ratelimit-Remaining-Requests"] = azureRemaining
	h["X-Ratelimit-Remaining-Tokens"] = azureRemainToks
	h["X-Content-Type-Options"] = noSniff
	h["Openai-Processing-Ms"] = []string{strconv.FormatInt(time.Since(start).Milliseconds(), 10)}
	if az.deployment != "" {
		h["X-Ms-Deployment-Name"] = []string{az.deployment}
	}
}

// requestUUID returns a random version-4 UUID, Azure's request id format.
func requestUUID() string {
	var b [36]byte
	a, c := uniqueSeed(), uniqueSeed()
	for i, j := 0, 0; i < 36; i++ {
		switch i {
		case 8, 13, 18, 23:
			b[i] = '-'
			continue
		case 14:
			b[i] = '4'
			continue
		}
		v := a
		if j >= 16 {
			v = c
		}
		b[i] = hexDigits[(v>>(4*(j%16)))&0xf]
		j++
	}
	return string(b[:])
}

// writeAzureJSON sends a 200 JSON body with Azure's headers.
func (s *Server) writeAzureJSON(w http.ResponseWriter, az *azureCall, body []byte, start time.Time) {
	h := w.Header()
	setAzureHeaders(h, az, start)
	h["Content-Type"] = jsonContentType
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}
