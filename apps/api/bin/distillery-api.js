#!/usr/bin/env node
// A committed entry point, so npm can link the command at install time, before the build has
// produced dist/main.js (npm skips bins whose file does not exist yet).
try {
  require.resolve("../dist/main.js");
} catch {
  console.error("distillery-api: not built yet: run `npm run build` (or `npm start`) in the repository first");
  process.exit(2);
}
require("../dist/main.js");
