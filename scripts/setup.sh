#!/usr/bin/env bash
# Set up everything the kiosk and its tests need on a Debian/Ubuntu machine:
# system packages (when run as root, or with sudo) and a virtual environment in .venv.
# Usage: scripts/setup.sh [EXTRAS]    e.g. scripts/setup.sh ui,voice,test
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRAS=${1:-ui,voice}
PY=${PYTHON:-python3}

# Mesa GL for Kivy (also offscreen: libgl1-mesa-dri is its software renderer for the UI tests), espeak-ng for Mandarin speech, sox to check audio,
# PortAudio for the microphone, mtdev for touch screens.
APT_PACKAGES="libgl1 libegl1 libgl1-mesa-dri libmtdev1 libespeak-ng1 espeak-ng sox libportaudio2"
missing=""
for p in $APT_PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "Installing system packages:$missing"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
  else
    echo "Please install these system packages:$missing" >&2
  fi
fi

if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=".venv/.installed-$(echo "$EXTRAS" | tr ',' '-')"
if [ ! -f "$stamp" ] || [ setup.cfg -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[$EXTRAS]"
  touch "$stamp"
fi
