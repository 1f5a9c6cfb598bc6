// Package vertex is the provider translator for Gemini models on Google
// Cloud's Vertex AI. It is the Gemini translator (package gemini, and its
// wire format) behind Vertex AI's URLs and authentication, not a copy of it:
//
//   - Regional endpoints: POST
//     https://{location}-aiplatform.googleapis.com/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:generateContent
//     and :streamGenerateContent?alt=sse; the location "global" is served
//     by https://aiplatform.googleapis.com. Config.Endpoint replaces the
//     scheme and host (a test server, a private endpoint, a proxy).
//   - OAuth2 access tokens minted from a service-account key (the JSON file
//     "gcloud iam service-accounts keys create" writes): the gateway signs
//     a JWT assertion with the account's RSA key (RS256; claims iss, scope
//     cloud-platform, aud = the token URI, iat, exp one hour later) and
//     exchanges it at the file's token_uri (grant type
//     urn:ietf:params:oauth:grant-type:jwt-bearer). That exchange is the
//     only network call besides the API itself: no metadata server, no
//     gcloud, no Google SDK. See TokenSource for caching and refresh.
//
// Vertex AI's differences from the Gemini API that matter to a translator
// are all handled by sending what both accept: every content carries its
// role ("user" or "model"; Vertex rejects a content without one), and
// errors arrive as the same google.rpc.Status envelope, classified by the
// Gemini wire package (401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 404 for
// an unknown publisher model, 429 RESOURCE_EXHAUSTED, 503 UNAVAILABLE).
// A 401 makes the provider drop its cached token, mint a new one and send
// the request once more (a revoked or rotated token costs the caller
// nothing); a second 401 is returned as is.
//
// Not provided: embeddings (Vertex serves them through :predict, another
// wire format) and the model list. Model names are plain ids such as
// "gemini-2.5-flash"; tuned-model endpoints are not supported.
package vertex
