#!/usr/bin/env bash
# Re-vendors the GraphiQL bundles into bff/graphiql_assets/ from npm at the versions pinned
# below. Needs npm and network; the BFF itself never fetches anything (see the README).
set -euo pipefail
cd "$(dirname "$0")/.."

# Pinned versions: GraphiQL 3 is the last line with standalone (UMD) bundles; the explorer
# plugin must match GraphiQL's @graphiql/react (3.8.x bundles ^0.28, plugin 3.2.5 wants ^0.28).
REACT=18.3.1
GRAPHIQL=3.8.3
EXPLORER_PLUGIN=3.2.5
EXPLORER=0.9.0 # graphiql-explorer, bundled inside the plugin; vendored for its licence only

dest=bff/graphiql_assets
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(
  cd "$work"
  npm pack --silent "react@$REACT" "react-dom@$REACT" "graphiql@$GRAPHIQL" \
    "@graphiql/plugin-explorer@$EXPLORER_PLUGIN" "graphiql-explorer@$EXPLORER" >/dev/null
  for tarball in *.tgz; do
    mkdir "${tarball%.tgz}" && tar -xzf "$tarball" -C "${tarball%.tgz}"
  done
)

rm -rf "$dest" && mkdir -p "$dest"
# copy SOURCE TARGET: the file without its sourceMappingURL comment, so that browser dev
# tools never ask for a .map the BFF does not serve.
copy() { grep -v 'sourceMappingURL=' "$work/$1" >"$dest/$2"; }
copy "react-$REACT/package/umd/react.production.min.js" react.production.min.js
copy "react-dom-$REACT/package/umd/react-dom.production.min.js" react-dom.production.min.js
copy "graphiql-$GRAPHIQL/package/graphiql.min.js" graphiql.min.js
copy "graphiql-$GRAPHIQL/package/graphiql.min.css" graphiql.min.css
copy "graphiql-plugin-explorer-$EXPLORER_PLUGIN/package/dist/index.umd.js" plugin-explorer.umd.js
copy "graphiql-plugin-explorer-$EXPLORER_PLUGIN/package/dist/style.css" plugin-explorer.css

cp "$work/react-$REACT/package/LICENSE" "$dest/LICENSE.react"
cp "$work/react-dom-$REACT/package/LICENSE" "$dest/LICENSE.react-dom"
cp "$work/graphiql-$GRAPHIQL/package/LICENSE" "$dest/LICENSE.graphiql"
# The plugin's npm package ships no LICENSE file; it is MIT ("license" in its package.json)
# and lives in the graphiql monorepo, whose LICENSE this is.
cp "$work/graphiql-$GRAPHIQL/package/LICENSE" "$dest/LICENSE.graphiql-plugin-explorer"
cp "$work/graphiql-explorer-$EXPLORER/package/LICENSE" "$dest/LICENSE.graphiql-explorer"

{
  echo "# Vendored by scripts/update-graphiql.sh from the npm registry; do not edit by hand."
  echo "react@$REACT react-dom@$REACT graphiql@$GRAPHIQL"
  echo "@graphiql/plugin-explorer@$EXPLORER_PLUGIN (bundles graphiql-explorer@$EXPLORER)"
  echo
  (cd "$dest" && sha256sum -- *.js *.css)
} >"$dest/VERSIONS"
echo "vendored into $dest:" && ls -l "$dest"
