#!/usr/bin/env bash
# The main job: build the library, set up Jupyter + the tslab kernel, run every notebook headless
# and write reports/<notebook>.html (+ .ipynb) and reports/<notebook>/ (tables as CSV, figures as
# plotly JSON). Profile from STALELAB_PROFILE (default quick) or --profile. A failing cell fails
# the command (exit 1).
#
#   bash scripts/report.sh                      # quick profile, all notebooks
#   STALELAB_PROFILE=smoke bash scripts/report.sh
#   bash scripts/report.sh --profile smoke 00-quickstart
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/jupyter-env.sh

started=$(date +%s)
# Notebooks import 'stalelab', which resolves to the compiled dist/. (node_modules/.bin/tsc is tslab's TypeScript 5.0.4,
# so call the project's TypeScript directly.)
node node_modules/typescript/bin/tsc -p tsconfig.build.json
node --import tsx scripts/build-notebooks.ts   # .ipynb from notebooks/*.ts (no-op when in sync)
bash scripts/setup-jupyter.sh
"$STALELAB_PYTHON" scripts/run_notebooks.py "$@"
echo "report: done in $(( $(date +%s) - started )) s"
