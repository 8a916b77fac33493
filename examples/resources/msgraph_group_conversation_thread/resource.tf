resource "msgraph_group_conversation" "kickoff" {
  group_id = "00000000-0000-0000-0000-000000000000" # a Microsoft 365 (Unified) group
  topic    = "Quarterly planning kickoff"
  body     = { content = "<p>Agenda inside.</p>" }
}

# A follow-up thread in the same conversation. Every thread of a conversation
# has the conversation's topic.
resource "msgraph_group_conversation_thread" "budget" {
  group_id        = msgraph_group_conversation.kickoff.group_id
  conversation_id = msgraph_group_conversation.kickoff.id
  topic           = msgraph_group_conversation.kickoff.topic
  body = {
    content_type = "html" # "html" (default) or "text"
    content      = "<p>Budget questions go here.</p>"
  }
  to_recipients = [{ address = "lee@contoso.com", name = "Lee Gu" }] # optional
  cc_recipients = [{ address = "adele@contoso.com" }]                # optional
  is_locked     = false                                              # true locks the thread: no new posts
}
