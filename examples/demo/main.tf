# The demo that `make demo` applies against the bundled Graph emulator.
# The provider reads its endpoint and token from ARM_MSGRAPH_ENDPOINT and
# ARM_ACCESS_TOKEN, which the demo script sets.

terraform {
  required_providers {
    msgraph = {
      source = "seed40294029/msgraph"
    }
  }
}

provider "msgraph" {}

variable "group_id" {
  description = "Object id of the Microsoft 365 group that receives the conversations."
  type        = string
}

resource "msgraph_group_conversation" "kickoff" {
  group_id = var.group_id
  topic    = "Quarterly planning kickoff"
  body = {
    content = <<-EOT
      <p>Welcome to planning season.</p>
      <ul>
        <li>Budget review on Monday</li>
        <li>Roadmap draft by Friday</li>
      </ul>
    EOT
  }
  new_participants = [{ address = "adele@contoso.com", name = "Adele Vance" }]
}

resource "msgraph_group_conversation" "handbook" {
  group_id = var.group_id
  topic    = "Where to find the team handbook"
  body = {
    content_type = "text"
    content      = "The handbook lives in the Files tab. Ask here if anything is unclear."
  }
}

resource "msgraph_group_conversation" "oncall" {
  group_id = var.group_id
  topic    = "On-call rota for December"
  body = {
    content = "<p>Reply with the weeks you <b>cannot</b> cover.</p>"
  }
}

output "conversations" {
  description = "Id and Graph's preview of each conversation."
  value = {
    for name, c in {
      kickoff  = msgraph_group_conversation.kickoff
      handbook = msgraph_group_conversation.handbook
      oncall   = msgraph_group_conversation.oncall
    } : name => { id = c.id, preview = c.preview, senders = c.unique_senders }
  }
}
