# An app registration signing in with its certificate (application token:
# reads, imports and deletes work; creating conversations does not).
# Environment: ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_CERTIFICATE_PATH (or
# ARM_CLIENT_CERTIFICATE, base64) and ARM_CLIENT_CERTIFICATE_PASSWORD.
provider "msgraph" {
  alias                       = "client_certificate"
  tenant_id                   = "00000000-0000-0000-0000-000000000000"
  client_id                   = "00000000-0000-0000-0000-000000000000"
  client_certificate_path     = "/secrets/terraform-sp.pfx"
  client_certificate_password = var.certificate_password
}

variable "certificate_password" {
  type      = string
  sensitive = true
  default   = null
}
