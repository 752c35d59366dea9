import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

/**
 * Stands in for a runtime's OpenClaw gateway behind the embedded edge: answers every HTTP request and
 * accepts every WebSocket, recording what reached it. The matrix checks that a denied caller never
 * gets here, and the secret scan that no ClawLoops credential does either.
 */
export async function startFakeGateway() {
  const received: { kind: 'http' | 'ws'; url: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((req, res) => {
    received.push({ kind: 'http', url: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ gateway: true, path: req.url }));
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws, req) => {
    received.push({ kind: 'ws', url: req.url ?? '', headers: req.headers });
    ws.send('hello from the gateway');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    async stop(): Promise<void> {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export type FakeGateway = Awaited<ReturnType<typeof startFakeGateway>>;
