// Package cli is the switchboard command line: Run parses the arguments and
// runs a subcommand, so that the binary is testable in-process.
package cli
