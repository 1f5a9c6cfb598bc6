package config

// PLACEHOLDER: the lead replaces this with the real configuration package.

// Config is the gateway's resolved configuration.
type Config struct{}

// Load reads the YAML file at path ("" for none), applies the embedded
// defaults (the demo alias served by the in-process simulator, and
// <provider>/<model> routes for each provider whose standard key variable is
// set), validates, and returns the result. lookupEnv is os.LookupEnv in
// production.
func Load(path string, lookupEnv func(string) (string, bool)) (*Config, error) { return &Config{}, nil }
