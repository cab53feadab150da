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
  it('runs the durability scenario and a sweep against quire in --quick mode, reports their metrics and draws the sweep', () => {
    mkdirSync(join(ROOT, 'test/out'), { recursive: true })
    const out = mkdtempSync(join(ROOT, 'test/out/bench-smoke-'))
    const bench = spawnSync('npm', ['run', 'bench', '--', '--quick', '--servers', 'quire', '--scenarios', 'E,G', '--out', out], { cwd: ROOT, encoding: 'utf8', timeout: 110_000 })
    expect(bench.status, bench.stdout + bench.stderr).toBe(0)

    const json = readdirSync(out).find((file) => file.endsWith('.json'))
    expect(json).toBeDefined()
    const result = JSON.parse(readFileSync(join(out, json ?? ''), 'utf8')) as BenchResult
    expect(result.runs).toHaveLength(2)
    const [run, sweep] = result.runs
    expect(run).toMatchObject({ scenario: 'E', kind: 'quire' })
    expect(run?.error).toBeUndefined()
    for (const key of ['lost', 'confirmMs', 'harnessCpu']) expect(Number.isFinite(run?.metrics[key])).toBe(true)
    expect(sweep).toMatchObject({ scenario: 'G', kind: 'quire' })
    expect(sweep?.error).toBeUndefined()
    for (const key of ['p50@10', 'p99@10', 'p50@50', 'p99@50']) expect(Number.isFinite(sweep?.metrics[key])).toBe(true)
    expect(readFileSync(join(out, 'partial.md'), 'utf8')).toMatch(/\| E \| confirmed edits lost \|/)
    // The sweep's chart: one solid and one dashed line for quire, each through both points.
    const chart = readFileSync(join(out, 'charts/fanout-readers.svg'), 'utf8')
    expect(chart.match(/<path d="M[\d.]+ [\d.]+ L[\d.]+ [\d.]+"/g)).toHaveLength(2)
    expect(chart).toContain('quire p99')
  }, 120_000)
})
