// Package routeheader writes how the gateway served a request as response
// headers, the same way on both transports (the Connect API and the OpenAI
// shim):
//
//	X-Switchboard-Attempts  one entry per attempt, in order, e.g.
//	    "sim-flaky;reason=first;outcome=failed;kind=overloaded;status=503;ms=2,
//	     sim-ok;reason=failover;outcome=ok;ms=11"
//	X-Switchboard-Alias     the alias that served (after rules and fallbacks)
//	X-Switchboard-Rule      the content rule that chose it, when one did
//
// An entry is the deployment name, then ";key=value" parameters: reason
// (first, failover, retry, fallback, key, hedge, continuation), outcome
// (ok, failed, broken, canceled, streaming), kind and status of a failure,
// ms (the attempt's duration so far, in milliseconds), ttft_ms for streams,
// and key=N for credential-pool keys other than the first.
package routeheader

import (
	"net/http"
	"strconv"

	"github.com/switchboard-gw/switchboard/llm"
)

// Header names.
const (
	Attempts = "X-Switchboard-Attempts"
	Alias    = "X-Switchboard-Alias"
	Rule     = "X-Switchboard-Rule"
)

// Set writes rt's headers into h; a nil rt writes nothing.
func Set(h http.Header, rt *llm.Route) {
	if rt == nil {
		return
	}
	if len(rt.Attempts) > 0 {
		h.Set(Attempts, FormatAttempts(rt.Attempts))
	}
	if rt.Alias != "" {
		h.Set(Alias, token(rt.Alias))
	}
	if rt.Rule != "" {
		h.Set(Rule, token(rt.Rule))
	}
}

// FormatAttempts renders attempts as the X-Switchboard-Attempts value.
func FormatAttempts(as []llm.Attempt) string {
	b := make([]byte, 0, 64*len(as))
	for i := range as {
		a := &as[i]
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, token(a.Deployment)...)
		b = append(b, ";reason="...)
		b = append(b, a.Reason...)
		b = append(b, ";outcome="...)
		b = append(b, a.Outcome...)
		if a.Failed() {
			b = append(b, ";kind="...)
			b = append(b, a.ErrorKind.String()...)
			if a.Status != 0 {
				b = append(b, ";status="...)
				b = strconv.AppendInt(b, int64(a.Status), 10)
			}
		}
		if a.Key != 0 {
			b = append(b, ";key="...)
			b = strconv.AppendInt(b, int64(a.Key), 10)
		}
		b = append(b, ";ms="...)
		b = strconv.AppendInt(b, a.Latency.Milliseconds(), 10)
		if a.TTFT > 0 {
			b = append(b, ";ttft_ms="...)
			b = strconv.AppendInt(b, a.TTFT.Milliseconds(), 10)
		}
	}
	return string(b)
}

// token keeps a name safe inside the list: characters that would end an
// entry or a parameter (and anything not printable ASCII) become '_'.
func token(s string) string {
	for i := 0; i < len(s); i++ {
		if !safe(s[i]) {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if !safe(b[j]) {
					b[j] = '_'
				}
			}
			return string(b)
		}
	}
	return s
}

func safe(c byte) bool {
	return c > ' ' && c < 0x7f && c != ',' && c != ';' && c != '"' && c != '=' && c != '\\'
}
