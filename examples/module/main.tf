# A small module around this provider, as a team would write one: a group's
# kickoff conversation, and in it a locked thread for announcements. Its
# tests (tests/*.tftest.hcl) run with `terraform test` or `tofu test`
# against the provider's Graph emulator; see the guide "Testing modules that
# use this provider".
#
# A module does not configure the provider: the root module (or the test
# run) does, so the same module works against a tenant and the emulator.

terraform {
  required_version = ">= 1.6"

  required_providers {
    msgraph = {
      source  = "seed40294029/msgraph"
      version = ">= 0.1"
    }
  }
}

resource "msgraph_group_conversation" "kickoff" {
  group_id         = var.group_id
  topic            = var.topic
  body             = { content = var.kickoff_message }
  new_participants = var.participants
}

# Every thread of a conversation has the conversation's topic.
resource "msgraph_group_conversation_thread" "announcements" {
  group_id        = var.group_id
  conversation_id = msgraph_group_conversation.kickoff.id
  topic           = msgraph_group_conversation.kickoff.topic
  body = {
    content_type = "text"
    content      = var.announcement
  }
  to_recipients = var.participants
  is_locked     = var.lock_announcements
}
