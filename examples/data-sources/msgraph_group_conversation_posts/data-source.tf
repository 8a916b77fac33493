data "msgraph_group_conversation_posts" "kickoff" {
  group_id        = msgraph_group_conversation.kickoff.group_id
  conversation_id = msgraph_group_conversation.kickoff.id
  thread_id       = msgraph_group_conversation.kickoff.thread_id
}

output "kickoff_replies" {
  value = [for p in data.msgraph_group_conversation_posts.kickoff.posts : "${p.sender.name} at ${p.received_date_time}"]
}
