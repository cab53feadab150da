import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { BenchResult } from '../bench/report.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

// Keeps `npm run bench` from rotting without making `npm test` a benchmark: it checks that the
// harness runs end to end against quire and reports numbers, never how fast they are.
describe('npm run bench', () => {
  it('runs the durability scenario against quire in --quick mode and reports its metrics', () => {
    mkdirSync(join(ROOT, 'test/out'), { recursive: true })
    const out = mkdtempSync(join(ROOT, 'test/out/bench-smoke-'))
    const bench = spawnSync(
      'npm',
      ['run', 'bench', '--', '--quick', '--servers', 'quire', '--scenarios', 'E', '--out', out],
      { cwd: ROOT, encoding: 'utf8', timeout: 110_000 },
    )
    expect(bench.status, bench.stdout + bench.stderr).toBe(0)

    const json = readdirSync(out).find((file) => file.endsWith('.json'))
    expect(json).toBeDefined()
    const result = JSON.parse(readFileSync(join(out, json ?? ''), 'utf8')) as BenchResult
    expect(result.runs).toHaveLength(1)
    const [run] = result.runs
    expect(run).toMatchObject({ scenario: 'E', kind: 'quire' })
    expect(run?.error).toBeUndefined()
    for (const key of ['lost', 'confirmMs', 'harnessCpu']) expect(Number.isFinite(run?.metrics[key])).toBe(true)
    expect(readFileSync(join(out, 'partial.md'), 'utf8')).toMatch(/\| E \| confirmed edits lost \|/)
  }, 120_000)
})
