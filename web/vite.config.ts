import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The dev server proxies the API to a running `ticketer serve`.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    // dist/placeholder.html is committed (see .gitignore); scripts/clean-dist.mjs
    // removes the previous build instead.
    emptyOutDir: false,
    // No inline scripts or styles anywhere: the CSP forbids them.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  server: {
    proxy: { "/api": { target: process.env.TICKETER_URL ?? "http://127.0.0.1:8080", changeOrigin: false } },
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
