package sim

import (
	"strconv"
	"strings"
)

// String values for schemas: by format first, then by what the property's
// name says it holds, so that generated arguments read like a model's.

// stringValue picks a value by format, then by the property's name.
func (g *schemaGen) stringValue(format, hint string) string {
	r := &g.r
	switch format {
	case "date-time":
		return "2025-" + pad2(r.between(1, 12)) + "-" + pad2(r.between(1, 28)) + "T" + pad2(r.between(0, 23)) + ":" + pad2(r.between(0, 59)) + ":00Z"
	case "date":
		return "2025-" + pad2(r.between(1, 12)) + "-" + pad2(r.between(1, 28))
	case "time":
		return pad2(r.between(0, 23)) + ":" + pad2(r.between(0, 59)) + ":00Z"
	case "email", "idn-email":
		return "user" + strconv.Itoa(r.between(1, 99)) + "@example.com"
	case "uri", "url", "iri", "uri-reference", "iri-reference":
		return "https://example.com/" + vocabulary[r.intn(len(vocabulary))]
	case "hostname", "idn-hostname":
		return vocabulary[r.intn(len(vocabulary))] + ".example.com"
	case "ipv4":
		return "192.0.2." + strconv.Itoa(r.between(1, 254))
	case "ipv6":
		return "2001:db8::" + strconv.FormatInt(int64(r.between(1, 0xffff)), 16)
	case "uuid":
		return uuidFrom(r.next(), r.next())
	case "duration":
		return "PT" + strconv.Itoa(r.between(1, 59)) + "M"
	}
	h := strings.ToLower(hint)
	switch {
	case strings.Contains(h, "city"), strings.Contains(h, "location"), strings.Contains(h, "place"), strings.Contains(h, "address"):
		return cityNames[r.intn(len(cityNames))]
	case strings.Contains(h, "country"):
		return countryNames[r.intn(len(countryNames))]
	case strings.Contains(h, "email"):
		return "user" + strconv.Itoa(r.between(1, 99)) + "@example.com"
	case strings.Contains(h, "url"), strings.Contains(h, "link"), strings.Contains(h, "website"):
		return "https://example.com/" + vocabulary[r.intn(len(vocabulary))]
	case h == "name" || strings.HasSuffix(h, "_name") || strings.HasSuffix(h, "author") || strings.HasSuffix(h, "person"):
		return personNames[r.intn(len(personNames))]
	case h == "id" || strings.HasSuffix(h, "_id"):
		return base62ID("id_", r.next(), 12)
	case strings.Contains(h, "description"), strings.Contains(h, "summary"), strings.Contains(h, "text"),
		strings.Contains(h, "content"), strings.Contains(h, "message"), strings.Contains(h, "answer"), strings.Contains(h, "query"):
		return sentence(r)
	}
	n := r.between(1, 3)
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(vocabulary[r.intn(len(vocabulary))])
	}
	return b.String()
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func uuidFrom(a, b uint64) string {
	var raw [32]byte
	for i := 0; i < 16; i++ {
		raw[i] = hexDigits[(a>>(4*i))&0xf]
		raw[16+i] = hexDigits[(b>>(4*i))&0xf]
	}
	raw[12] = '4'              // version 4
	raw[16] = "89ab"[(b>>1)&3] // RFC 4122 variant
	s := string(raw[:])
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}
