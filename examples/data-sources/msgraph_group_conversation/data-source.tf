data "msgraph_group_conversation" "kickoff" {
  group_id = "00000000-0000-0000-0000-000000000000"
  id       = "AAQkAGRhZmRhMWM3LTYwZTktNDZmYy1hNWU1LThhZWU4NzI2YTEyZgAQADamkjVbzvRKnUq1oBRdwhk="
}

output "kickoff_latest" {
  value = "${data.msgraph_group_conversation.kickoff.last_delivered_date_time}: ${data.msgraph_group_conversation.kickoff.preview}"
}
