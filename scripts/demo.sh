#!/usr/bin/env bash
# `npm run demo`: from zero to plots. Installs what is missing (Debian's Jupyter when root, npm deps, the build,
# the kernelspec), then executes notebooks/01-asyncflow-demo.ipynb headless and writes the notebook and HTML.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
OUT=${FLOWBOOK_OUT:-out}

if ! $PY -c 'import nbclient, nbconvert, jupyter_client' 2>/dev/null; then
  pkgs="python3-jupyter-client jupyter-client python3-nbclient python3-nbconvert jupyter-nbconvert python3-nbformat jupyter-core"
  if [ "$(id -u)" = 0 ]; then
    echo "installing Debian's Jupyter packages"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
  else
    echo "Jupyter is missing; as root run: apt-get install -y --no-install-recommends $pkgs" >&2
    exit 1
  fi
fi
[ -d node_modules/zeromq ] || npm ci --no-audit --no-fund
npm run build --silent
node dist/kernel/cli.js install --user

mkdir -p "$OUT"
PNG_FIRST="['text/html','application/pdf','text/latex','image/png','image/svg+xml','image/jpeg','text/markdown','text/plain']"
$PY -m jupyter nbconvert --to notebook --execute --ExecutePreprocessor.kernel_name=flowbook \
  --ExecutePreprocessor.timeout=600 --output-dir "$OUT" notebooks/01-asyncflow-demo.ipynb
# PNG before SVG: nbconvert 6.5 (Debian 12) strips the children of <svg> in HTML (jupyter/nbconvert#1849).
$PY -m jupyter nbconvert --to html --output-dir "$OUT" "$OUT/01-asyncflow-demo.ipynb" \
  --NbConvertBase.display_data_priority="$PNG_FIRST"
echo
echo "executed notebook: $OUT/01-asyncflow-demo.ipynb"
echo "HTML with the timing plots: $OUT/01-asyncflow-demo.html"
