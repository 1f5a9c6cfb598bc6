package auth

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

// Page tokens are opaque to callers: base64url of
// "v1:<include_revoked 0|1>:<created_at unix µs>:<key id>". They carry the
// include_revoked flag so a token cannot be replayed against a different
// listing, which would skip or repeat keys.
const pageTokenVersion = "v1"

func encodePageToken(c KeyCursor, includeRevoked bool) string {
	flag := "0"
	if includeRevoked {
		flag = "1"
	}
	raw := pageTokenVersion + ":" + flag + ":" + strconv.FormatInt(c.CreatedAt.UnixMicro(), 10) + ":" + c.ID
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// decodePageToken returns the cursor in token, nil for the first page.
func decodePageToken(token string, includeRevoked bool) (*KeyCursor, *llm.Error) {
	if token == "" {
		return nil, nil
	}
	invalid := invalidParam("page_token", "invalid page_token: pass next_page_token from the previous response unchanged")
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return nil, invalid
	}
	parts := strings.SplitN(string(raw), ":", 4)
	if len(parts) != 4 || parts[0] != pageTokenVersion || (parts[1] != "0" && parts[1] != "1") || !looksLikeKeyID(parts[3]) {
		return nil, invalid
	}
	if (parts[1] == "1") != includeRevoked {
		return nil, invalidParam("page_token", "page_token was issued for a different include_revoked value; keep the request's other fields unchanged while paging")
	}
	micros, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return nil, invalid
	}
	return &KeyCursor{CreatedAt: time.UnixMicro(micros).UTC(), ID: parts[3]}, nil
}
