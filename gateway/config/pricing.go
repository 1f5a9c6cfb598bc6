package config

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/switchboard-gw/switchboard/billing/pricing"
)

// Pricing configures the pricing table: the embedded one (see
// billing/pricing), merged with a user's price list.
type Pricing struct {
	// File is a price list in the format of the embedded prices.yaml; its
	// entries replace the embedded ones of the same provider, model and
	// effective date, and add the others.
	File string `yaml:"file"`
}

// PricingVendor is the vendor whose price list applies to the provider's
// models: the vendor preset of a provider of kind openai (openai, groq,
// deepseek, ...), openai for Azure OpenAI, gemini for Gemini and Vertex AI,
// anthropic; "" for the simulator, whose models are looked up by name on
// every list. A self-hosted vendor (ollama, vllm) or a reseller
// (openrouter) has no list unless pricing.file gives one.
func (p *Provider) PricingVendor() string {
	switch p.Kind {
	case KindOpenAI:
		return p.Vendor
	case KindAzure:
		return pricing.VendorOpenAI
	case KindAnthropic:
		return pricing.VendorAnthropic
	case KindGemini, KindVertex:
		return pricing.VendorGemini
	}
	return ""
}

// PricingTable returns the pricing table: the embedded one merged with
// pricing.file. Validate loads it once; a configuration not validated
// reads the file at each call.
func (c *Config) PricingTable() (*pricing.Table, error) {
	if c.pricingTable != nil {
		return c.pricingTable, nil
	}
	if c.Pricing.File == "" {
		return pricing.Embedded(), nil
	}
	f, err := os.Open(c.Pricing.File)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return pricing.Load(f)
}

// DeploymentPrice returns what the named deployment costs at time at (the
// zero time: now): the table's price of its model on its provider's
// vendor, with the deployment's pricing override applied. false: neither
// prices it, and its attempts are recorded unpriced.
func (c *Config) DeploymentPrice(name string, at time.Time) (pricing.Price, bool) {
	d, ok := c.Deployments[name]
	if !ok || d == nil {
		return pricing.Price{}, false
	}
	table, err := c.PricingTable()
	if err != nil {
		return pricing.Price{}, false
	}
	p, ok, _ := c.deploymentPrice(table, d, at)
	return p, ok
}

// deploymentPrice applies d's override over the table's price; an error
// names the override's field.
func (c *Config) deploymentPrice(table *pricing.Table, d *Deployment, at time.Time) (pricing.Price, bool, error) {
	vendor := ""
	if pc := c.Providers[d.Provider]; pc != nil {
		vendor = pc.PricingVendor()
	}
	base, found := table.Lookup(vendor, d.Model, at)
	if d.Pricing == nil || d.Pricing.IsZero() {
		return base, found, nil
	}
	if !found {
		base = pricing.Price{Provider: vendor, Model: d.Model}
	}
	p, err := d.Pricing.Apply(base, found)
	return p, err == nil, err
}

// validatePricing loads the pricing table (pricing.file) and checks each
// deployment's pricing override.
func (c *Config) validatePricing() error {
	c.pricingTable = nil
	table, err := c.PricingTable()
	if err != nil {
		return fieldErr("pricing.file", "%v", err)
	}
	for _, name := range sortedKeys(c.Deployments) {
		d := c.Deployments[name]
		if d == nil || d.Pricing == nil {
			continue
		}
		if _, _, err := c.deploymentPrice(table, d, time.Time{}); err != nil {
			var fe *pricing.FieldError
			if errors.As(err, &fe) {
				return fieldErr(fmt.Sprintf("deployments.%s.pricing.%s", name, fe.Field), "%s", fe.Reason)
			}
			return fieldErr("deployments."+name+".pricing", "%v", err)
		}
	}
	c.pricingTable = table
	return nil
}
