import type { Command } from "../cli/command";
import { datasetCommand } from "./dataset-import";
import { fidCommand, inspectCommand, quantizeCommand } from "./offline-commands";
import { upCommand } from "./up-command";

/** Every command, in the order `distillery help` lists them. */
export const COMMANDS: readonly Command[] = [upCommand, datasetCommand, inspectCommand, quantizeCommand, fidCommand];

/** Commands `distillery help` lists under "Offline (files only, no server)". */
export const OFFLINE_COMMANDS: ReadonlySet<string> = new Set(["inspect", "quantize", "fid"]);
