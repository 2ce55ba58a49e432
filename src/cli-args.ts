import { parseArgs, type ParseArgsConfig } from "node:util";
import { errorMessage } from "./errors.js";

/**
 * parseArgs with the CLIs' shared conventions: a usage error prints the error and
 * the usage (exit code 2), --help prints the usage (exit code 0). Returns the
 * parsed arguments, or the exit code when the command should stop there.
 */
export function parseCliArgs<T extends ParseArgsConfig>(config: T, usage: string): ReturnType<typeof parseArgs<T>> | number {
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    process.stderr.write(`${errorMessage(error)}\n\n${usage}`);
    return 2;
  }
  if ((parsed.values as { help?: unknown }).help === true) {
    process.stdout.write(usage);
    return 0;
  }
  return parsed;
}
