# Workload identity federation from GitHub Actions, with no secret at all.
# The job needs `permissions: id-token: write`; GitHub then sets
# ACTIONS_ID_TOKEN_REQUEST_TOKEN and ACTIONS_ID_TOKEN_REQUEST_URL, which the
# provider reads. The app registration needs a federated credential for the
# repository. In Kubernetes, set oidc_token_file_path (or
# ARM_OIDC_TOKEN_FILE_PATH) to the projected service account token instead.
provider "msgraph" {
  alias     = "oidc"
  use_oidc  = true # or ARM_USE_OIDC=true
  tenant_id = "00000000-0000-0000-0000-000000000000"
  client_id = "00000000-0000-0000-0000-000000000000"
}
