terraform {
  required_providers {
    msgraph = {
      source = "seed40294029/msgraph"
    }
  }
}

# Real Microsoft Graph with a delegated token fetched by the pipeline, for
# example `az account get-access-token --resource-type ms-graph`.
provider "msgraph" {
  # endpoint defaults to https://graph.microsoft.com/v1.0
  # access_token can also come from ARM_ACCESS_TOKEN.
  access_token = var.graph_token
}

variable "graph_token" {
  type      = string
  sensitive = true
}
