/**
 * The bot under test, as its own process, optionally pinned to CPUs with taskset.
 * By default it is compiled first (tsconfig.build.json, as the Dockerfile does)
 * and run as `node dist/main.js`, exactly what a container runs: the same bot run
 * through tsx cost ~30 % more CPU per frame pair here (123–133 vs 94 µs at 150
 * calls). Its CPU time and
 * RSS are read from /proc for the whole process tree (cluster workers too),
 * its event-loop lag and heap from its own /metrics.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const CLOCK_TICKS_PER_S = 100; // USER_HZ: 100 on every Linux Node ships for
const PAGE_BYTES = 4096;

export interface BotSample {
  readonly atMs: number;
  /** User + system CPU of the bot and its workers, milliseconds. */
  readonly cpuMs: number;
  /** The kernel's share of cpuMs (socket system calls, loopback TCP). */
  readonly systemCpuMs: number;
  readonly rssBytes: number;
  readonly processes: number;
}

export interface BotMetrics {
  readonly eventLoopLagP99Ms: number | undefined;
  readonly eventLoopLagMaxMs: number | undefined;
  readonly heapUsedBytes: number | undefined;
  readonly prewarm: Readonly<Record<string, number>>;
}

export interface BotProcess {
  readonly baseUrl: string;
  readonly pid: number;
  sample(): BotSample;
  metrics(): Promise<BotMetrics>;
  /** Last lines the bot printed (for a failure report). */
  output(): string;
  stop(): Promise<number | null>;
}

/**
 * Compiles `root`'s bot the way the Dockerfile does (tsc with its
 * tsconfig.build.json, console assets beside the output) into
 * `root`/out/loadtest/bot-build, so Node resolves `root`'s node_modules.
 * Returns the entry point.
 */
export async function buildBot(root: string): Promise<string> {
  const outDir = join(root, "out", "loadtest", "bot-build");
  if (!existsSync(join(root, "tsconfig.build.json"))) throw new Error(`${root} has no tsconfig.build.json: run it with --from-sources`);
  rmSync(outDir, { recursive: true, force: true });
  const tsc = fileURLToPath(new URL("../../node_modules/typescript/bin/tsc", import.meta.url));
  const child = spawn(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json"), "--outDir", outDir], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`building the bot in ${root} failed (tsc exit ${code}):\n${output.slice(-4000)}`);
  const assets = join(root, "src", "console", "public");
  if (existsSync(assets)) cpSync(assets, join(outDir, "console", "public"), { recursive: true });
  return join(outDir, "main.js");
}

export async function startBotProcess(options: {
  env: Record<string, string>;
  port: number;
  cpus?: string;
  /** Scheduling priority (nice value; negative needs root), to measure the bot rather than its neighbours. */
  nice?: number;
  /** A checkout whose src/main.ts to run instead of this one (to compare versions). */
  botDir?: string;
  /** Write a V8 CPU profile of the bot (every process) into this directory at exit. */
  profileDir?: string;
  /** Run src/main.ts through tsx instead of the compiled bot (quicker to iterate, not what containers run). */
  fromSources?: boolean;
  /** Run the floor relay (loadtest/floor-bot) instead of the bot, compiled the same way. */
  floor?: boolean;
  readyTimeoutMs?: number;
}): Promise<BotProcess> {
  const root = options.botDir ?? fileURLToPath(new URL("../..", import.meta.url));
  const profile = options.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.profileDir}`] : [];
  const entry = options.fromSources
    ? ["--import", "tsx", options.floor ? "src/loadtest/floor-bot.ts" : "src/main.ts"]
    : [options.floor ? join(dirname(await buildBot(root)), "loadtest", "floor-bot.js") : await buildBot(root)];
  const node = [process.execPath, ...profile, ...entry];
  const argv = withPlacement(node, options);
  const child: ChildProcess = spawn(argv[0]!, argv.slice(1), {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own session (so its own scheduler autogroup, see prioritise) when a priority is asked for.
    detached: options.nice !== undefined,
  });
  prioritise(child, options.nice);
  let tail = "";
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString()).slice(-8000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${options.port}`;
  const deadline = performance.now() + (options.readyTimeoutMs ?? 60_000);
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  for (;;) {
    if (exitCode !== undefined) throw new Error(`the bot exited (${exitCode}) before it was ready:\n${tail}`);
    try {
      const response = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the bot was not ready within ${options.readyTimeoutMs ?? 60_000} ms:\n${tail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const pid = child.pid!;
  return {
    baseUrl,
    pid,
    sample: () => sampleTree(pid),
    metrics: () => scrape(baseUrl),
    output: () => tail,
    async stop() {
      if (exitCode !== undefined) return exitCode;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/**
 * With autogroup scheduling (Linux's default for desktops and most servers),
 * nice only ranks processes within one session; between sessions CPU is shared
 * per session. So a prioritised child gets its own session (spawned detached)
 * and that session's autogroup gets the nice value too. A detached child is
 * killed when this process exits, whatever the reason.
 */
export function prioritise(child: ChildProcess, nice: number | undefined): void {
  if (nice === undefined || child.pid === undefined) return;
  try {
    writeFileSync(`/proc/${child.pid}/autogroup`, String(nice));
  } catch {
    // No autogroup here (or not allowed): nice alone applies.
  }
  const kill = (): void => {
    if (child.exitCode === null) child.kill("SIGKILL");
  };
  process.once("exit", kill);
  child.once("exit", () => process.off("exit", kill));
}

/** Prefixes a command with taskset (CPU list) and nice (priority) as asked. */
export function withPlacement(command: string[], placement: { cpus?: string; nice?: number }): string[] {
  const pinned = placement.cpus ? ["taskset", "-c", placement.cpus, ...command] : command;
  return placement.nice ? ["nice", "-n", String(placement.nice), ...pinned] : pinned;
}

function processTree(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i++) {
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${all[i]}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      try {
        for (const child of readFileSync(`/proc/${all[i]}/task/${task}/children`, "utf8").split(" ")) {
          if (child.trim()) all.push(Number(child));
        }
      } catch {
        // gone
      }
    }
  }
  return all;
}

function sampleTree(pid: number): BotSample {
  let ticks = 0;
  let systemTicks = 0;
  let pages = 0;
  let processes = 0;
  for (const member of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${member}/stat`, "utf8");
      // Fields after the parenthesised command: state is field 3; utime 14, stime 15, rss 24.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
      systemTicks += Number(fields[12]);
      pages += Number(fields[21]);
      processes += 1;
    } catch {
      // exited between listing and reading
    }
  }
  return { atMs: performance.now(), cpuMs: (ticks * 1000) / CLOCK_TICKS_PER_S, systemCpuMs: (systemTicks * 1000) / CLOCK_TICKS_PER_S, rssBytes: pages * PAGE_BYTES, processes };
}

async function scrape(baseUrl: string): Promise<BotMetrics> {
  const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  const value = (name: string): number | undefined => {
    const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, "m").exec(text);
    return match ? Number(match[1]) : undefined;
  };
  const prewarm: Record<string, number> = {};
  for (const match of text.matchAll(/^bot_prewarm_sessions_total\{outcome="([a-z_]+)"\} ([0-9.]+)$/gm)) prewarm[match[1]!] = Number(match[2]);
  const lagP99 = value("nodejs_eventloop_lag_p99_seconds");
  const lagMax = value("nodejs_eventloop_lag_max_seconds");
  return {
    eventLoopLagP99Ms: lagP99 === undefined ? undefined : lagP99 * 1000,
    eventLoopLagMaxMs: lagMax === undefined ? undefined : lagMax * 1000,
    heapUsedBytes: value("nodejs_heap_size_used_bytes"),
    prewarm,
  };
}
