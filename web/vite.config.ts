/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run dev` proxies the API to a running `wharf admin` (WHARF_ADMIN_URL).
const admin = process.env.WHARF_ADMIN_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  server: { proxy: { '/api': admin } },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 400 },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
