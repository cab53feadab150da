import type { Router } from 'express'
import { HttpError } from './http-error.js'

/**
 * Answers a request for a path that `router` has routes for, but with a method none of them takes,
 * with 405 and an `Allow` header naming the methods they do take (HEAD wherever GET is), instead of
 * letting it fall through to a 404 as if the path did not exist. An OPTIONS request that is not a
 * CORS preflight (those are answered before, by `apiCors`) gets 204 with the same header. Call it
 * once every route is on the router: it reads them from the router's stack.
 */
export function refuseOtherMethods(router: Router): void {
  const methods = new Map<string, Set<string>>()
  for (const { route } of router.stack) {
    if (route === undefined) continue
    const allowed = methods.get(route.path) ?? new Set<string>()
    for (const { method } of route.stack) allowed.add(method.toUpperCase())
    if (allowed.has('GET')) allowed.add('HEAD')
    methods.set(route.path, allowed)
  }
  for (const [path, allowed] of methods) {
    const allow = [...allowed].join(', ')
    router.all(path, (req, res, next) => {
      res.setHeader('Allow', allow)
      if (req.method === 'OPTIONS') return void res.status(204).end()
      next(new HttpError(405, `${req.method} is not allowed on ${req.path}; use ${allow}`))
    })
  }
}
