package sim

// The fixed vocabulary that generated text is drawn from. Changing it changes
// every generated answer, so tests must not depend on particular words, only
// on the opening phrase and on determinism.

// openingPhrase starts every generated text answer, so a reader (or a test)
// recognises simulated output at a glance.
const openingPhrase = "This is a simulated response."

// Word classes for sentence templates: prose that reads like English keeps
// the keyless demo pleasant, and the templates give sentences of 4 to 14
// words.
var (
	nouns = [...]string{
		"model", "gateway", "request", "answer", "token", "stream", "system", "message",
		"result", "value", "network", "server", "client", "route", "provider", "budget",
		"limit", "cache", "chunk", "reply", "question", "team", "user", "engineer",
		"service", "process", "test", "plan", "detail", "example", "river", "garden",
		"window", "morning", "story", "library", "signal", "bridge", "pattern", "record",
	}
	verbs = [...]string{
		"follows", "reaches", "finds", "keeps", "shapes", "carries", "checks", "tracks",
		"explains", "improves", "supports", "shows", "answers", "measures", "connects", "guides",
		"balances", "describes", "protects", "returns",
	}
	adjectives = [...]string{
		"quick", "careful", "useful", "clear", "small", "large", "steady", "simple",
		"bright", "quiet", "patient", "curious", "reliable", "gentle", "modern", "early",
	}
	adverbs = [...]string{
		"quickly", "carefully", "clearly", "often", "again", "together", "well", "calmly",
		"gladly", "openly", "rarely", "mostly",
	}
	prepositions = [...]string{"over", "under", "through", "between", "after", "before", "during", "beside", "across", "around"}
)

// sentenceTemplates are filled word by word: N noun, V verb, A adjective,
// D adverb, P preposition; other bytes are copied.
var sentenceTemplates = [...]string{
	"the A N V D.",
	"every N V the N P the A N.",
	"a A N V P the N, and the N V D.",
	"the N V the A N.",
	"D, the N V the N P every A N.",
	"each A N V the N D.",
	"the N P the N V a A N, so the N V D.",
	"a N V D.",
}

// vocabulary is every word generation may use, for string values.
var vocabulary = func() []string {
	var all []string
	all = append(all, nouns[:]...)
	all = append(all, verbs[:]...)
	all = append(all, adjectives[:]...)
	all = append(all, adverbs[:]...)
	return all
}()

// Values for schema properties whose names say what they hold; a model fills
// "location" with a place, not with random words.
var (
	cityNames    = [...]string{"Boston, MA", "San Francisco, CA", "London", "Paris", "Tokyo", "Berlin", "Toronto", "Sydney"}
	countryNames = [...]string{"UK", "France", "Japan", "Germany", "Canada", "Australia", "Brazil", "India"}
	personNames  = [...]string{"Ada Lovelace", "Alan Turing", "Grace Hopper", "Katherine Johnson", "Edsger Dijkstra", "Barbara Liskov"}
)
