terraform {
  required_providers {
    msgraph = {
      source = "seed40294029/msgraph"
    }
  }
}

# Signed in as the user logged in to the Azure CLI: run `az login` first.
# use_cli is on by default, so an empty block is enough, and the CLI's user
# token is the delegated token that creating conversations needs.
provider "msgraph" {}
