#!/usr/bin/env bash
# Read a pull request as data for the base branch's `tinytorch-board ci` commands:
# its metadata, file list and description (via the REST API) and its git objects (the
# head commit and the merge base, fetched into .git and never checked out). Nothing from
# the pull request is executed.
#
# Environment: GH_TOKEN (read access), REPO (owner/name), PR_NUMBER, DEFAULT_BRANCH.
# Writes to $RUNNER_TEMP/pull-request/ and, as step outputs: head, merge-base, author (the
# submitter), association (GitHub's author_association), open ("true"/"false") and dir.
set -euo pipefail
[[ "$PR_NUMBER" =~ ^[0-9]+$ ]] || { echo "not a pull request number" >&2; exit 1; }
[[ -n "${DEFAULT_BRANCH:-}" ]] || { echo "DEFAULT_BRANCH is not set" >&2; exit 1; }
dir="$RUNNER_TEMP/pull-request"
mkdir -p "$dir"
gh api "repos/$REPO/pulls/$PR_NUMBER" > "$dir/pr.json"
head=$(jq -r .head.sha "$dir/pr.json")
base=$(jq -r .base.sha "$dir/pr.json")
base_ref=$(jq -r .base.ref "$dir/pr.json")
author=$(jq -r .user.login "$dir/pr.json")
association=$(jq -r '.author_association // ""' "$dir/pr.json")
state=$(jq -r .state "$dir/pr.json")
# Only pull requests into the default branch are decided here (the triggers' `branches:`
# filter says so too; a manual run with any number is checked the same way).
if [[ "$base_ref" != "$DEFAULT_BRANCH" ]]; then
  echo "pull request #$PR_NUMBER targets '$base_ref', not '$DEFAULT_BRANCH'; not checked" >&2
  exit 1
fi
jq -r '.body // ""' "$dir/pr.json" > "$dir/body.txt"
[[ "$head" =~ ^[0-9a-f]{40}$ && "$base" =~ ^[0-9a-f]{40}$ ]] \
  || { echo "unexpected pull request data" >&2; exit 1; }
[[ "$author" =~ ^[A-Za-z0-9-]+(\[bot\])?$ ]] || author=""
[[ "$association" =~ ^[A-Z_]+$ ]] || association=""
merge_base=$(gh api "repos/$REPO/compare/$base...$head" --jq .merge_base_commit.sha)
[[ "$merge_base" =~ ^[0-9a-f]{40}$ ]] || { echo "no merge base" >&2; exit 1; }
gh api --paginate "repos/$REPO/pulls/$PR_NUMBER/files?per_page=100" > "$dir/files.json"
# Objects only: fetched into .git, never checked out. The token is passed for
# these commands (private boards) and is not stored in the checkout. In a full clone the
# merge base is fetched with its history (the base branch's, mostly present already): a
# --depth there would cut the history that withdrawn ids are read from. The head needs
# no history.
basic=$(printf 'x-access-token:%s' "$GH_TOKEN" | base64 -w0)
echo "::add-mask::$basic"
fetch() {
  GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=http.extraheader \
    GIT_CONFIG_VALUE_0="AUTHORIZATION: basic $basic" \
    git fetch --quiet --no-tags "$@"
}
if [[ "$(git rev-parse --is-shallow-repository)" == true ]]; then
  fetch --depth=1 origin "$merge_base" # a shallow checkout (withdraw.yml) needs no history
else
  fetch origin "$merge_base"
fi
fetch --depth=1 origin "$head"
# Pull requests by the workflow token are the intake's: its commit names the issue's
# author, who is the submitter. Nobody else can open a pull request as this bot.
if [[ "$author" == "github-actions[bot]" ]]; then
  author=$(git log -1 --format='%(trailers:key=Submitted-by,valueonly)' "$head" | head -n 1)
  [[ "$author" =~ ^[A-Za-z0-9-]+$ ]] || author=""
fi
{
  echo "head=$head"
  echo "merge-base=$merge_base"
  echo "author=$author"
  echo "association=$association"
  echo "open=$([[ "$state" == open ]] && echo true || echo false)"
  echo "dir=$dir"
} >> "$GITHUB_OUTPUT"
