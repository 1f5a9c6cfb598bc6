package wire

import "encoding/json"

// GenerateContentRequest is the body of POST models/{model}:generateContent
// and :streamGenerateContent. The model is in the path, not the body.
type GenerateContentRequest struct {
	Contents          []Content         `json:"contents"`
	SystemInstruction *Content          `json:"systemInstruction,omitempty"`
	Tools             []Tool            `json:"tools,omitempty"`
	ToolConfig        *ToolConfig       `json:"toolConfig,omitempty"`
	SafetySettings    []SafetySetting   `json:"safetySettings,omitempty"`
	GenerationConfig  *GenerationConfig `json:"generationConfig,omitempty"`
	// CachedContent names an explicit cache ("cachedContents/...").
	CachedContent string `json:"cachedContent,omitempty"`
	// Labels are Vertex AI's billing labels; the Gemini API ignores them.
	Labels map[string]string `json:"labels,omitempty"`
}

// Content is one turn: role "user" or "model" and its parts. The system
// instruction is a Content too (its role is ignored).
type Content struct {
	Role  string `json:"role,omitempty"`
	Parts []Part `json:"parts,omitempty"`
}

// Part is one piece of a turn. Exactly one of the data fields (Text,
// InlineData, FileData, FunctionCall, FunctionResponse, ExecutableCode,
// CodeExecutionResult) is set; Thought and ThoughtSignature qualify it.
// Text is a pointer because an empty text part is meaningful: Gemini sends
// {"text": "", "thoughtSignature": ...} to carry a signature alone.
type Part struct {
	Text             *string           `json:"text,omitempty"`
	InlineData       *Blob             `json:"inlineData,omitempty"`
	FileData         *FileData         `json:"fileData,omitempty"`
	FunctionCall     *FunctionCall     `json:"functionCall,omitempty"`
	FunctionResponse *FunctionResponse `json:"functionResponse,omitempty"`
	// ExecutableCode and CodeExecutionResult come from the code execution
	// tool; the gateway does not translate them.
	ExecutableCode      json.RawMessage `json:"executableCode,omitempty"`
	CodeExecutionResult json.RawMessage `json:"codeExecutionResult,omitempty"`
	// Thought marks a thought summary (a text part with thought: true).
	Thought bool `json:"thought,omitempty"`
	// ThoughtSignature is opaque state the model needs back on the next
	// turn, in the same part. Its base64 alphabet varies between models, so
	// it is never decoded.
	ThoughtSignature string          `json:"thoughtSignature,omitempty"`
	VideoMetadata    json.RawMessage `json:"videoMetadata,omitempty"`
	MediaResolution  json.RawMessage `json:"mediaResolution,omitempty"`
	PartMetadata     json.RawMessage `json:"partMetadata,omitempty"`
}

// Blob is inline data: a MIME type and base64 bytes.
type Blob struct {
	MimeType string `json:"mimeType"`
	Data     string `json:"data"`
}

// FileData refers to data by URI (a Files API URI, or a URL).
type FileData struct {
	MimeType string `json:"mimeType,omitempty"`
	FileURI  string `json:"fileUri"`
}

// FunctionCall is a call the model asked for. Args is a JSON object; ID is
// usually absent on the Gemini API.
type FunctionCall struct {
	ID   string          `json:"id,omitempty"`
	Name string          `json:"name"`
	Args json.RawMessage `json:"args,omitempty"`
}

// FunctionResponse is the result of a call, sent in a "user" turn.
// Response is a JSON object.
type FunctionResponse struct {
	ID           string          `json:"id,omitempty"`
	Name         string          `json:"name"`
	Response     json.RawMessage `json:"response"`
	Parts        json.RawMessage `json:"parts,omitempty"`
	WillContinue *bool           `json:"willContinue,omitempty"`
	Scheduling   string          `json:"scheduling,omitempty"`
}

// Tool is a set of function declarations, or one of Gemini's built-in tools
// (kept raw: the gateway passes them through from provider options).
type Tool struct {
	FunctionDeclarations  []FunctionDeclaration `json:"functionDeclarations,omitempty"`
	GoogleSearch          json.RawMessage       `json:"googleSearch,omitempty"`
	GoogleSearchRetrieval json.RawMessage       `json:"googleSearchRetrieval,omitempty"`
	CodeExecution         json.RawMessage       `json:"codeExecution,omitempty"`
	URLContext            json.RawMessage       `json:"urlContext,omitempty"`
	GoogleMaps            json.RawMessage       `json:"googleMaps,omitempty"`
	FileSearch            json.RawMessage       `json:"fileSearch,omitempty"`
	ComputerUse           json.RawMessage       `json:"computerUse,omitempty"`
}

// FunctionDeclaration declares a function. Its arguments are described by
// Parameters (Gemini's OpenAPI 3 subset) or ParametersJSONSchema (JSON
// Schema); the two are mutually exclusive.
type FunctionDeclaration struct {
	Name                 string          `json:"name"`
	Description          string          `json:"description,omitempty"`
	Parameters           json.RawMessage `json:"parameters,omitempty"`
	ParametersJSONSchema json.RawMessage `json:"parametersJsonSchema,omitempty"`
	Response             json.RawMessage `json:"response,omitempty"`
	ResponseJSONSchema   json.RawMessage `json:"responseJsonSchema,omitempty"`
	Behavior             string          `json:"behavior,omitempty"`
}

// ToolConfig constrains tool use.
type ToolConfig struct {
	FunctionCallingConfig *FunctionCallingConfig `json:"functionCallingConfig,omitempty"`
	RetrievalConfig       json.RawMessage        `json:"retrievalConfig,omitempty"`
}

// Function calling modes.
const (
	ModeAuto      = "AUTO"
	ModeAny       = "ANY"
	ModeNone      = "NONE"
	ModeValidated = "VALIDATED"
)

// FunctionCallingConfig is the mode (AUTO, ANY, NONE, VALIDATED) and, with
// ANY, the functions the model may call.
type FunctionCallingConfig struct {
	Mode                 string   `json:"mode,omitempty"`
	AllowedFunctionNames []string `json:"allowedFunctionNames,omitempty"`
}

// SafetySetting sets the blocking threshold of one harm category.
type SafetySetting struct {
	Category  string `json:"category"`
	Threshold string `json:"threshold"`
	Method    string `json:"method,omitempty"`
}

// GenerationConfig holds the sampling and output options.
type GenerationConfig struct {
	StopSequences      []string        `json:"stopSequences,omitempty"`
	ResponseMimeType   string          `json:"responseMimeType,omitempty"`
	ResponseSchema     json.RawMessage `json:"responseSchema,omitempty"`
	ResponseJSONSchema json.RawMessage `json:"responseJsonSchema,omitempty"`
	ResponseModalities []string        `json:"responseModalities,omitempty"`
	CandidateCount     *int            `json:"candidateCount,omitempty"`
	MaxOutputTokens    *int64          `json:"maxOutputTokens,omitempty"`
	Temperature        *float64        `json:"temperature,omitempty"`
	TopP               *float64        `json:"topP,omitempty"`
	TopK               *int64          `json:"topK,omitempty"`
	Seed               *int64          `json:"seed,omitempty"`
	PresencePenalty    *float64        `json:"presencePenalty,omitempty"`
	FrequencyPenalty   *float64        `json:"frequencyPenalty,omitempty"`
	ResponseLogprobs   *bool           `json:"responseLogprobs,omitempty"`
	Logprobs           *int            `json:"logprobs,omitempty"`
	ThinkingConfig     *ThinkingConfig `json:"thinkingConfig,omitempty"`
	MediaResolution    string          `json:"mediaResolution,omitempty"`
	SpeechConfig       json.RawMessage `json:"speechConfig,omitempty"`
	ImageConfig        json.RawMessage `json:"imageConfig,omitempty"`
	// EnableEnhancedCivicAnswers is a Gemini API switch kept for fidelity.
	EnableEnhancedCivicAnswers *bool `json:"enableEnhancedCivicAnswers,omitempty"`
}

// ThinkingConfig asks a thinking model for a budget (Gemini 2.5: tokens, 0
// disables, -1 is dynamic) or a level (Gemini 3: "low", "high"), and
// whether to return thought summaries.
type ThinkingConfig struct {
	IncludeThoughts bool   `json:"includeThoughts,omitempty"`
	ThinkingBudget  *int64 `json:"thinkingBudget,omitempty"`
	ThinkingLevel   string `json:"thinkingLevel,omitempty"`
}
