#!/usr/bin/env bash
# Installs code-server (VS Code in the browser) for the e2e test, without network access
# beyond the npm registry: code-server's postinstall downloads ripgrep from GitHub, so we
# install with scripts skipped, drop Debian's rg where @vscode/ripgrep expects it, and run
# the rest of postinstall.sh (lib/vscode and lib/vscode/extensions installs, symlinks) by hand.
# Idempotent; cached under ${SSTAR_CODE_SERVER_DIR:-$SSTAR_CACHE_DIR/code-server-<version>}, where
# SSTAR_CACHE_DIR defaults to ${XDG_CACHE_HOME:-~/.cache}/sstar like the rest of the project's caches
# (so one CI cache of that directory keeps the model, llama.cpp and code-server).
# Prints the path of the code-server launcher on its last line.
set -euo pipefail

VERSION="${CODE_SERVER_VERSION:-4.99.4}"
CACHE="${SSTAR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sstar}"
PREFIX="${SSTAR_CODE_SERVER_DIR:-$CACHE/code-server-$VERSION}"
CS="$PREFIX/node_modules/code-server"
STAMP="$PREFIX/.installed"

if [[ -f "$STAMP" && -f "$CS/out/node/entry.js" ]]; then
  echo "$CS/out/node/entry.js"
  exit 0
fi

need() { command -v "$1" >/dev/null || { echo "missing $1: apt-get install -y $2" >&2; exit 1; }; }
need rg ripgrep
need node nodejs
[[ -f /usr/include/gssapi.h || -f /usr/include/gssapi/gssapi.h ]] \
  || { echo "missing gssapi.h: apt-get install -y libkrb5-dev" >&2; exit 1; }
major="$(node -p 'process.versions.node.split(".")[0]')"
[[ "$major" == 20 ]] || { echo "code-server $VERSION needs Node 20, found $(node --version)" >&2; exit 1; }

# npm_config_yes: node-pty's install script runs `npx node-gyp` (the machine's npmrc says yes=false).
export npm_config_unsafe_perm=true npm_config_yes=true npm_config_loglevel=error npm_config_fund=false npm_config_audit=false
mkdir -p "$PREFIX"
cd "$PREFIX"
[[ -f package.json ]] || echo '{"name":"sstar-code-server","private":true}' > package.json

place_rg() {  # $1: a node_modules dir that may hold @vscode/ripgrep
  local d="$1/@vscode/ripgrep"
  if [[ -d "$d" ]]; then
    mkdir -p "$d/bin"
    cp -f "$(command -v rg)" "$d/bin/rg"
  fi
}

# Native modules are rebuilt with `npm rebuild`, which runs their install scripts
# (node-gyp against the local headers: npm's nodedir). @vscode/ripgrep is left out because
# its script downloads.
rebuild_native() {
  local pkgs
  pkgs="$(node -e '
    const fs=require("fs"),p=require("path");
    const out=[];
    const walk=(dir)=>{ if(!fs.existsSync(dir)) return;
      for (const n of fs.readdirSync(dir)) {
        if (n.startsWith(".")) continue;
        if (n.startsWith("@")) { walk(p.join(dir,n)); continue; }
        const pj=p.join(dir,n,"package.json");
        if (!fs.existsSync(pj)) continue;
        const j=JSON.parse(fs.readFileSync(pj,"utf8"));
        const s=j.scripts||{};
        const native=fs.existsSync(p.join(dir,n,"binding.gyp"));
        if ((s.install||s.postinstall||native) && j.name!=="@vscode/ripgrep" && j.name!=="code-server" && !j.name.startsWith("@vscode/windows")) out.push(j.name);
      }};
    walk("node_modules"); console.log(out.join(" "));')"
  if [[ -n "$pkgs" ]]; then
    echo "rebuilding in $(pwd): $pkgs" >&2
    # shellcheck disable=SC2086
    npm rebuild $pkgs >&2
  fi
}

echo "installing code-server@$VERSION into $PREFIX" >&2
npm install --no-save --ignore-scripts "code-server@$VERSION" >&2
rebuild_native  # argon2 and friends, hoisted next to code-server

cd "$CS/lib/vscode"
npm install --omit=dev --ignore-scripts >&2
place_rg node_modules
rebuild_native
# postinstall.sh's symlinks
rm -rf node_modules.asar && ln -s node_modules node_modules.asar
(cd bin/remote-cli && rm -rf code-server && ln -s code-linux.sh code-server)
(cd bin/helpers && rm -rf browser.sh && ln -s browser-linux.sh browser.sh)
cd extensions
npm install --omit=dev --ignore-scripts >&2
place_rg node_modules
rebuild_native

touch "$STAMP"
echo "$CS/out/node/entry.js"
