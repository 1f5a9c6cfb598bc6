package sim

import (
	"net/http"
	"strconv"
	"time"
)

// Azure OpenAI's error responses. Azure's own layer answers in its envelope
// {"error": {"code": "...", "message": "..."}}, with the status as a string
// code for 401 and 429; the model's validation errors (400) and failures
// (500) are OpenAI's bodies passed through; the content filter's rejection
// is OpenAI's envelope with a null type, param "prompt", code
// "content_filter", the status, and an innererror naming the policy and the
// filter's verdict.

// azureError is one Azure error response.
type azureError struct {
	status  int
	code    string
	message string
	// contentFilter makes the body the content filter's rejection.
	contentFilter bool
	// openAI, when set, is sent in OpenAI's envelope instead.
	openAI     *openAIError
	retryAfter time.Duration
}

func azureResourceNotFound() *azureError {
	return &azureError{status: http.StatusNotFound, code: "404", message: "Resource not found"}
}

func azureKeyRejected() *azureError {
	return &azureError{status: http.StatusUnauthorized, code: "401",
		message: "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."}
}

const azureFilterMessage = "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766"

// azureFaultError is the error Azure sends for a status fault.
func azureFaultError(f *Fault, az *azureCall, model string, promptTokens int64) *azureError {
	e := &azureError{status: f.Status, code: strconv.Itoa(f.Status), retryAfter: f.RetryAfter}
	switch f.Status {
	case http.StatusBadRequest:
		if f.Code == "content_filter" || f.ContentFilter == FilterPrompt {
			e.contentFilter = true
			e.message = azureFilterMessage
			return e
		}
		e.openAI = faultError(f, model, promptTokens)
	case http.StatusUnauthorized:
		return azureKeyRejected()
	case http.StatusForbidden:
		e.message = "Access denied due to Virtual Network/Firewall rules."
	case http.StatusNotFound:
		e.code = "DeploymentNotFound"
		e.message = "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again."
	case http.StatusRequestTimeout, http.StatusGatewayTimeout:
		e.code, e.message = "Timeout", "The operation was timeout."
	case http.StatusTooManyRequests:
		if e.retryAfter <= 0 {
			e.retryAfter = time.Second
		}
		version := az.version
		if version == "" {
			version = "v1"
		}
		secs := strconv.FormatInt(int64((e.retryAfter+time.Second-1)/time.Second), 10)
		e.message = "Requests to the ChatCompletions_Create Operation under Azure OpenAI API version " + version +
			" have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after " + secs +
			" seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit."
	case http.StatusServiceUnavailable:
		e.code, e.message = "ServiceUnavailable", "The service is temporarily unable to process your request. Please try again later."
	case http.StatusInternalServerError:
		e.openAI = faultError(f, model, promptTokens)
	default:
		e.message = http.StatusText(f.Status) + " (simulated fault)."
	}
	return e
}

// azureFail sends e in answer to a counted (chat or embeddings) request.
func (s *Server) azureFail(w http.ResponseWriter, az *azureCall, e *azureError, start time.Time) {
	s.served.errors.Add(1)
	s.writeAzureError(w, az, e, start)
}

// azureFailer returns the function that sends an OpenAI-shaped error (a
// validation failure) with Azure's headers, as Azure passes the model's
// errors through.
func (s *Server) azureFailer(az *azureCall) func(http.ResponseWriter, *openAIError, time.Time) {
	return func(w http.ResponseWriter, e *openAIError, start time.Time) {
		s.azureFail(w, az, &azureError{status: e.status, openAI: e}, start)
	}
}

func (s *Server) writeAzureError(w http.ResponseWriter, az *azureCall, e *azureError, start time.Time) {
	h := w.Header()
	setAzureHeaders(h, az, start)
	h["Content-Type"] = jsonContentType
	if e.retryAfter > 0 {
		h["Retry-After"] = []string{strconv.FormatInt(int64((e.retryAfter+time.Second-1)/time.Second), 10)}
		h["Retry-After-Ms"] = []string{strconv.FormatInt(e.retryAfter.Milliseconds(), 10)}
	}
	if e.status == http.StatusTooManyRequests {
		h["X-Ratelimit-Remaining-Requests"] = zeroValue
	}
	var b []byte
	switch {
	case e.openAI != nil:
		b = appendOpenAIErrorBody(nil, e.openAI)
	case e.contentFilter:
		b = appendAzureFilterError(nil, e)
	default:
		b = append(b, `{"error":{"code":`...)
		b = appendString(b, e.code)
		b = append(b, `,"message":`...)
		b = appendString(b, e.message)
		b = append(b, "}}"...)
	}
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(e.status)
	w.Write(b)
}

// appendAzureFilterError writes the content filter's rejection of a prompt:
// the verdict flags violence at medium severity.
func appendAzureFilterError(b []byte, e *azureError) []byte {
	b = append(b, `{"error":{"message":`...)
	b = appendString(b, e.message)
	b = append(b, `,"type":null,"param":"prompt","code":"content_filter","status":400,"innererror":{"code":"ResponsibleAIPolicyViolation","content_filter_result":`...)
	b = appendFilterCategories(b, true, true)
	return append(b, "}}}"...)
}
