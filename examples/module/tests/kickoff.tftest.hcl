# Runs the module against the provider's Graph emulator. The provider block
# is left out, so the provider reads ARM_MSGRAPH_ENDPOINT and
# ARM_ACCESS_TOKEN, and the group comes from TF_VAR_group_id: set all three
# from the emulator's -ready-file (make testmodule does, see
# scripts/test-module.sh). Against a tenant, the same variables point it
# there. Each run applies; `terraform test` destroys everything at the end.

variables {
  topic           = "Platform team kickoff"
  kickoff_message = "<p>Welcome to the <b>platform</b> team.</p>"
  announcement    = "Release dates are posted here. Replies are closed."
  participants    = [{ address = "adele@contoso.com", name = "Adele Vance" }]
}

run "creates_the_kickoff_and_a_locked_announcements_thread" {
  assert {
    condition     = output.conversation_id != "" && output.kickoff_thread_id != "" && output.announcements_thread_id != ""
    error_message = "Graph assigned no id to the conversation or one of its threads."
  }

  assert {
    condition     = output.announcements_thread_id != output.kickoff_thread_id
    error_message = "The announcements went into the kickoff thread instead of a thread of their own."
  }

  assert {
    condition     = output.announcements_locked
    error_message = "The announcements thread is not locked."
  }

  assert {
    condition     = msgraph_group_conversation_thread.announcements.conversation_id == output.conversation_id
    error_message = "The announcements thread is not in the kickoff conversation."
  }
}

# Reads back what the first run created, through the provider's data
# sources: what Graph stored, not what the plan said.
run "reads_back_what_was_posted" {
  module {
    source = "./tests/readback"
  }

  variables {
    conversation_id = run.creates_the_kickoff_and_a_locked_announcements_thread.conversation_id
    thread_id       = run.creates_the_kickoff_and_a_locked_announcements_thread.announcements_thread_id
  }

  assert {
    condition     = output.topic == var.topic
    error_message = "Graph stored the topic as ${output.topic}."
  }

  assert {
    condition     = length(output.announcement_posts) == 1
    error_message = "The announcements thread holds ${length(output.announcement_posts)} posts, not just the announcement."
  }

  assert {
    condition     = strcontains(output.announcement_posts[0].body.content, "Replies are closed.")
    error_message = "The announcement Graph stored is not the one posted."
  }
}

# Unlocking is the one change Graph makes in place: the thread must keep its
# id. (The earlier run's output comes in through a variable: OpenTofu's
# assertions cannot refer to other runs.)
run "unlocks_the_thread_in_place" {
  variables {
    lock_announcements = false
    locked_thread_id   = run.creates_the_kickoff_and_a_locked_announcements_thread.announcements_thread_id
  }

  assert {
    condition     = !output.announcements_locked
    error_message = "The announcements thread is still locked."
  }

  assert {
    condition     = output.announcements_thread_id == var.locked_thread_id
    error_message = "Unlocking replaced the thread instead of updating it in place."
  }
}
