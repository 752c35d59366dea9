import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const API = 'http://localhost:8080';

/** The server only trusts its own origin (CORS, WebSocket cookies), so the dev proxy presents it. */
const asApiOrigin = {
  target: API,
  configure(proxy: {
    on(event: string, fn: (req: { setHeader(k: string, v: string): void }) => void): void;
  }) {
    proxy.on('proxyReq', (req) => req.setHeader('origin', API));
    proxy.on('proxyReqWs', (req) => req.setHeader('origin', API));
  },
};

/**
 * The SPA. `npm run dev:web` serves it with hot reload and proxies the API (HTTP, SSE and graphql-ws
 * on /graphql, plus /auth) to the control plane on :8080; `vite build` writes web/dist, which the
 * server serves in production (server/src/web).
 */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    port: 5173,
    proxy: {
      '/graphql': { ...asApiOrigin, ws: true },
      '/auth': asApiOrigin,
    },
  },
});
