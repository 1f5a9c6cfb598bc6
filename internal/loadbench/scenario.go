package loadbench

import "fmt"

// Scenario is one load shape, run against each target in turn.
type Scenario struct {
	// Name selects the scenario on the command line.
	Name string
	// Stream asks for server-sent events instead of one JSON answer.
	Stream bool
	// Connections > 0 makes a closed loop at that concurrency; otherwise
	// Rate requests per second arrive in an open loop.
	Connections int
	Rate        int
}

// Title describes the scenario in the report.
func (s Scenario) Title() string {
	kind := "unary"
	if s.Stream {
		kind = "stream"
	}
	if s.Connections > 0 {
		return fmt.Sprintf("%s, %d connections", kind, s.Connections)
	}
	return fmt.Sprintf("%s, %d req/s", kind, s.Rate)
}

// Scenario names.
const (
	UnaryClosed  = "unary-closed"
	UnaryOpen    = "unary-open"
	StreamClosed = "stream-closed"
	StreamOpen   = "stream-open"
	HeldStreams  = "held-streams"
)

// ScenarioNames lists every scenario in the order they run.
var ScenarioNames = []string{UnaryClosed, UnaryOpen, StreamClosed, StreamOpen, HeldStreams}

// Scenarios returns the load scenarios of cfg, in the order they run (the
// held streams run last, see holdStreams).
func Scenarios(cfg Config) []Scenario {
	return []Scenario{
		{Name: UnaryClosed, Connections: cfg.Connections},
		{Name: UnaryOpen, Rate: cfg.Rate},
		{Name: StreamClosed, Stream: true, Connections: cfg.Connections},
		{Name: StreamOpen, Stream: true, Rate: cfg.Rate},
	}
}
