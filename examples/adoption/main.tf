# Adopts every conversation of a Microsoft 365 group, and every thread in
# them, in one apply: nothing is created, and a plan afterwards shows no
# changes. Needs Terraform 1.7 or OpenTofu 1.7 or later (for_each in import
# blocks).

terraform {
  required_version = ">= 1.7"
  required_providers {
    msgraph = {
      source = "seed40294029/msgraph"
    }
  }
}

# The endpoint and credentials come from the environment, for example
# ARM_ACCESS_TOKEN or ARM_TENANT_ID, ARM_CLIENT_ID and ARM_CLIENT_SECRET.
provider "msgraph" {}

variable "group_id" {
  description = "Object id of the Microsoft 365 group whose conversations are adopted."
  type        = string
}

# Every conversation of the group with what importing it reads: the first
# post's body and participants, and the other threads with their bodies and
# recipients. include_threads costs one request per conversation and one per
# thread on every plan.
data "msgraph_group_conversations" "existing" {
  group_id        = var.group_id
  include_threads = true
}

locals {
  # The conversations to adopt, by id. The import blocks and the resources
  # below use this same map: a conversation in the resources' for_each but
  # not in the import's would be created again instead of adopted. Filter
  # here to adopt only some, for example with `if c.topic != "Welcome"`.
  conversations = {
    for c in data.msgraph_group_conversations.existing.conversations : c.id => c
  }

  # Their other threads, by id, each with the id of its conversation.
  threads = {
    for t in flatten([
      for c in local.conversations : [
        for thread in c.additional_threads : merge(thread, { conversation_id = c.id })
      ]
    ]) : t.id => t
  }
}

import {
  for_each = local.conversations
  to       = msgraph_group_conversation.adopted[each.key]
  id       = "${var.group_id}/${each.key}"
}

resource "msgraph_group_conversation" "adopted" {
  for_each = local.conversations

  group_id         = var.group_id
  topic            = each.value.topic
  body             = each.value.body
  new_participants = each.value.new_participants
}

import {
  for_each = local.threads
  to       = msgraph_group_conversation_thread.adopted[each.key]
  id       = "${var.group_id}/${each.value.conversation_id}/${each.key}"
}

resource "msgraph_group_conversation_thread" "adopted" {
  for_each = local.threads

  group_id        = var.group_id
  conversation_id = msgraph_group_conversation.adopted[each.value.conversation_id].id
  topic           = msgraph_group_conversation.adopted[each.value.conversation_id].topic
  body            = each.value.body
  to_recipients   = each.value.to_recipients
  cc_recipients   = each.value.cc_recipients
  is_locked       = each.value.is_locked

  lifecycle {
    # Graph adds the people that replies bring in to a thread's recipients,
    # so the data source's lists grow; that is no reason to replace the
    # thread.
    ignore_changes = [to_recipients, cc_recipients]
  }
}

output "adopted" {
  description = "The topic of every adopted conversation, by id."
  value       = { for id, c in msgraph_group_conversation.adopted : id => c.topic }
}
