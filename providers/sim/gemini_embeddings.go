package sim

import (
	"net/http"
	"strconv"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/gemini/wire"
)

// POST /v1beta/models/{model}:embedContent and :batchEmbedContents: one
// deterministic unit vector per text (the same vectors as the OpenAI
// dialect's), 3072 dimensions unless outputDimensionality says fewer,
// pretty-printed one number per line as Google prints them.

const (
	geminiEmbeddingDims = 3072
	maxGeminiBatch      = 100
)

func (s *Server) geminiEmbed(w http.ResponseWriter, r *http.Request, model string, batch bool, start time.Time) {
	s.served.requests.Add(1)
	if !s.geminiAuthorized(w, r, false, start) {
		s.served.errors.Add(1)
		return
	}
	bp, oe := readBody(r)
	if oe != nil {
		s.geminiFail(w, geminiInvalid(oe.message), false, start)
		return
	}
	var req *llm.EmbedRequest
	var err error
	if batch {
		var br *wire.BatchEmbedContentsRequest
		if br, err = wire.DecodeBatchEmbedRequest(*bp); err == nil {
			if len(br.Requests) > maxGeminiBatch {
				putBuf(bp)
				s.geminiFail(w, geminiInvalid("* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch.\n"), false, start)
				return
			}
			req, err = wire.ToCanonicalEmbedRequest(model, br)
		}
	} else {
		var er *wire.EmbedContentRequest
		if er, err = wire.DecodeEmbedRequest(*bp); err == nil {
			er.Model = ""
			req, err = wire.ToCanonicalEmbedRequest(model, &wire.BatchEmbedContentsRequest{Requests: []wire.EmbedContentRequest{*er}})
		}
	}
	putBuf(bp)
	if err != nil {
		s.geminiFail(w, geminiInvalid(llm.AsError(err).Message), false, start)
		return
	}
	dims := geminiEmbeddingDims
	if d := req.Dimensions; d != nil {
		if *d < 1 || *d > geminiEmbeddingDims {
			s.geminiFail(w, geminiInvalid("* EmbedContentRequest.output_dimensionality: must be between 1 and "+strconv.Itoa(geminiEmbeddingDims)+".\n"), false, start)
			return
		}
		dims = int(*d)
	}
	var tokens int64
	for _, in := range req.Inputs {
		tokens += int64(CountTokens(in))
	}
	fault, err := s.requestFault(r, nil)
	if err != nil {
		s.geminiFail(w, geminiInvalid("Invalid simulator directive: "+err.Error()), false, start)
		return
	}
	if fault.Status != 0 {
		s.geminiFail(w, geminiFaultError(&fault, model, tokens), false, start)
		return
	}
	if !sleep(r.Context(), effective(s.opts.Latency, fault.Latency)) {
		s.served.errors.Add(1)
		return
	}
	if fault.Disconnect {
		s.served.errors.Add(1)
		panic(http.ErrAbortHandler)
	}
	b := appendGeminiEmbeddings(make([]byte, 0, 64+len(req.Inputs)*dims*16), req.Inputs, dims, batch)
	if fault.Malformed {
		b = b[:len(b)/2]
		s.served.errors.Add(1)
	}
	s.writeGeminiJSON(w, b, start)
	s.countUsage(&llm.Usage{InputTokens: tokens}, 0)
}

func appendGeminiEmbeddings(b []byte, inputs []string, dims int, batch bool) []byte {
	vec := make([]float32, dims)
	w := gemWriter{b: b, pretty: true}
	w.begin('{')
	if batch {
		w.field("embeddings")
		w.begin('[')
	} else {
		w.field("embedding")
	}
	for _, in := range inputs {
		if batch {
			w.item()
		}
		embedInto(vec, in)
		w.begin('{')
		w.field("values")
		w.begin('[')
		for _, v := range vec {
			w.item()
			w.b = strconv.AppendFloat(w.b, float64(v), 'g', -1, 32)
		}
		w.end(']')
		w.end('}')
	}
	if batch {
		w.end(']')
	}
	w.end('}')
	return append(w.b, '\n')
}
