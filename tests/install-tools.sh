#!/usr/bin/env bash
# Installs the independent checkers the tests run (Debian packages), only when missing.
set -euo pipefail
need=()
command -v pdftotext >/dev/null || need+=(poppler-utils)
command -v qpdf >/dev/null || need+=(qpdf)
command -v java >/dev/null || need+=(default-jre-headless)
if ((${#need[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "missing test tools: ${need[*]}; install them with: sudo apt-get install ${need[*]}" >&2
    exit 1
  fi
  echo "installing test tools: ${need[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
