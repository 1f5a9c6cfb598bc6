package genai

import "strings"

// ProviderSystem returns the gen_ai.provider.name of a provider configured
// with kind and vendor (see gateway/config): the semantic conventions'
// well-known value where there is one, else "switchboard.<kind>" or the
// vendor's own name. The simulator is "switchboard.sim".
func ProviderSystem(kind, vendor string) string {
	switch kind {
	case "openai":
		switch vendor {
		case "", "openai":
			return "openai"
		case "mistral":
			return "mistral_ai"
		case "together":
			return "together_ai"
		case "groq", "deepseek", "openrouter", "ollama", "vllm":
			return vendor
		}
		return vendor
	case "anthropic":
		return "anthropic"
	case "gemini":
		return "gcp.gemini"
	case "vertex":
		return "gcp.vertex_ai"
	case "bedrock":
		return "aws.bedrock"
	case "azure":
		return "azure.ai.openai"
	case "sim":
		return "switchboard.sim"
	case "":
		return "_OTHER"
	}
	return "switchboard." + kind
}

// Passthrough is the label of every "<provider>/<model>" name: the model
// part is chosen by callers, so it never becomes a label value of its own.
const Passthrough = "/*"

// Label bounds an alias or deployment name for use as a metric label.
// Configured names are bounded by the configuration and pass unchanged; a
// passthrough name "<provider>/<model>" (which callers choose) becomes
// "<provider>/*".
func Label(name, provider string) string {
	if provider != "" && len(name) > len(provider) && name[len(provider)] == '/' && strings.HasPrefix(name, provider) {
		return provider + Passthrough
	}
	return name
}

// IsPassthrough reports whether a deployment name is a passthrough one
// ("<provider>/<model>", named by the caller).
func IsPassthrough(deployment, provider string) bool {
	return Label(deployment, provider) != deployment
}

// ModelLabel bounds an upstream model name for use as a metric label: the
// configured model of a deployment passes, the caller-chosen model of a
// passthrough deployment becomes "*".
func ModelLabel(model, deployment, provider string) string {
	if IsPassthrough(deployment, provider) {
		return "*"
	}
	return model
}
