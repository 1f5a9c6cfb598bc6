// Package upstream holds what every provider translator does the same way
// around its HTTP call: classifying a failure to get (or read) a response
// into an llm.Error, and reading a bounded response body into a pooled
// buffer. The translators differ in their wire formats, not in this.
package upstream
