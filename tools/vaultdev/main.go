// Command vaultdev builds the HashiCorp Vault server binary from source so that
// Switchboard's tests can run a real Vault. Vault cannot be fetched with
// `go install` (its go.mod has replace directives) and no Debian package ships
// it, so this separate module pins the version and keeps Vault's large
// dependency graph out of Switchboard's main go.mod.
package main

import (
	"os"

	"github.com/hashicorp/vault/command"
)

func main() {
	os.Exit(command.Run(os.Args[1:]))
}
