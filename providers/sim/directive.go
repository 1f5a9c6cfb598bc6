package sim

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A directive is "[[sim key=value ...]]" inside the text of the last user
// message; the X-Sim-Fault header carries the same settings with or without
// the brackets. Directives travel inside the conversation so that they reach
// the simulator through the gateway, which forwards no client headers.

const (
	directiveOpen  = "[[sim"
	directiveClose = "]]"
)

// ParseFault parses settings in the directive grammar ("status=429
// retry_after=2", with or without the surrounding "[[sim" and "]]").
func ParseFault(spec string) (Fault, error) {
	var f Fault
	spec = strings.TrimSpace(spec)
	if strings.HasPrefix(spec, directiveOpen) {
		var rest string
		var err error
		if _, rest, err = extractDirectives(spec, &f); err != nil {
			return Fault{}, err
		}
		if strings.TrimSpace(rest) != "" {
			return Fault{}, fmt.Errorf("unexpected text %q outside the directive", strings.TrimSpace(rest))
		}
		return f, nil
	}
	if _, err := parseSettings(spec, &f, false); err != nil {
		return Fault{}, err
	}
	return f, nil
}

// hasDirective is the cheap check done before any parsing.
func hasDirective(text string) bool { return strings.Contains(text, directiveOpen) }

// extractDirectives parses every directive in text into f and returns whether
// there was one and the text with the directives removed.
func extractDirectives(text string, f *Fault) (found bool, rest string, err error) {
	var b strings.Builder
	for {
		i := strings.Index(text, directiveOpen)
		if i < 0 {
			break
		}
		after := text[i+len(directiveOpen):]
		if after != "" && after[0] != ' ' && after[0] != '\t' && !strings.HasPrefix(after, directiveClose) {
			// "[[simple]]" is text, not a directive.
			b.WriteString(text[:i+len(directiveOpen)])
			text = after
			continue
		}
		n, err := parseSettings(after, f, true)
		if err != nil {
			return false, "", err
		}
		found = true
		// Remove the directive and the blanks around it, so that "Hi
		// [[sim ...]]" reads, and hashes, like "Hi".
		b.WriteString(strings.TrimRight(text[:i], " \t"))
		text = strings.TrimLeft(after[n:], " \t")
		if b.Len() > 0 && text != "" && !strings.HasSuffix(b.String(), "\n") && !strings.HasPrefix(text, "\n") {
			b.WriteByte(' ')
		}
	}
	if !found {
		return false, text, nil
	}
	b.WriteString(text)
	return true, b.String(), nil
}

// parseSettings reads "key=value" pairs from s until "]]" or the end of s,
// and returns how many bytes it consumed (including the "]]"). Inside a
// directive (needClose), the closing "]]" is required.
func parseSettings(s string, f *Fault, needClose bool) (int, error) {
	i := 0
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++
		}
		if strings.HasPrefix(s[i:], directiveClose) {
			return i + len(directiveClose), nil
		}
		if i == len(s) {
			if needClose {
				return 0, errors.New("unterminated directive: missing ]]")
			}
			return i, nil
		}
		eq := strings.IndexByte(s[i:], '=')
		if eq <= 0 {
			return 0, fmt.Errorf("expected key=value at %q", clip(s[i:]))
		}
		key := s[i : i+eq]
		if strings.ContainsAny(key, " \t\"]") {
			return 0, fmt.Errorf("expected key=value at %q", clip(s[i:]))
		}
		i += eq + 1
		var value string
		if i < len(s) && s[i] == '"' {
			v, n, err := unquote(s[i:])
			if err != nil {
				return 0, fmt.Errorf("%s: %w", key, err)
			}
			value = v
			i += n
		} else {
			j := i
			for j < len(s) && s[j] != ' ' && s[j] != '\t' && s[j] != '\n' && !strings.HasPrefix(s[j:], directiveClose) {
				j++
			}
			value = s[i:j]
			i = j
		}
		if err := applySetting(f, key, value); err != nil {
			return 0, err
		}
	}
}

// unquote reads a double-quoted value with \" and \\ escapes from the start
// of s and returns it and the number of bytes read.
func unquote(s string) (string, int, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 < len(s) {
				i++
				switch s[i] {
				case 'n':
					b.WriteByte('\n')
				case 't':
					b.WriteByte('\t')
				default:
					b.WriteByte(s[i])
				}
			}
		case '"':
			return b.String(), i + 1, nil
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, errors.New("unterminated quoted value")
}

func applySetting(f *Fault, key, value string) error {
	var err error
	switch key {
	case "status":
		f.Status, err = parseInt(value, 400, 599)
	case "code":
		f.Code = value
	case "retry_after":
		f.RetryAfter, err = parseSeconds(value)
	case "disconnect_after":
		f.Disconnect = true
		f.DisconnectAfter, err = parseInt(value, 0, 1<<30)
	case "malformed_after":
		f.Malformed = true
		f.MalformedAfter, err = parseInt(value, 0, 1<<30)
	case "error_after":
		f.StreamError = true
		f.ErrorAfter, err = parseInt(value, 0, 1<<30)
	case "latency":
		f.Latency, err = parseDuration(value)
	case "ttft":
		f.TTFT, err = parseDuration(value)
	case "chunk_delay":
		f.InterChunkDelay, err = parseDuration(value)
	case "reply":
		v := value
		f.Reply = &v
	case "reasoning":
		var n int
		n, err = parseInt(value, 0, 1<<30)
		f.ReasoningTokens = int64(n)
	case "cached":
		var n int
		n, err = parseInt(value, 0, 1<<30)
		f.CachedTokens = int64(n)
	case "cache_write":
		var n int
		n, err = parseInt(value, 0, 1<<30)
		f.CacheWriteTokens = int64(n)
	case "content_filter":
		err = applyContentFilter(f, value)
	default:
		return fmt.Errorf("unknown setting %q (known: status, code, retry_after, disconnect_after, malformed_after, error_after, latency, ttft, chunk_delay, reply, reasoning, cached, cache_write, content_filter)", key)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	return nil
}

func parseInt(s string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not an integer", s)
	}
	if n < lo || n > hi {
		return 0, fmt.Errorf("%d is outside [%d, %d]", n, lo, hi)
	}
	return n, nil
}

// parseSeconds reads a Retry-After style value: whole seconds ("2"), or a
// Go duration ("500ms").
func parseSeconds(s string) (time.Duration, error) {
	if n, err := strconv.Atoi(s); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, nil
	}
	return parseDuration(s)
}

// parseDuration reads a Go duration with a unit ("200ms", "1.5s"); a bare
// number is refused because "ttft=200" is ambiguous.
func parseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as 200ms or 2s", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("%q is negative", s)
	}
	return d, nil
}

func clip(s string) string {
	if len(s) > 24 {
		return s[:24] + "..."
	}
	return s
}

// applyContentFilter reads content_filter=prompt|output. A filtered prompt
// is a status fault: HTTP 400 with code content_filter (unless the
// directive sets its own status or code).
func applyContentFilter(f *Fault, value string) error {
	switch value {
	case FilterPrompt:
		f.ContentFilter = value
		if f.Status == 0 {
			f.Status = 400
		}
		if f.Code == "" {
			f.Code = "content_filter"
		}
	case FilterOutput:
		f.ContentFilter = value
	default:
		return fmt.Errorf("%q is not prompt or output", value)
	}
	return nil
}
