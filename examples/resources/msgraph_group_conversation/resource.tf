resource "msgraph_group_conversation" "kickoff" {
  group_id = "00000000-0000-0000-0000-000000000000" # a Microsoft 365 (Unified) group
  topic    = "Quarterly planning kickoff"
  body = {
    content_type = "html" # "html" (default) or "text"
    content      = "<p>Agenda inside.</p>"
  }
  new_participants = [{ address = "adele@contoso.com", name = "Adele Vance" }] # optional
}
