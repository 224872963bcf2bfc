import { createInterface } from "node:readline";
import { CliError, ExitCode } from "../cli/exit-codes";

/**
 * The token `distillery login` saves: the first line of stdin when it is piped (or --token-stdin),
 * else DISTILLERY_TOKEN, else typed at a prompt that does not echo. Never an argument: a command
 * line is visible to every user of the machine in `ps` and lands in shell history.
 */
export async function readLoginToken(options: { fromStdin: boolean }, env: NodeJS.ProcessEnv = process.env): Promise<{ token: string; source: string }> {
  const stdinIsTerminal = process.stdin.isTTY === true;
  if (options.fromStdin || (!env.DISTILLERY_TOKEN?.trim() && !stdinIsTerminal)) {
    return { token: nonEmpty(await firstLine(process.stdin), "stdin"), source: "stdin" };
  }
  if (env.DISTILLERY_TOKEN?.trim()) return { token: env.DISTILLERY_TOKEN.trim(), source: "DISTILLERY_TOKEN" };
  return { token: nonEmpty(await promptHidden("Token: "), "the prompt"), source: "the prompt" };
}

function nonEmpty(token: string | undefined, where: string): string {
  const trimmed = token?.trim();
  if (!trimmed) throw new CliError(`no token on ${where}: pipe one in (distillery login --api URL < token-file) or set DISTILLERY_TOKEN`, ExitCode.AUTH);
  return trimmed;
}

async function firstLine(input: NodeJS.ReadableStream): Promise<string | undefined> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of lines) return line;
    return undefined;
  } finally {
    lines.close();
  }
}

/** Reads one line from the terminal in raw mode, echoing nothing; Ctrl-C interrupts (exit 130). */
function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed = "";
    const finish = () => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
    };
    const onData = (chunk: string) => {
      for (const character of chunk) {
        if (character === "\r" || character === "\n" || character === "\u0004") {
          finish();
          resolve(typed);
          return;
        }
        if (character === "\u0003") {
          finish();
          reject(new CliError("interrupted", ExitCode.INTERRUPTED));
          return;
        }
        typed = character === "\u007f" || character === "\b" ? typed.slice(0, -1) : typed + character;
      }
    };
    stdin.on("data", onData);
  });
}
