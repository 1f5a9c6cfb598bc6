// Package azure is the provider translator for Azure OpenAI (and the
// OpenAI models of Azure AI Foundry). It is the OpenAI translator (package
// openai, and its wire format) behind Azure's URLs and authentication, not
// a copy of it.
//
// # URLs
//
// Azure serves each model as a deployment with a name its owner chose, and
// that name is a URL path element. The model of a canonical request is the
// deployment name:
//
//	RouteDeployments (default):
//	  POST {endpoint}/openai/deployments/{deployment}/chat/completions?api-version={version}
//	  POST {endpoint}/openai/deployments/{deployment}/embeddings?api-version={version}
//	RouteV1 (the "v1" API, no api-version needed):
//	  POST {endpoint}/openai/v1/chat/completions   with "model": "{deployment}" in the body
//	  POST {endpoint}/openai/v1/embeddings
//
// api-version defaults to DefaultAPIVersion, the current GA version of the
// data-plane inference API.
//
// # Credentials
//
// AuthAPIKey sends the resource key in the api-key header; AuthBearer sends
// a Microsoft Entra ID access token (audience
// https://cognitiveservices.azure.com) as Authorization: Bearer. Either
// comes from Config.APIKey or, for a value that changes (a token refreshed
// into Vault), from Config.Credential on every call.
//
// # Differences from OpenAI
//
// Azure runs a content filter around the model, and says so in its answers:
//
//   - finish_reason "content_filter" is llm.FinishContentFilter, the
//     content sent before the filter cut in is kept;
//   - prompt_filter_results (on the response, and alone in the first
//     stream chunk, with "choices": [] and empty id and model) and
//     content_filter_results (on each choice, and in annotation chunks that
//     carry no delta, sent by the asynchronous filter) are read and
//     dropped: they never become empty chunks;
//   - a prompt the filter rejects is HTTP 400 with error.code
//     "content_filter" and innererror.code "ResponsibleAIPolicyViolation":
//     llm.KindContentFiltered.
//
// Azure's own error envelope, {"error": {"code": "401" | "DeploymentNotFound"
// | "429" | ..., "message": ...}}, is classified by status like OpenAI's:
// 401 Unauthenticated (with a fixed message: Azure's does not help the
// caller), 404 DeploymentNotFound NotFound, 429 RateLimited with RetryAfter
// from retry-after-ms or retry-after.
package azure
