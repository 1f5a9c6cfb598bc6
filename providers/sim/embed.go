package sim

import "math"

// Embeddings are unit vectors derived from a hash of the input text: the
// same text always gets the same vector, different texts get (nearly)
// orthogonal ones. A vector of d dimensions is the first d components of the
// full vector, renormalized, which is what OpenAI's "dimensions" parameter
// does to its own embeddings.

// defaultEmbeddingDims is text-embedding-3-small's size.
const defaultEmbeddingDims = 1536

// maxEmbeddingDims bounds "dimensions" (text-embedding-3-large's size).
const maxEmbeddingDims = 3072

// embedInto fills v (whose length is the dimension count) with the unit
// vector of text.
func embedInto(v []float32, text string) {
	r := rng{state: newHasher().str(text).sum()}
	var norm float64
	for i := range v {
		// The sum of two uniforms is a cheap bell-shaped value in (-1, 1).
		x := r.float() + r.float() - 1
		v[i] = float32(x)
		norm += x * x
	}
	if norm == 0 {
		return
	}
	inv := 1 / math.Sqrt(norm)
	for i := range v {
		v[i] = float32(float64(v[i]) * inv)
	}
}
