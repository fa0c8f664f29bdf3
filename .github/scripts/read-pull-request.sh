#!/usr/bin/env bash
# Read a pull request as data for the base branch's `tinytorch-board ci` commands:
# its metadata, file list and description (via the REST API) and its git objects (the
# head commit and the merge base, fetched into .git and never checked out). Nothing from
# the pull request is executed.
#
# Environment: GH_TOKEN (read access), REPO (owner/name), PR_NUMBER.
# Writes to $RUNNER_TEMP/pull-request/ and, as step outputs: head, merge-base, author,
# association (GitHub's author_association), open ("true"/"false") and dir.
set -euo pipefail
[[ "$PR_NUMBER" =~ ^[0-9]+$ ]] || { echo "not a pull request number" >&2; exit 1; }
dir="$RUNNER_TEMP/pull-request"
mkdir -p "$dir"
gh api "repos/$REPO/pulls/$PR_NUMBER" > "$dir/pr.json"
head=$(jq -r .head.sha "$dir/pr.json")
base=$(jq -r .base.sha "$dir/pr.json")
author=$(jq -r .user.login "$dir/pr.json")
association=$(jq -r '.author_association // ""' "$dir/pr.json")
state=$(jq -r .state "$dir/pr.json")
jq -r '.body // ""' "$dir/pr.json" > "$dir/body.txt"
[[ "$head" =~ ^[0-9a-f]{40}$ && "$base" =~ ^[0-9a-f]{40}$ ]] \
  || { echo "unexpected pull request data" >&2; exit 1; }
[[ "$author" =~ ^[A-Za-z0-9-]+(\[bot\])?$ ]] || author=""
[[ "$association" =~ ^[A-Z_]+$ ]] || association=""
merge_base=$(gh api "repos/$REPO/compare/$base...$head" --jq .merge_base_commit.sha)
[[ "$merge_base" =~ ^[0-9a-f]{40}$ ]] || { echo "no merge base" >&2; exit 1; }
gh api --paginate "repos/$REPO/pulls/$PR_NUMBER/files?per_page=100" > "$dir/files.json"
# Objects only: fetched into .git, never checked out. The token is passed for
# this one command (private boards) and is not stored in the checkout.
basic=$(printf 'x-access-token:%s' "$GH_TOKEN" | base64 -w0)
echo "::add-mask::$basic"
GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=http.extraheader \
  GIT_CONFIG_VALUE_0="AUTHORIZATION: basic $basic" \
  git fetch --quiet --no-tags --depth=1 origin "$merge_base" "$head"
{
  echo "head=$head"
  echo "merge-base=$merge_base"
  echo "author=$author"
  echo "association=$association"
  echo "open=$([[ "$state" == open ]] && echo true || echo false)"
  echo "dir=$dir"
} >> "$GITHUB_OUTPUT"
