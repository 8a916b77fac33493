# An app registration signing in with a client secret (application token).
# Environment: ARM_TENANT_ID, ARM_CLIENT_ID and ARM_CLIENT_SECRET (or
# ARM_CLIENT_SECRET_FILE_PATH for a secret mounted as a file).
provider "msgraph" {
  alias                   = "client_secret"
  tenant_id               = "00000000-0000-0000-0000-000000000000"
  client_id               = "00000000-0000-0000-0000-000000000000"
  client_secret_file_path = "/run/secrets/terraform-sp"
}
