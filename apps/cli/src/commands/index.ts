import type { Command } from "../cli/command";
import { datasetCommand } from "./dataset-import";
import { fidCommand, inspectCommand, quantizeCommand } from "./offline-commands";
import { upCommand } from "./up-command";
import { loginCommand } from "./login-command";
import { whoamiCommand } from "./whoami-command";
import { launchCommand } from "./launch-command";
import { runsCommand } from "./runs-command";
import { logsCommand } from "./logs-command";
import { cancelCommand } from "./cancel-command";
import { leaderboardCommand } from "./leaderboard-command";
import { pullCommand } from "./pull-command";
import { pushCommand } from "./push-command";
import { modelsCommand } from "./models-command";
import { versionsCommand } from "./versions-command";
import { aliasCommand } from "./alias-command";

/** Every command, in the order `distillery help` lists them. */
export const COMMANDS: readonly Command[] = [upCommand, loginCommand, whoamiCommand, launchCommand, runsCommand, logsCommand, cancelCommand, leaderboardCommand, datasetCommand, pullCommand, pushCommand, modelsCommand, versionsCommand, aliasCommand, inspectCommand, quantizeCommand, fidCommand];

/** Commands `distillery help` lists under "Offline (files only, no server)". */
export const OFFLINE_COMMANDS: ReadonlySet<string> = new Set(["inspect", "quantize", "fid"]);
