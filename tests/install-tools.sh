#!/usr/bin/env bash
# Installs the independent checkers the tests run (Debian packages), only when missing.
set -euo pipefail
need=()
command -v pdftotext >/dev/null || need+=(poppler-utils)
command -v qpdf >/dev/null || need+=(qpdf)
command -v java >/dev/null || need+=(default-jre-headless)
command -v chromium >/dev/null || need+=(chromium)   # the web edition's browser tests (Playwright)
command -v npm >/dev/null || need+=(npm)             # fetches the Nu Html Checker below
command -v ebook-convert >/dev/null || need+=(calibre)  # the EPUB on a real e-reader stack (big: only when missing)
command -v faketime >/dev/null || need+=(faketime)   # builds under another clock (tests/test_reproducible.py)
command -v pandoc >/dev/null || need+=(pandoc)       # the oracle for Markdown (tests/test_pandoc_markdown.py)
# Apache PDFBox Preflight checks the archival PDF/A (run with java; see TOOLS.md)
[ -f /usr/share/java/preflight.jar ] || need+=(libpdfbox2-java libactivation-java libjaxb-api-java)
if ((${#need[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "missing test tools: ${need[*]}; install them with: sudo apt-get install ${need[*]}" >&2
    exit 1
  fi
  echo "installing test tools: ${need[*]}" >&2
  # Another apt or dpkg (an unattended upgrade, a second install) may hold the lock: wait for it,
  # up to five minutes, instead of failing at once.
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${need[@]}" >/dev/null
fi
# The Nu Html Checker (W3C's vnu.jar, run with java) validates the web edition; npm carries the jar.
tools="$(cd "$(dirname "$0")/.." && pwd)/.venv/tools"
if [ ! -f "$tools/node_modules/vnu-jar/build/dist/vnu.jar" ]; then
  echo "installing the Nu Html Checker into $tools" >&2
  mkdir -p "$tools"
  npm install --silent --no-audit --no-fund --prefix "$tools" vnu-jar@26.9.27 >/dev/null
fi
# DAISY Ace checks the EPUB's accessibility (axe-core in Debian's Chromium); its install scripts
# would download a browser, so they are skipped.
if [ ! -x "$tools/node_modules/.bin/ace-puppeteer" ]; then
  echo "installing DAISY Ace into $tools" >&2
  mkdir -p "$tools"
  npm install --silent --no-audit --no-fund --ignore-scripts --prefix "$tools" @daisy/ace@1.4.6 >/dev/null
fi
