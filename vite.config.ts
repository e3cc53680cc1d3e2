import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The web app lives in src/web and builds to dist/web, which the Fastify server serves with an
 * SPA fallback (src/server/app.ts). `npm run build:web` builds; `npx vite` runs a dev server
 * with hot reload that forwards /api to a portal started with `npm run dev` on port 3000.
 *
 * Nothing here may need inline scripts or third-party origins: the server's CSP allows scripts,
 * fonts and connections to 'self' only.
 */
const fromRoot = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: fromRoot('./src/web'),
  publicDir: fromRoot('./src/web/public'),
  plugins: [react()],
  build: {
    outDir: fromRoot('./dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    // Inline small assets as data: URLs only for images/fonts; the CSP allows data: for both.
    assetsInlineLimit: 4096,
    reportCompressedSize: true,
    rolldownOptions: {
      output: {
        // React, the router and the query client change rarely: one long-cached chunk apart from app code.
        codeSplitting: {
          groups: [{ name: 'vendor-react', test: /[\\/]node_modules[\\/](react|react-dom|scheduler|react-router|@tanstack)[\\/]/ }],
        },
      },
    },
  },
  server: {
    port: 5173,
    proxy: { '/api': { target: process.env.PORTAL_URL ?? 'http://localhost:3000', changeOrigin: false } },
  },
  preview: { port: 4173 },
});
