# A national cloud: environment picks its Graph host, token audience and
# login authority together (here graph.microsoft.us and
# login.microsoftonline.us). For the Azure CLI, first run
# `az cloud set --name AzureUSGovernment` and `az login`.
provider "msgraph" {
  alias       = "usgovernment"
  environment = "usgovernment" # or ARM_ENVIRONMENT; also dod, china
}
