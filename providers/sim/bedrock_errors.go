package sim

import (
	"net/http"
	"strconv"
	"time"

	"github.com/switchboard-gw/switchboard/providers/bedrock/wire"
)

// Bedrock's error responses: {"message": ...} with the error type in the
// x-amzn-ErrorType header ("ThrottlingException:http://internal.amazon.com/
// coral/com.amazon.bedrock/"), the real statuses and wording, and an
// x-amzn-RequestId.

// bedrockError is one error response, or one exception frame of a stream.
type bedrockError struct {
	status     int
	typ        string // wire.Err...
	message    string
	retryAfter time.Duration
}

func bedrockValidation(message string) *bedrockError {
	return &bedrockError{status: http.StatusBadRequest, typ: wire.ErrValidation, message: message}
}

// bedrockFail sends e in answer to a counted request.
func (s *Server) bedrockFail(w http.ResponseWriter, e *bedrockError) {
	s.served.errors.Add(1)
	writeBedrockError(w, e)
}

func writeBedrockError(w http.ResponseWriter, e *bedrockError) {
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["X-Amzn-Requestid"] = []string{bedrockRequestID()}
	h["X-Amzn-Errortype"] = []string{wire.ErrorTypeHeader(e.typ)}
	if e.retryAfter > 0 {
		h["Retry-After"] = []string{strconv.FormatInt(int64((e.retryAfter+time.Second-1)/time.Second), 10)}
	}
	bp := getBuf()
	b := appendBedrockErrorBody((*bp)[:0], e.message)
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(e.status)
	w.Write(b)
	*bp = b
	putBuf(bp)
}

// appendBedrockErrorBody writes {"message": ...}, the body of an error
// response and the payload of an exception frame.
func appendBedrockErrorBody(b []byte, message string) []byte {
	b = append(b, `{"message":`...)
	b = appendString(b, message)
	return append(b, '}')
}

// bedrockFaultError is the error the real API sends for a status fault.
// The directive's code may name an error type ("ServiceQuotaExceededException").
func bedrockFaultError(f *Fault) *bedrockError {
	e := &bedrockError{status: f.Status, retryAfter: f.RetryAfter}
	if typ := wire.NormalizeErrorType(f.Code); typ != "" && wire.StatusForErrorType[typ] != 0 {
		e.typ, e.message = typ, bedrockMessages[typ]
		return e
	}
	switch f.Status {
	case http.StatusBadRequest:
		e.typ = wire.ErrValidation
		if f.Code == "context_length_exceeded" {
			e.message = "Input is too long for requested model."
		} else {
			e.message = "Malformed input request, please reformat your input and try again."
		}
	case http.StatusUnauthorized:
		// Bedrock answers bad credentials with 403; the status asked for
		// is kept, with the type AWS sends.
		e.typ = wire.ErrUnrecognizedClient
	case http.StatusForbidden:
		e.typ = wire.ErrAccessDenied
	case http.StatusNotFound:
		e.typ = wire.ErrResourceNotFound
	case http.StatusRequestTimeout:
		e.typ = wire.ErrModelTimeout
	case http.StatusFailedDependency:
		e.typ = wire.ErrModelError
	case http.StatusTooManyRequests:
		e.typ = wire.ErrThrottling
	case http.StatusServiceUnavailable:
		e.typ = wire.ErrServiceUnavailable
	default:
		if f.Status >= 500 {
			e.typ = wire.ErrInternalServer
		} else {
			e.typ = wire.ErrValidation
			e.message = http.StatusText(f.Status) + " (simulated fault)."
		}
	}
	if e.message == "" {
		e.message = bedrockMessages[e.typ]
	}
	return e
}

// bedrockMessages are the messages Bedrock sends with each error type.
var bedrockMessages = map[string]string{
	wire.ErrAccessDenied:         "You don't have access to the model with the specified model ID.",
	wire.ErrInternalServer:       "The system encountered an unexpected error during processing. Try your request again.",
	wire.ErrModelError:           "The model returned an error. Try your request again.",
	wire.ErrModelNotReady:        "Model is not ready to serve inference requests. Try your request again.",
	wire.ErrModelStreamError:     "An error occurred while processing the model stream. Try your request again.",
	wire.ErrModelTimeout:         "Model has timed out in processing the request. Try your request again.",
	wire.ErrResourceNotFound:     "Could not resolve the foundation model from the provided model identifier.",
	wire.ErrServiceQuotaExceeded: "Your request exceeds the service quota for your account. You can view your quotas at Viewing service quotas.",
	wire.ErrServiceUnavailable:   "Bedrock is unable to process your request.",
	wire.ErrThrottling:           "Too many requests, please wait before trying again.",
	wire.ErrValidation:           "Malformed input request, please reformat your input and try again.",
	wire.ErrUnrecognizedClient:   "The security token included in the request is invalid.",
	wire.ErrInvalidSignature:     "The request signature we calculated does not match the signature you provided.",
	wire.ErrExpiredToken:         "The security token included in the request is expired",
}

// bedrockStreamError is the exception an error_after fault sends: the
// fault's code when it names a type a stream can carry, else
// modelStreamErrorException, Bedrock's own mid-stream failure.
func bedrockStreamError(f *Fault) *bedrockError {
	switch typ := wire.NormalizeErrorType(f.Code); typ {
	case wire.ErrThrottling, wire.ErrValidation, wire.ErrServiceUnavailable, wire.ErrInternalServer, wire.ErrModelStreamError, wire.ErrModelTimeout:
		return &bedrockError{status: wire.StatusForErrorType[typ], typ: typ, message: bedrockMessages[typ]}
	}
	return &bedrockError{status: http.StatusFailedDependency, typ: wire.ErrModelStreamError, message: bedrockMessages[wire.ErrModelStreamError]}
}
