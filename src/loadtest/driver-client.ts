/** The orchestrator's handle on the driver process: request/reply over IPC, with deadlines. */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { prioritise, withPlacement } from "./bot-process.js";
import type { DriverCommand, DriverReply } from "./driver-protocol.js";

export interface DriverClient {
  request<T>(command: DriverCommand, timeoutMs?: number): Promise<T>;
  /** Waits up to `graceMs` for the driver to exit by itself (after "stop"), then kills it. */
  kill(graceMs?: number): Promise<void>;
}

export function startDriver(options: { cpus?: string; nice?: number }): DriverClient {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  // LOADTEST_DRIVER_PROFILE=<dir>: a CPU profile of the driver itself (is it the bottleneck?).
  const profile = process.env.LOADTEST_DRIVER_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.LOADTEST_DRIVER_PROFILE}`] : [];
  const node = [process.execPath, ...profile, "--import", "tsx", "src/loadtest/driver.ts"];
  const argv = withPlacement(node, options);
  const child: ChildProcess = spawn(argv[0]!, argv.slice(1), { cwd: root, stdio: ["ignore", "inherit", "inherit", "ipc"], detached: options.nice !== undefined });
  prioritise(child, options.nice);
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  child.on("message", (reply: DriverReply) => {
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.result);
    else waiter.reject(new Error(`load driver: ${reply.error}`));
  });
  child.on("exit", (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`load driver exited (${code})`));
    pending.clear();
  });
  return {
    request<T>(command: DriverCommand, timeoutMs = 120_000): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`load driver did not answer "${command.cmd}" within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value as T);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        child.send({ ...command, id });
      });
    },
    async kill(graceMs = 0) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
