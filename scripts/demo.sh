#!/usr/bin/env bash
# The whole loop on the local default, in throwaway folders under .demo/:
# benchmark in a TinyTorch-like project -> anonymized submission -> local board -> site/
# -> compare (where you stand, from the board `submit --to` remembered).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
demo="$root/.demo"
rm -rf "$demo"
mkdir -p "$demo/project/.tito" "$demo/board"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "A throwaway TinyTorch project at .demo/project (with a little course progress)"
cat > "$demo/project/progress.json" <<'JSON'
{"completed_modules": ["01", "02", "03"], "completion_dates": {"01": "2026-09-02", "02": "2026-09-05", "03": "2026-09-09"}}
JSON
cat > "$demo/project/.tito/milestones.json" <<'JSON'
{"completed_milestones": ["01"]}
JSON

step "A local board at .demo/board: a copy of this repository's board.yaml and submissions/, plus 300 synthetic ones"
cp "$root/board.yaml" "$demo/board/"
cp -r "$root/submissions" "$demo/board/submissions"
tinytorch-board demo-data --count 300 --seed 7 --out "$demo/board"

step "tinytorch-board benchmark baseline   (real measurements, nothing sent)"
tinytorch-board --project-dir "$demo/project" benchmark baseline --no-prompt

step "tinytorch-board submit --to .demo/board --yes   (anonymized, validated, written locally; --dry-run shows the file)"
tinytorch-board --project-dir "$demo/project" submit --to "$demo/board" --yes

step "tinytorch-board validate .demo/board"
tinytorch-board validate "$demo/board"

step "tinytorch-board build --board .demo/board --out site"
tinytorch-board build --board "$demo/board" --out "$root/site"

echo "Open $root/site/index.html in a browser, or serve it:"
echo "    .venv/bin/tinytorch-board serve --site site    # then visit http://127.0.0.1:8000/"

step "tinytorch-board compare   (where you stand: computed here from the remembered board, nothing uploaded)"
tinytorch-board --project-dir "$demo/project" compare
