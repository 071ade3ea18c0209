#!/usr/bin/env bash
# Installs the Debian packages kkguide needs, or says exactly what to do where it cannot.
set -euo pipefail

PACKAGES=(
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0   # WeasyPrint's text stack, hb-subset
  fonts-noto-core fonts-dejavu-core                      # Noto Sans, Naskh Arabic, Ethiopic ...
  poppler-utils qpdf                                     # pdffonts, pdfinfo, pdftotext, qpdf --check
  gettext                                                # msgfmt -c, msgmerge
  translate-toolkit libxml2-utils zbar-tools             # pofilter, xmllint, zbarimg (checks in the tests)
  chromium                                               # browser tests of the web edition
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && { echo "system packages: all present"; exit 0; }

echo "system packages: installing ${missing[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "No apt-get here. Install the equivalents of: ${missing[*]} with your package manager, then run make again." >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "Not root and no sudo. As root, run: apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fc-cache -f >/dev/null 2>&1 || true
