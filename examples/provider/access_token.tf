# A token the pipeline fetched itself, used as is. It wins over every other
# method. For a delegated token:
#   export ARM_ACCESS_TOKEN=$(az account get-access-token --resource-type ms-graph --query accessToken -o tsv)
provider "msgraph" {
  alias        = "access_token"
  access_token = var.graph_token # or leave it out and set ARM_ACCESS_TOKEN
}

variable "graph_token" {
  type      = string
  sensitive = true
  default   = null
}
