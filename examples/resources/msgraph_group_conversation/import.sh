# A conversation is identified by its group's object id and the conversation id.
terraform import msgraph_group_conversation.kickoff "00000000-0000-0000-0000-000000000000/AAQkAGRhZmRhMWM3LTYwZTktNDZmYy1hNWU1LThhZWU4NzI2YTEyZgAQADamkjVbzvRKnUq1oBRdwhk="
