# A Microsoft 365 group and its kickoff conversation, created in one apply.
#
# Microsoft 365 creates a group's mailbox some time after the group: until
# then, Graph refuses conversations in it (404 MailboxNotEnabledForRESTAPI).
# The provider recognises that, waits for the mailbox within the create
# timeout, logging its progress, and then creates the conversation. Reports
# of mailboxes taking up to 45 minutes exist, hence the longer timeout.
#
# This example needs the azuread provider and a tenant: unlike the other
# examples it cannot run against the offline emulator.

terraform {
  required_providers {
    azuread = {
      source  = "hashicorp/azuread"
      version = "~> 3.0"
    }
    msgraph = {
      source = "seed40294029/msgraph"
    }
  }
}

# Both providers sign in the same way (the Azure CLI by default, or the same
# ARM_* variables). Creating conversations needs a signed-in user.
provider "azuread" {}
provider "msgraph" {}

data "azuread_client_config" "current" {}

resource "azuread_group" "launch" {
  display_name     = "Product launch"
  mail_nickname    = "product-launch"
  mail_enabled     = true
  security_enabled = false
  types            = ["Unified"]
  owners           = [data.azuread_client_config.current.object_id]
}

resource "msgraph_group_conversation" "kickoff" {
  group_id = azuread_group.launch.object_id
  topic    = "Welcome to the launch team"
  body = {
    content = "<p>This group plans the launch. Introduce yourself below.</p>"
  }

  timeouts {
    create = "60m"
  }
}
