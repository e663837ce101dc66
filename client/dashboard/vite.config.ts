/// <reference types="node" />
/**
 * The dashboard's build (Vite): two pages, the dashboard (index.html) and the county's receipt
 * page (receipt.html), into client/http/public/, which the HTTP server serves under its strict CSP
 * (script-src 'self', style-src 'self': module scripts and a stylesheet, nothing inline). JSX by
 * esbuild for Preact; no plugin needed. Run by scripts/setup.ts and `npm run build:dashboard`.
 */
import path from 'node:path';
import { defineConfig } from 'vite';

const root = __dirname;

export default defineConfig({
  root,
  base: '/',
  publicDir: path.join(root, 'public'),
  logLevel: 'warn',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: path.resolve(root, '../http/public'),
    emptyOutDir: true,
    // The CSP allows no data: fonts or scripts; small assets stay files.
    assetsInlineLimit: 0,
    // No modulepreload polyfill: it would be an inline script in the page the CSP refuses.
    modulePreload: { polyfill: false },
    target: 'es2020',
    rollupOptions: {
      input: { index: path.join(root, 'index.html'), receipt: path.join(root, 'receipt.html') },
      // The code both pages share (Preact, the API client), named for what it is.
      output: { chunkFileNames: 'assets/shared-[hash].js' },
    },
  },
});
