import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { loadOnFirstRequest } from '../../../server/http/load-on-first-request.js'
import { createLogger } from '../../../server/log.js'

let server: Server | null = null
afterEach(async () => {
  await new Promise((closed) => server?.close(closed))
  server = null
})

async function serve(listener: RequestListener): Promise<string> {
  server = createServer(listener)
  await new Promise<void>((listening) => server!.listen(0, '127.0.0.1', listening))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const hello: RequestListener = (req, res) => res.end(`hello ${req.url}`)

describe('loadOnFirstRequest', () => {
  it('loads nothing until a request comes, then loads once for every request', async () => {
    let loads = 0
    const url = await serve(
      loadOnFirstRequest(async () => {
        loads += 1
        return hello
      }, createLogger('error')),
    )
    expect(loads).toBe(0)
    const answers = await Promise.all(['/a', '/b', '/c'].map(async (path) => (await fetch(url + path)).text()))
    expect(answers).toEqual(['hello /a', 'hello /b', 'hello /c'])
    expect(await (await fetch(`${url}/d`)).text()).toBe('hello /d')
    expect(loads).toBe(1)
  })

  it('answers 500 when loading fails and tries again with the next request', async () => {
    let loads = 0
    const logged: string[] = []
    const url = await serve(
      loadOnFirstRequest(
        async () => {
          if (++loads === 1) throw new Error('EMFILE')
          return hello
        },
        createLogger('error', (line) => logged.push(line)),
      ),
    )
    const failed = await fetch(`${url}/x`)
    expect(failed.status).toBe(500)
    expect(await failed.json()).toEqual({ error: 'internal error' })
    expect(logged).toEqual([expect.stringContaining('"error":"EMFILE"')])
    expect(await (await fetch(`${url}/y`)).text()).toBe('hello /y')
  })
})
