import { defineConfig } from "vite";

// Relative asset URLs, so that web/dist can be hosted under any path.
export default defineConfig({
  base: "./",
  build: { target: "es2022" },
});
