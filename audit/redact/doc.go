// Package redact replaces personal data and secrets in text with typed
// placeholders before the text is stored: e-mail addresses ([EMAIL]),
// phone numbers ([PHONE]), payment card numbers that pass the Luhn check
// ([CREDIT_CARD]), IBANs that pass their mod-97 check ([IBAN]), IPv4 and
// IPv6 addresses ([IP_ADDRESS]), US social security numbers ([SSN]), and
// API-key-like secrets: "sk-..." keys (OpenAI, Anthropic, Switchboard's
// own sk-sb- and sk-sbadmin-), Google "AIza" keys, GitHub and Slack tokens
// ([API_KEY]), AWS access key ids ([AWS_ACCESS_KEY]) and bearer tokens
// ("Bearer [BEARER_TOKEN]").
//
// Detection is by pattern, so it is a best effort, tuned against false
// positives: numbers are only taken for cards, IBANs and SSNs when their
// check digits or number ranges are valid, phone numbers need an
// international "+" prefix or the North American (NNN) NNN-NNNN shape,
// and an IP address must stand alone (a four-part version string followed
// by another dot is left alone). Text that is already redacted is left as
// it is, so redacting twice changes nothing.
package redact
