// Package wireutil holds the helpers that the wire-format packages of the
// provider translators (providers/anthropic/wire, providers/bedrock/wire)
// share, so that each is written once: InvalidRequest errors with the
// common codes and param paths, splicing Extra members into a marshalled
// JSON object, and reading images from data: URLs and lenient base64.
//
// The wire formats' own types and their conversions stay in their
// packages; only logic that does not depend on a format lives here.
package wireutil
