# Every conversation of the group, across all pages.
data "msgraph_group_conversations" "all" {
  group_id = "00000000-0000-0000-0000-000000000000"
}

# Only those whose topic is exactly "Weekly sync" (filtered by the provider:
# Graph cannot filter on topic).
data "msgraph_group_conversations" "weekly" {
  group_id = "00000000-0000-0000-0000-000000000000"
  topic    = "Weekly sync"
}

output "conversation_topics" {
  value = [for c in data.msgraph_group_conversations.all.conversations : c.topic]
}

# With what importing each conversation and thread reads: the first post's
# body and participants, and the other threads (one request per conversation
# and one per thread). See the guide "Adopting existing conversations".
data "msgraph_group_conversations" "adoptable" {
  group_id        = "00000000-0000-0000-0000-000000000000"
  include_threads = true
}

output "first_post_bodies" {
  value = { for c in data.msgraph_group_conversations.adoptable.conversations : c.topic => c.body.content }
}
