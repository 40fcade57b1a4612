import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The dashboard, built by `npm ci` (prepare) into dist/web, which `waymark start` serves at /.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // A CSP without inline script: no module-preload polyfill injected into the page.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});
