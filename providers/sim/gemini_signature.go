package sim

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"strconv"
	"strings"

	"github.com/switchboard-gw/switchboard/providers/gemini/wire"
)

// Thought signatures. A thinking Gemini model attaches an opaque
// thoughtSignature to the first part of its answer, and Gemini 3 refuses a
// later request whose current turn replays a function call without it. The
// simulator's signatures are base64 of a magic prefix, a hash of what they
// sign (the function's name, or "text"), filler, and a checksum, so the
// simulator can tell a signature it issued that was altered or moved from
// one it never saw (a real model's, which it accepts).

const (
	signatureMagic = "SIMSIG"
	// signatureMagic64 is how every simulator signature starts in base64.
	signatureMagic64 = "U0lNU0lH"
	signatureLen     = len(signatureMagic) + 1 + 8 + 40 + 8
)

// Signature kinds.
const (
	signsCall byte = 'c'
	signsText byte = 't'
)

// geminiSignature returns the signature of a part: a function call (subject
// is its name) or text. seed varies the filler between answers.
func geminiSignature(kind byte, subject string, seed uint64) string {
	raw := make([]byte, 0, signatureLen)
	raw = append(raw, signatureMagic...)
	raw = append(raw, kind)
	raw = binary.LittleEndian.AppendUint64(raw, newHasher().str(subject).sum())
	r := rng{state: mix64(seed ^ 0x7369676e)}
	for len(raw) < signatureLen-8 {
		raw = binary.LittleEndian.AppendUint64(raw, r.next())
	}
	raw = raw[:signatureLen-8]
	raw = binary.LittleEndian.AppendUint64(raw, checksum(raw))
	return base64.StdEncoding.EncodeToString(raw)
}

func checksum(b []byte) uint64 { return newHasher().str(string(b)).sum() }

// signatureValid reports whether sig may sign a part of this kind and
// subject: true for a signature the simulator did not issue, and for one it
// issued for exactly this.
func signatureValid(sig string, kind byte, subject string) bool {
	if !strings.HasPrefix(sig, signatureMagic64) {
		return true
	}
	raw, err := base64.StdEncoding.DecodeString(sig)
	if err != nil || len(raw) != signatureLen || !bytes.HasPrefix(raw, []byte(signatureMagic)) {
		return false
	}
	body, sum := raw[:signatureLen-8], binary.LittleEndian.Uint64(raw[signatureLen-8:])
	if checksum(body) != sum {
		return false
	}
	if raw[len(signatureMagic)] != kind {
		return false
	}
	return kind != signsCall || binary.LittleEndian.Uint64(raw[len(signatureMagic)+1:]) == newHasher().str(subject).sum()
}

// requiresSignatures reports whether a model refuses a current turn whose
// function calls lack their signatures (Gemini 3 does).
func requiresSignatures(model string) bool { return strings.HasPrefix(model, "gemini-3") }

// thinksByDefault reports whether a model thinks when the request does not
// say (Gemini 2.5 and 3 use dynamic thinking).
func thinksByDefault(model string) bool {
	return strings.HasPrefix(model, "gemini-2.5") || strings.HasPrefix(model, "gemini-3")
}

// reportsFinishMessage reports whether a model explains its function calls
// in finishMessage (Gemini 2.5 and 3 do; 2.0 does not).
func reportsFinishMessage(model string) bool { return thinksByDefault(model) }

// checkGeminiSignatures validates the signatures of the history the way the
// real API does: a signature the simulator issued must come back unchanged
// on the part it was issued for ("Corrupted thought signature."), and for
// Gemini 3 the first function call of each model turn after the last user
// text must carry one.
func checkGeminiSignatures(model string, r *wire.GenerateContentRequest) *geminiError {
	currentTurn := 0
	for i := range r.Contents {
		c := &r.Contents[i]
		if c.Role != wire.RoleModel {
			for j := range c.Parts {
				if c.Parts[j].Text != nil {
					currentTurn = i + 1
				}
			}
			continue
		}
		first := true
		for j := range c.Parts {
			p := &c.Parts[j]
			kind, subject := signsText, "text"
			if p.FunctionCall != nil {
				kind, subject = signsCall, p.FunctionCall.Name
			}
			if p.ThoughtSignature != "" && !signatureValid(p.ThoughtSignature, kind, subject) {
				return geminiInvalid("Corrupted thought signature.")
			}
			if p.FunctionCall != nil && first && i >= currentTurn && requiresSignatures(model) && p.ThoughtSignature == "" {
				return geminiInvalid("Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call `default_api:" +
					p.FunctionCall.Name + "` , position " + strconv.Itoa(i+1) + ". Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.")
			}
			if p.FunctionCall != nil {
				first = false
			}
		}
	}
	return nil
}
