# The managed identity of the Azure VM, App Service, Function or container
# running Terraform (application token). client_id picks a user-assigned
# identity; leave it out for the system-assigned one.
provider "msgraph" {
  alias     = "managed_identity"
  use_msi   = true # or ARM_USE_MSI=true
  client_id = "00000000-0000-0000-0000-000000000000"
}
