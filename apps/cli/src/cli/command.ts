/**
 * One `distillery <name>` command. `run` receives the arguments after the name and resolves to the
 * exit status; it throws for failures (bin.ts turns any error into one line on stderr and the
 * status cli/exit-codes.ts assigns it).
 */
export interface Command {
  name: string;
  /** Other names it answers to (`datasets` for `dataset`). */
  aliases?: readonly string[];
  /** Its lines in `distillery help`: the synopsis first, options indented below. */
  usage: string;
  run(argv: string[]): Promise<number>;
}
