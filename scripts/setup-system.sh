#!/usr/bin/env bash
# Installs the Debian packages kkguide needs, or says exactly what to do where it cannot.
#   setup-system.sh build   what building the guide needs (make guide)
#   setup-system.sh test    that, plus the tools the test suite checks outputs with (make test)
set -euo pipefail
profile=${1:-build}

BUILD=(
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0   # WeasyPrint's text stack, hb-subset
  fonts-noto-core fonts-dejavu-core                      # Noto Sans, Naskh Arabic, Ethiopic ...
  gettext                                                # msgfmt -c, msgmerge, msgcat
  poppler-utils                                          # pdftoppm: package thumbnails and proofs
  hunspell hunspell-en-gb hunspell-ar hunspell-uk hunspell-tr hunspell-nl hunspell-fr
  hunspell-pl hunspell-ro hunspell-bg hunspell-ru hunspell-kmr   # kkguide check: spelling
)
TEST=(
  qpdf                                                   # qpdf --check
  libxml2-utils zbar-tools                               # xmllint, zbarimg (pofilter, pocount: the venv's translate-toolkit)
  php-symfony-translation                                # ships the OASIS xliff-core-1.2-strict.xsd for xmllint
  chromium                                               # browser tests of the web edition
  argyll icc-profiles-free                               # profcheck, FOGRA39 data: output profile accuracy
  openssl                                                # a certificate for the linkcheck tests' HTTPS server
)
# the web edition's tests: axe-core in Chromium (node, npm ci in tests/web) and the Nu HTML checker
# (java -jar vnu.jar). By command, not package: a NodeSource nodejs ships npm itself (Debian's npm
# package would conflict with it), and any Java 11+ runtime will do.
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || TEST+=(nodejs npm)
command -v java >/dev/null 2>&1 || TEST+=(default-jre-headless)

case "$profile" in
  build) PACKAGES=("${BUILD[@]}") ;;
  test) PACKAGES=("${BUILD[@]}" "${TEST[@]}") ;;
  *) echo "usage: $0 build|test" >&2; exit 2 ;;
esac

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && { echo "system packages ($profile): all present"; exit 0; }

echo "system packages ($profile): installing ${missing[*]}"
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
