package sim

import (
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The Bedrock dialect serves
//
//	POST /model/{modelId}/converse          unary
//	POST /model/{modelId}/converse-stream   application/vnd.amazon.eventstream
//
// in the Bedrock Runtime Converse API's format, byte-faithful to the
// recorded transcripts: compact bodies with their members in alphabetical
// order (metrics, output, stopReason, usage), usage with the cache counts
// under both their documented names and the ...Count aliases for Claude
// models, and serverToolUsage; streams of binary event-stream frames with
// correct CRC-32 checksums, headers :event-type, :content-type and
// :message-type, every payload padded with a random "p" member, text and
// reasoning blocks without a contentBlockStart, tool uses started with their
// id and name and their input streamed in JSON fragments, messageStop
// before the final metadata event with usage and latency. The model id is
// read from the path, percent-decoded (":" and ARNs' "/" arrive escaped);
// any model is accepted.
//
// Authentication is AWS Signature Version 4, checked from the
// specification (bedrock_sigv4.go): a missing Authorization is a 403
// MissingAuthenticationTokenException, a malformed one
// IncompleteSignatureException, a wrong service, date or clock
// InvalidSignatureException. With Options.AWS set, the access key and
// session token must be those (403 UnrecognizedClientException otherwise)
// and the signature is recomputed over the request and compared (403
// InvalidSignatureException).
//
// The request is decoded and validated with the real API's rules (a
// conversation starts with a user message and alternates roles; no blank
// text; toolUse blocks answered by toolResult blocks in the next message;
// toolConfig defined when tool blocks are present; Claude thinking with a
// budget of at least 1024 under maxTokens, no forced tool use and no
// temperature but 1; reasoning signatures that verify) and converted to
// canonical by providers/bedrock/wire; the shared engine answers it. Claude
// thinking (additionalModelRequestFields.thinking) opens the answer with a
// reasoningContent block whose signature the simulator verifies when it is
// sent back.
//
// Faults: status=N answers with Bedrock's error for it (429
// ThrottlingException, 503 ServiceUnavailableException, 500
// InternalServerException, 408 ModelTimeoutException, 424
// ModelErrorException, 403 AccessDeniedException, 404
// ResourceNotFoundException, 400 ValidationException, "Input is too long
// for requested model." with code=context_length_exceeded; code= may also
// name any error type, such as ServiceQuotaExceededException or
// ModelNotReadyException), with Retry-After when retry_after is given;
// error_after sends an exception frame (modelStreamErrorException, or the
// type code= names: throttlingException, validationException,
// serviceUnavailableException, internalServerException) and ends the
// stream; malformed_after sends a frame whose message checksum is wrong;
// disconnect_after cuts the connection; content_filter=prompt answers like
// a guardrail (stopReason guardrail_intervened), content_filter=output ends
// with content_filtered; cached=N and cache_write=N are
// cacheReadInputTokens and cacheWriteInputTokens.

// bedrockPrefix is the path prefix the Bedrock dialect owns.
const bedrockPrefix = "/model/"

func (s *Server) registerBedrock() {
	s.prefixRoutes = append(s.prefixRoutes, prefixRoute{prefix: bedrockPrefix, handler: s.bedrockRoute})
}

var eventStreamAmazon = []string{"application/vnd.amazon.eventstream"}

// bedrockRoute dispatches /model/{modelId}/{action}. The id is one path
// segment, escaped: it is cut from the escaped path and then decoded, so
// that an ARN's escaped "/" stays in the id.
func (s *Server) bedrockRoute(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rest := strings.TrimPrefix(r.URL.EscapedPath(), bedrockPrefix)
	i := strings.LastIndexByte(rest, '/')
	if i <= 0 || r.Method != http.MethodPost {
		writeBedrockError(w, &bedrockError{status: http.StatusNotFound, typ: "UnknownOperationException", message: "Unknown Operation"})
		return
	}
	model, err := url.PathUnescape(rest[:i])
	if err != nil || strings.Contains(rest[:i], "/") {
		writeBedrockError(w, &bedrockError{status: http.StatusNotFound, typ: "UnknownOperationException", message: "Unknown Operation"})
		return
	}
	switch rest[i+1:] {
	case "converse":
		s.bedrockConverse(w, r, model, false, start)
	case "converse-stream":
		s.bedrockConverse(w, r, model, true, start)
	default:
		writeBedrockError(w, &bedrockError{status: http.StatusNotFound, typ: "UnknownOperationException", message: "Unknown Operation"})
	}
}

// bedrockRequestID returns a request id in the UUID form AWS uses.
func bedrockRequestID() string {
	var raw [16]byte
	a, b := uniqueSeed(), mix64(uniqueSeed())
	for k := 0; k < 8; k++ {
		raw[k], raw[8+k] = byte(a>>(8*k)), byte(b>>(8*k))
	}
	raw[6] = raw[6]&0x0f | 0x40 // version 4
	raw[8] = raw[8]&0x3f | 0x80 // RFC 4122 variant
	h := hex.EncodeToString(raw[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
