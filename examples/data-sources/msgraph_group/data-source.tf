# Exactly one of id, display_name or mail_nickname.
data "msgraph_group" "marketing" {
  mail_nickname = "marketing"
}

data "msgraph_group" "by_name" {
  display_name = "Marketing" # an error if no group, or several, have this name
}

resource "msgraph_group_conversation" "kickoff" {
  group_id = data.msgraph_group.marketing.id
  topic    = "Quarterly planning kickoff"
  body     = { content = "<p>Agenda inside.</p>" }

  lifecycle {
    precondition {
      condition     = data.msgraph_group.marketing.is_microsoft_365
      error_message = "Only Microsoft 365 groups have conversations."
    }
  }
}
