package wire

// DecodeChatRequestWithEncodingJSON is DecodeChatRequest without its fast
// path, the reference the fast path's tests compare with.
func DecodeChatRequestWithEncodingJSON(body []byte) (*ChatRequest, error) {
	if err := checkObject(body); err != nil {
		return nil, err
	}
	return decodeChatRequestSlow(body)
}
