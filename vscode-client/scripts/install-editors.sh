#!/usr/bin/env bash
# Everything the VS Code e2e needs on a fresh Debian machine: Chromium (driven by playwright-core,
# which never downloads a browser), ripgrep and libkrb5-dev (for code-server's install), then
# code-server itself (scripts/install-code-server.sh, cached). Idempotent; run as root.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v rg >/dev/null || missing+=(ripgrep)
[[ -f /usr/include/gssapi.h ]] || missing+=(libkrb5-dev)
if ((${#missing[@]} > 0)); then
  echo "apt-get install ${missing[*]}" >&2
  apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2
fi
bash "$here/install-code-server.sh"
