#!/usr/bin/env bash
# Builds styles/icc/FOGRA39-kkguide.icc, the default CMYK output profile of the print edition,
# from FOGRA's characterisation data FOGRA39L.ti3 (Debian icc-profiles-free) with ArgyllCMS
# colprof (Debian argyll). The result is committed; run this again only to rebuild it.
set -euo pipefail
cd "$(dirname "$0")/.."
ti3=/usr/share/color/icc/FOGRA39L.ti3
[ -f "$ti3" ] || { echo "missing $ti3: apt-get install icc-profiles-free" >&2; exit 1; }
command -v colprof >/dev/null || { echo "missing colprof: apt-get install argyll" >&2; exit 1; }
work=$(mktemp -d)
cp "$ti3" "$work/FOGRA39L.ti3"
(cd "$work" && colprof -qm -kr -D "Coated FOGRA39 (ISO 12647-2:2004), built by kkguide from FOGRA39L" \
   -C "Characterisation data: Fogra. Profile: ArgyllCMS colprof." FOGRA39L >/dev/null)
install -m 644 "$work/FOGRA39L.icc" styles/icc/FOGRA39-kkguide.icc
rm -rf "$work"
echo "styles/icc/FOGRA39-kkguide.icc: $(stat -c %s styles/icc/FOGRA39-kkguide.icc) bytes"
