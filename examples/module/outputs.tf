output "conversation_id" {
  description = "Id of the kickoff conversation."
  value       = msgraph_group_conversation.kickoff.id
}

output "kickoff_thread_id" {
  description = "Id of the thread holding the kickoff post."
  value       = msgraph_group_conversation.kickoff.thread_id
}

output "announcements_thread_id" {
  description = "Id of the announcements thread."
  value       = msgraph_group_conversation_thread.announcements.id
}

output "announcements_locked" {
  description = "Whether the announcements thread is locked."
  value       = msgraph_group_conversation_thread.announcements.is_locked
}
