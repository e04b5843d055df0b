# Sourced by deployspec.yml. `lookup <command>` runs <command> with the target environment's CDK
# lookup role (read-only), which `cdk bootstrap --trust <tooling account>` lets the pipeline assume.
lookup() {
  credentials="$(aws sts assume-role \
    --role-arn "arn:aws:iam::${TARGET_ACCOUNT}:role/cdk-hnb659fds-lookup-role-${TARGET_ACCOUNT}-${TARGET_REGION}" \
    --role-session-name pipeline-lookup \
    --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)" || return 1
  AWS_ACCESS_KEY_ID="$(echo "$credentials" | cut -f1)" \
  AWS_SECRET_ACCESS_KEY="$(echo "$credentials" | cut -f2)" \
  AWS_SESSION_TOKEN="$(echo "$credentials" | cut -f3)" \
    "$@"
}
