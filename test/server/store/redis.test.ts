import { afterAll, beforeAll } from 'vitest'
import { RedisStore } from '../../../server/store/redis.js'
import { type TestRedis, startRedis } from '../../helpers/redis.js'
import { describeStore } from './contract.js'

let redis: TestRedis
beforeAll(async () => {
  redis = await startRedis()
})
afterAll(async () => {
  await redis.stop()
})

let run = 0
describeStore('Redis', () => {
  // A fresh prefix per test: an empty store, and `open` again reaches the same one.
  const prefix = `test${++run}`
  return { open: () => RedisStore.open(redis.url, prefix) }
})
