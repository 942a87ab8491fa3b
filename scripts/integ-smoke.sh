#!/usr/bin/env bash
# The deploy smoke test (docs/DEPLOY.md, "Deploy smoke test"). It deploys a dev copy of epycloud
# (stacks EpycloudInteg-*) to a real AWS account, runs the two-task experiment
# integ/local/forecast/experiments/integ-smoke through it, updates a job definition, retries a run,
# and destroys everything. It costs money (well under $1) and takes about 75 minutes. CI never runs it.
#
#   AWS_PROFILE=dev AWS_REGION=us-east-1 npm run integ      the whole test
#   AWS_PROFILE=dev AWS_REGION=us-east-1 npm run integ -- --destroy
#                                                           only the teardown (after a failure or EPYCLOUD_INTEG_KEEP=1)
#
# EPYCLOUD_INTEG_KEEP=1 keeps the stacks when a step fails (to look at them); EPYCLOUD_INTEG_TAG
# sets the run-id tag (default: the UTC time). Needs Docker (the stage image is built by cdk deploy)
# and a bootstrapped account/region (npx cdk bootstrap aws://ACCOUNT/REGION).
set -euo pipefail
cd "$(dirname "$0")/.."

REGION="${AWS_REGION:-${AWS_DEFAULT_REGION:-}}"
if [[ -z "$REGION" ]]; then
  echo "integ-smoke: set AWS_REGION (and credentials: AWS_PROFILE or the standard chain)" >&2
  exit 2
fi
export AWS_REGION="$REGION"

TAG="${EPYCLOUD_INTEG_TAG:-$(date -u +%m%d%H%M%S)}"
PREFIX=EpycloudInteg
EXP=integ-smoke
WORK="$(mktemp -d "${TMPDIR:-/tmp}/epycloud-integ.XXXXXX")"
CDK=(npx cdk --app "npx tsx integ/integ.smoke.ts" --output "$WORK/cdk.out" -c "epycloud-integ:tag=$TAG")
EPYCLOUD=(node cli/epycloud.mjs)
CLOUD=(--stack-prefix "$PREFIX" --region "$REGION")
CHECK=(npx tsx integ/smoke-check.ts)
export EPYCLOUD_LOCAL_DIR=integ/local # the CLI finds the experiment under integ/local/forecast/experiments/

step="preflight"
deployed=0
log() { printf '\n== integ-smoke [%dm%02ds] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }

teardown() {
  log "teardown: cdk destroy, then what destroy leaves (job definition revisions, the retained image repository)"
  local repository
  repository="$("${CHECK[@]}" repository)" || return 1
  "${CDK[@]}" destroy --all --force || return 1
  "${CHECK[@]}" cleanup "$repository" || return 1
}

on_exit() {
  local status=$?
  trap - EXIT
  if ((status != 0)); then
    echo "integ-smoke: FAILED in step \"$step\" (exit $status); work files in $WORK" >&2
    if ((deployed == 0)); then
      exit "$status"
    elif [[ "${EPYCLOUD_INTEG_KEEP:-0}" == 1 ]]; then
      echo "integ-smoke: stacks kept (EPYCLOUD_INTEG_KEEP=1); remove them with: npm run integ -- --destroy" >&2
    elif ! teardown; then
      echo "integ-smoke: teardown failed: see docs/DEPLOY.md, \"Deploy smoke test\", cleanup by hand" >&2
    fi
  fi
  exit "$status"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

if [[ "${1:-}" == "--destroy" ]]; then
  deployed=1
  step="teardown"
  teardown
  exit 0
fi

docker info >/dev/null 2>&1 || {
  echo "integ-smoke: Docker must be running: cdk deploy builds the stage image (docker/Dockerfile, target cloud)" >&2
  exit 2
}

# Waits for an execution (by name) to end; fails unless it SUCCEEDED.
wait_for_execution() {
  local name="$1" status
  for _ in $(seq 1 120); do
    status="$("${EPYCLOUD[@]}" workflow describe "$name" --json "${CLOUD[@]}" | "${CHECK[@]}" status)"
    case "$status" in
      SUCCEEDED) return 0 ;;
      RUNNING | PENDING_REDRIVE) sleep 20 ;;
      *)
        echo "integ-smoke: execution $name ended $status" >&2
        return 1
        ;;
    esac
  done
  echo "integ-smoke: execution $name still running after 40 minutes" >&2
  return 1
}

step="1. deploy (initial) + IntegTest assertions"
log "$step: stacks $PREFIX-*, runner 2048 MiB; run a-$TAG (N = 2) must succeed and write outputs/*/index.json"
deployed=1
"${CDK[@]}" deploy --all --require-approval never -c epycloud-integ:phase=initial \
  --outputs-file "$WORK/initial.json"
"${CHECK[@]}" assertions "$WORK/initial.json"

step="2. epycloud run workflow"
log "$step: the real CLI validates, uploads and starts run cli-$TAG, and waits for it"
"${EPYCLOUD[@]}" run workflow --exp-id "$EXP" --run-id "cli-$TAG" --wait --yes --json "${CLOUD[@]}" \
  >"$WORK/cli-run.json"
"${CHECK[@]}" run "$WORK/cli-run.json"

step="3. epycloud download"
log "$step: the outputs of run cli-$TAG"
"${EPYCLOUD[@]}" download --exp-id "$EXP" --run-id "cli-$TAG" --dest "$WORK/downloads" "${CLOUD[@]}" >/dev/null
"${CHECK[@]}" outputs "$WORK/downloads" "cli-$TAG"

step="4. epycloud workflow cancel"
log "$step: start run cancel-$TAG and stop it at once, for step 6 to retry"
"${EPYCLOUD[@]}" run workflow --exp-id "$EXP" --run-id "cancel-$TAG" --yes --json "${CLOUD[@]}" >/dev/null
"${EPYCLOUD[@]}" workflow cancel "$EXP--cancel-$TAG" "${CLOUD[@]}"

step="5. deploy (update) + IntegTest assertions"
log "$step: runner 4096 MiB (a new job definition revision); the aborted run r-$TAG retried must succeed"
"${CDK[@]}" deploy --all --require-approval never -c epycloud-integ:phase=update \
  --outputs-file "$WORK/update.json"
"${CHECK[@]}" assertions "$WORK/update.json"
"${CHECK[@]}" revisions

step="6. epycloud workflow retry"
log "$step: retry the cancelled run cancel-$TAG on the updated deployment"
retry_name="$("${EPYCLOUD[@]}" workflow retry "$EXP--cancel-$TAG" --json "${CLOUD[@]}" |
  node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0, "utf8")).name)')"
wait_for_execution "$retry_name"
"${EPYCLOUD[@]}" download --exp-id "$EXP" --run-id "cancel-$TAG" --dest "$WORK/downloads" "${CLOUD[@]}" >/dev/null
"${CHECK[@]}" outputs "$WORK/downloads" "cancel-$TAG"

step="7. destroy"
teardown
rm -rf "$WORK"
log "passed: deploy, run (IntegTest and CLI), download, update, retry (IntegTest and CLI), destroy"
