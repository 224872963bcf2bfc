import { parseArgs } from "node:util";
import type { Command } from "../cli/command";
import { up } from "./up";

export const upCommand: Command = {
  name: "up",
  usage: `up        start the platform locally: the API on http://127.0.0.1:4000 with data in ./data,
            a runner named "local" that takes jobs (work in ./data/runner), and the web UI on
            http://127.0.0.1:3000 (when apps/web is built)
            --port <n>       listen on another port (or PORT)
            --web-port <n>   the web UI's port (or WEB_PORT)
            --data-dir <dir> keep data elsewhere (or DISTILLERY_DATA_DIR)
            DATABASE_URL=postgres://… uses that PostgreSQL instead of the embedded PGlite`,
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { port: { type: "string" }, "data-dir": { type: "string" }, "web-port": { type: "string" } }, strict: true });
    return up({ port: values.port, dataDir: values["data-dir"], webPort: values["web-port"] });
  },
};
