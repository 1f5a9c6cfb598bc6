package openai

import (
	"io"

	"github.com/switchboard-gw/switchboard/providers/internal/sse"
)

// The SSE reader is shared with the other streaming translators; these names
// keep this package's stream code reading as before.
type sseReader = sse.Reader

func newSSEReader(r io.Reader) *sseReader { return sse.NewReader(r) }

var errEventTooLarge = sse.ErrEventTooLarge
