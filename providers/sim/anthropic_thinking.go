package sim

import "encoding/base64"

// thinkingSignature is the signature the simulator gives a thinking block:
// 64 bytes derived from the thinking text, base64-encoded like the real
// (opaque) signatures. It is checked when the block is sent back, so a
// translator that alters the text or the signature meets the real API's 400.
func thinkingSignature(thinking string) string {
	r := rng{state: newHasher().str("switchboard-sim thinking").str(thinking).sum()}
	var raw [64]byte
	for i := 0; i < len(raw); i += 8 {
		v := r.next()
		for k := 0; k < 8; k++ {
			raw[i+k] = byte(v >> (8 * k))
		}
	}
	return base64.StdEncoding.EncodeToString(raw[:])
}
