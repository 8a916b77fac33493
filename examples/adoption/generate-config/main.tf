# Writes an import block for every conversation of a Microsoft 365 group and
# for every other thread in them, with readable resource names, so that
# `terraform plan -generate-config-out=generated.tf` can write their resource
# blocks. Run it in a directory of its own:
#
#   terraform apply -var group_id=<group object id>
#   terraform output -raw import_blocks > ../conversations/imports.tf
#
# Configuration generation does not work with for_each in import blocks,
# which is why this writes one block per object.

terraform {
  required_version = ">= 1.5"
  required_providers {
    msgraph = {
      source = "seed40294029/msgraph"
    }
  }
}

provider "msgraph" {}

variable "group_id" {
  description = "Object id of the Microsoft 365 group whose conversations are adopted."
  type        = string
}

# include_threads lists the threads; the import blocks need only their ids.
data "msgraph_group_conversations" "existing" {
  group_id        = var.group_id
  include_threads = true
}

locals {
  conversations = data.msgraph_group_conversations.existing.conversations

  # A resource name that is valid, readable and unique: the topic in lower
  # case with every run of other characters as "_", cut to 40 characters,
  # and 8 characters of the hash of the id.
  conversation_names = {
    for c in local.conversations : c.id => join("_", compact([
      "conversation",
      trim(substr(replace(lower(c.topic), "/[^a-z0-9]+/", "_"), 0, 40), "_"),
      substr(sha1(c.id), 0, 8),
    ]))
  }

  thread_imports = flatten([
    for c in local.conversations : [
      for t in c.additional_threads : {
        name = join("_", compact([
          "thread",
          trim(substr(replace(lower(c.topic), "/[^a-z0-9]+/", "_"), 0, 40), "_"),
          substr(sha1(t.id), 0, 8),
        ]))
        id = "${var.group_id}/${c.id}/${t.id}"
      }
    ]
  ])
}

output "import_blocks" {
  description = "One import block per conversation and per other thread, to save as imports.tf."
  value = join("\n", concat(
    [for c in local.conversations : <<-EOT
      import {
        to = msgraph_group_conversation.${local.conversation_names[c.id]}
        id = "${var.group_id}/${c.id}"
      }
    EOT
    ],
    [for t in local.thread_imports : <<-EOT
      import {
        to = msgraph_group_conversation_thread.${t.name}
        id = "${t.id}"
      }
    EOT
    ],
  ))
}
