/**
 * The bare relay: the floor for what relaying costs. Every binary frame a client sends is
 * broadcast to the other clients of the same room (URL path), with no Yjs, no state and no disk.
 * It runs as its own process (`HOST`, `PORT` env) so it is measured exactly like the real servers.
 */
import { type RawData, type WebSocket, WebSocketServer } from 'ws'

const host = process.env.HOST ?? '127.0.0.1'
const port = Number(process.env.PORT ?? '1234')
const rooms = new Map<string, Set<WebSocket>>()
const wss = new WebSocketServer({ host, port })

wss.on('connection', (socket, request) => {
  const name = (request.url ?? '/').slice(1).split('?')[0] ?? ''
  let room = rooms.get(name)
  if (room === undefined) {
    room = new Set()
    rooms.set(name, room)
  }
  const peers = room
  peers.add(socket)
  socket.on('message', (data: RawData, isBinary: boolean) => {
    for (const peer of peers) {
      if (peer !== socket && peer.readyState === peer.OPEN) peer.send(data, { binary: isBinary })
    }
  })
  socket.on('close', () => {
    peers.delete(socket)
    if (peers.size === 0) rooms.delete(name)
  })
})

wss.on('listening', () => console.log(JSON.stringify({ event: 'relay.listening', host, port })))
