import {
  to = msgraph_group_conversation.kickoff
  id = "00000000-0000-0000-0000-000000000000/AAQkAGRhZmRhMWM3LTYwZTktNDZmYy1hNWU1LThhZWU4NzI2YTEyZgAQADamkjVbzvRKnUq1oBRdwhk="
}
