#!/usr/bin/env bash
# Installs the Debian packages the tests drive as a user would: poppler-utils
# (pdftotext, pdftoppm, pdfsig), zbar-tools (zbarimg, a real QR decoder) and
# chromium (the console's browser test). Only what is missing is installed.
set -euo pipefail
want=()
command -v pdfsig >/dev/null 2>&1 || want+=(poppler-utils)
command -v zbarimg >/dev/null 2>&1 || want+=(zbar-tools)
command -v chromium >/dev/null 2>&1 || want+=(chromium)
[ ${#want[@]} -eq 0 ] && exit 0
echo "deps: installing ${want[*]}" >&2
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
$sudo apt-get update -qq >&2 || true
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${want[@]}" >&2
