package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Load reads the YAML file at path ("" for none), applies the embedded
// defaults, validates, and returns the result. lookupEnv is os.LookupEnv in
// production; it decides which env-key providers exist and resolves env:
// references.
func Load(path string, lookupEnv func(string) (string, bool)) (*Config, error) {
	cfg := &Config{}
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		if err := decode(data, cfg); err != nil {
			return nil, fmt.Errorf("config %s: %w", path, err)
		}
		cfg.Source = path
	}
	if lookupEnv == nil {
		lookupEnv = func(string) (string, bool) { return "", false }
	}
	cfg.LookupEnv = lookupEnv
	cfg.applyDefaults()
	if err := cfg.Validate(); err != nil {
		if path != "" {
			return nil, fmt.Errorf("config %s: %w", path, err)
		}
		return nil, fmt.Errorf("config: %w", err)
	}
	return cfg, nil
}

// Parse reads a configuration from YAML bytes, as Load does for a file.
func Parse(data []byte, lookupEnv func(string) (string, bool)) (*Config, error) {
	cfg := &Config{}
	if err := decode(data, cfg); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if lookupEnv == nil {
		lookupEnv = func(string) (string, bool) { return "", false }
	}
	cfg.LookupEnv = lookupEnv
	cfg.applyDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return cfg, nil
}

func decode(data []byte, cfg *Config) error {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return err
	}
	if root.Kind == 0 {
		return nil // an empty file is the defaults
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true) // a misspelt field is an error, not a silent default
	if err := dec.Decode(cfg); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		var te *yaml.TypeError
		if errors.As(err, &te) {
			return namedTypeError(&root, te)
		}
		return err
	}
	return nil
}

// namedTypeError rewrites yaml's "line N: ..." messages to name the field
// at that line, so that the error says which setting is wrong.
func namedTypeError(root *yaml.Node, te *yaml.TypeError) error {
	msgs := make([]string, 0, len(te.Errors))
	for _, m := range te.Errors {
		var line int
		if _, err := fmt.Sscanf(m, "line %d:", &line); err == nil {
			if path := pathAtLine(root, line, ""); path != "" {
				_, rest, _ := strings.Cut(m, ":")
				m = fmt.Sprintf("%s (line %d):%s", path, line, rest)
			}
		}
		msgs = append(msgs, m)
	}
	return errors.New(strings.Join(msgs, "; "))
}

// pathAtLine returns the dotted path of the mapping key on the given line.
func pathAtLine(n *yaml.Node, line int, prefix string) string {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if p := pathAtLine(c, line, prefix); p != "" {
				return p
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			path := k.Value
			if prefix != "" {
				path = prefix + "." + k.Value
			}
			if k.Line == line {
				return path
			}
			if p := pathAtLine(v, line, path); p != "" {
				return p
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			path := fmt.Sprintf("%s[%d]", prefix, i)
			if c.Line == line && c.Kind == yaml.ScalarNode {
				return path
			}
			if p := pathAtLine(c, line, path); p != "" {
				return p
			}
		}
	}
	return ""
}

func (c *Config) applyDefaults() {
	c.applyStoreDefaults()
	c.applyLedgerDefaults()
	c.applyTelemetryDefaults()
	c.applyRedisDefaults()
	c.applyRateLimitDefaults()
	c.applyLimitsDefaults()
	if c.Server.Addr == "" {
		c.Server.Addr = DefaultAddr
	}
	if c.Server.MaxBodyBytes == 0 {
		c.Server.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.Server.ShutdownTimeout == 0 {
		c.Server.ShutdownTimeout = DefaultShutdownTimeout
	}
	if c.Providers == nil {
		c.Providers = map[string]*Provider{}
	}
	if c.Deployments == nil {
		c.Deployments = map[string]*Deployment{}
	}
	if c.Aliases == nil {
		c.Aliases = map[string]*Alias{}
	}
	for _, p := range c.Providers {
		if p != nil && p.Kind == KindOpenAI && p.Vendor == "" {
			p.Vendor = "openai"
		}
	}
	if c.Defaults.EnvProvidersEnabled() {
		for _, ep := range envProviders {
			if v, ok := c.LookupEnv(ep.variable); !ok || v == "" {
				continue
			}
			if _, taken := c.Providers[ep.name]; taken {
				continue // a declared provider of that name wins
			}
			c.Providers[ep.name] = &Provider{Kind: ep.kind, Vendor: ep.vendor, APIKey: "env:" + ep.variable, Passthrough: true}
		}
	}
	if c.Defaults.DemoEnabled() {
		for _, d := range demoDialects {
			if _, taken := c.Providers[d.provider]; !taken {
				c.Providers[d.provider] = &Provider{Kind: KindSim, Dialect: d.dialect}
			}
			if _, taken := c.Deployments[d.alias]; !taken {
				c.Deployments[d.alias] = &Deployment{Provider: d.provider, Model: DemoModel, DeploymentRouting: demoDeploymentRouting()}
			}
			if _, taken := c.Aliases[d.alias]; !taken {
				c.Aliases[d.alias] = &Alias{Deployments: []string{d.alias}, AliasRouting: demoAliasRouting()}
			}
		}
	}
}
