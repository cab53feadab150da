import { createServer, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRedis, type TestRedis } from '../helpers/redis.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { until } from '../helpers/until.js'

let redis: TestRedis
let instance: TestServer

beforeAll(async () => {
  redis = await startRedis()
  instance = await startServer({ env: { REDIS_URL: redis.url } })
})
afterAll(async () => {
  await instance.stop()
  await redis.stop()
})

const health = async () => {
  const res = await fetch(`${instance.url}/healthz`)
  expect(res.status).toBe(200)
  return (await res.json()) as { ok: boolean; redis?: string }
}
const connectedGauge = async () => (await (await fetch(`${instance.url}/metrics`)).text()).match(/^quire_redis_connected (\d)$/m)?.[1]

describe('an instance whose Redis goes away and comes back', () => {
  it('says so on /healthz and /metrics, and says when it is back', async () => {
    await until(async () => expect(await health()).toMatchObject({ ok: true, redis: 'connected' }))
    expect(await connectedGauge()).toBe('1')
    await redis.stop()
    await until(async () => expect(await health()).toMatchObject({ ok: false, redis: 'disconnected' }))
    expect(await connectedGauge()).toBe('0')
    await redis.start()
    await until(async () => expect(await health()).toMatchObject({ ok: true, redis: 'connected' }))
    expect(await connectedGauge()).toBe('1')
  })

  it("logs each link's loss of Redis once, however many reconnections fail, and logs its return", async () => {
    const from = instance.logs.length
    await redis.stop()
    // Redis's port, meanwhile, resets every connection it gets: each is one failed reconnection.
    let attempts = 0
    const refuser = createServer((socket: Socket) => {
      attempts += 1
      socket.resetAndDestroy()
    })
    await new Promise<void>((resolve) => refuser.listen(Number(new URL(redis.url).port), '127.0.0.1', resolve))
    await until(() => expect(attempts).toBeGreaterThanOrEqual(8))
    await new Promise<void>((resolve) => refuser.close(() => resolve()))
    await redis.start()
    const since = () => instance.logs.slice(from)
    await until(() =>
      expect(
        since()
          .filter((entry) => entry.event === 'cluster.redis_ready')
          .map((entry) => entry.link),
      ).toEqual(expect.arrayContaining(['publish', 'subscribe'])),
    )
    const errors = since().filter((entry) => entry.event === 'cluster.redis_error')
    expect(errors.map((entry) => entry.link).sort()).toEqual(['publish', 'subscribe'])
  })
})
