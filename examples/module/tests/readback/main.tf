# A helper module for the tests: reads back, through the provider's data
# sources, what the module under test created, as a colleague reading the
# group would see it.

terraform {
  required_providers {
    msgraph = {
      source = "seed40294029/msgraph"
    }
  }
}

variable "group_id" {
  type = string
}

variable "conversation_id" {
  type = string
}

variable "thread_id" {
  type = string
}

data "msgraph_group_conversation" "kickoff" {
  group_id = var.group_id
  id       = var.conversation_id
}

data "msgraph_group_conversation_posts" "announcements" {
  group_id        = var.group_id
  conversation_id = var.conversation_id
  thread_id       = var.thread_id
}

output "topic" {
  value = data.msgraph_group_conversation.kickoff.topic
}

output "announcement_posts" {
  value = data.msgraph_group_conversation_posts.announcements.posts
}
