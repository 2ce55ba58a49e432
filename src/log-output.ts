/**
 * The process logger: JSON lines (pino) by default, for log pipelines; with
 * LOG_FORMAT=pretty, readable lines through pino-pretty. pino-pretty is a dev
 * dependency, so the production image has none: there the bot logs JSON and
 * says once why (a log format must never stop a bot from starting).
 */
import pino, { type DestinationStream, type Logger, type LoggerOptions } from "pino";

export type PrettyLoader = () => Promise<(options: Record<string, unknown>) => DestinationStream>;

const loadPinoPretty: PrettyLoader = async () => {
  const module = (await import("pino-pretty")) as unknown as { default: (options: Record<string, unknown>) => DestinationStream };
  return module.default;
};

export async function createProcessLogger(options: {
  level: string;
  format: "json" | "pretty";
  base?: Record<string, unknown>;
  /** Where lines go (default stdout); tests capture them. */
  destination?: DestinationStream;
  loadPretty?: PrettyLoader;
}): Promise<Logger> {
  const loggerOptions: LoggerOptions = { level: options.level, ...(options.base ? { base: options.base } : {}) };
  if (options.format === "pretty") {
    try {
      const pretty = await (options.loadPretty ?? loadPinoPretty)();
      // sync: lines are written before process.exit, as with the JSON destination.
      return pino(
        loggerOptions,
        pretty({
          sync: true,
          colorize: options.destination === undefined && process.stdout.isTTY === true,
          translateTime: "SYS:HH:MM:ss.l",
          ignore: "pid,hostname,service,settings",
          singleLine: true,
          ...(options.destination ? { destination: options.destination } : {}),
        }),
      );
    } catch {
      const logger = pino(loggerOptions, options.destination ?? pino.destination({ sync: true }));
      logger.warn("LOG_FORMAT=pretty needs pino-pretty, a dev dependency (the production image has none): logging JSON");
      return logger;
    }
  }
  return options.destination ? pino(loggerOptions, options.destination) : pino(loggerOptions);
}
