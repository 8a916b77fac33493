# The module's input checks. These runs only plan and fail on the
# variables, so no Graph request is sent.

variables {
  topic           = "Platform team kickoff"
  kickoff_message = "<p>Welcome.</p>"
}

run "rejects_a_group_name_instead_of_its_id" {
  command = plan

  variables {
    group_id = "Platform Team"
  }

  expect_failures = [var.group_id]
}

run "rejects_a_blank_topic" {
  command = plan

  variables {
    topic = "   "
  }

  expect_failures = [var.topic]
}
