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
