#!/usr/bin/env bash
# Installs the Debian packages the tests drive as a user would: poppler-utils
# (pdftotext, pdftoppm, pdfsig), zbar-tools (zbarimg, a real QR decoder),
# chromium (the console's browser test) and a Chinese font for it, without
# which the test's screenshots show boxes where the Chinese text is (phones
# have their own). Only what is missing is installed.
set -euo pipefail
want=()
command -v pdfsig >/dev/null 2>&1 || want+=(poppler-utils)
command -v zbarimg >/dev/null 2>&1 || want+=(zbar-tools)
command -v chromium >/dev/null 2>&1 || want+=(chromium)
[ -n "$(fc-list :lang=zh 2>/dev/null)" ] || want+=(fonts-wqy-microhei)
[ ${#want[@]} -eq 0 ] && exit 0
echo "deps: installing ${want[*]}" >&2
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
$sudo apt-get update -qq >&2 || true
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${want[@]}" >&2
