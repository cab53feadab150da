#!/usr/bin/env node
// The `quire` binary. The TypeScript sources are compiled to dist/ by `npm run build`, which
// `npm install` runs through the `prepare` script.
import { existsSync } from 'node:fs'

const entry = new URL('../dist/server/cli/main.js', import.meta.url)
if (!existsSync(entry)) {
  process.stderr.write('quire: not built yet; run `npm run build` (npm install does it)\n')
  process.exit(1)
}
const { main } = await import(entry.href)
await main(process.argv)
