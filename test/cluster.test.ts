import { spawn } from "node:child_process";
import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { startAcsRestStub } from "../src/acs-sim/acs-rest-stub.js";
import { availableCpus, cgroupCpuQuota, workerCount } from "../src/cluster.js";
import { incomingCallEvent } from "./support/bot-harness.js";
import { freePort } from "../src/free-port.js";


/** One request on a fresh connection (the cluster balances connections, not requests). */
function send(port: number, method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, agent: false, headers: { "content-type": "application/json" } }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe("WORKERS: one container, every core", () => {
  it("counts CPUs as the container's quota allows", () => {
    expect(cgroupCpuQuota((path) => (path.endsWith("cpu.max") ? "200000 100000\n" : ""))).toBe(2);
    expect(cgroupCpuQuota((path) => (path.endsWith("cpu.max") ? "max 100000\n" : ""))).toBeUndefined();
    expect(cgroupCpuQuota((path) => {
      if (path.endsWith("cpu.max")) throw new Error("no cgroup v2");
      return path.endsWith("quota_us") ? "150000" : "100000";
    })).toBe(1.5);
    expect(availableCpus(() => 0.5)).toBe(1);
    expect(availableCpus(() => 1000)).toBeGreaterThanOrEqual(1);
    expect(workerCount("auto", 3)).toBe(3);
    expect(workerCount(4, 3)).toBe(4);
  });

  it("serves calls from two worker processes, reports metrics of both, and drains on SIGTERM", async () => {
    const acs = await startAcsRestStub();
    const port = await freePort();
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: new URL("..", import.meta.url).pathname,
      env: {
        PATH: process.env.PATH ?? "",
        WORKERS: "2",
        PORT: String(port),
        HOST: "127.0.0.1",
        PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
        ACS_CONNECTION_STRING: acs.connectionString,
        SHUTDOWN_GRACE_MS: "0",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      // tsx compiles the bot in each worker: slow on a busy machine.
      const deadline = Date.now() + 50_000;
      while ((output.match(/bot ready for calls/g) ?? []).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(output.match(/bot ready for calls/g)).toHaveLength(2);
      const pids = new Set([...output.matchAll(/"pid":(\d+)[^\n]*bot ready for calls/g)].map((m) => m[1]));
      expect(pids.size).toBe(2);

      for (let i = 0; i < 6; i++) expect((await send(port, "POST", "/api/incoming-call", [incomingCallEvent()])).status).toBe(200);
      await acs.waitFor((r) => r.path.endsWith(":answer"), 6, 20_000);
      // Whichever worker answers the scrape, it reports all six calls: the primary sums the workers.
      // The stub has seen six answer requests; a worker counts a call once its answer has come back,
      // so wait for the count to reach six, then check that every later scrape (either worker) agrees.
      const answeredSix = /^bot_incoming_calls_total\{outcome="answered",profile="default"\} 6$/m;
      const countDeadline = Date.now() + 20_000;
      let metrics = await send(port, "GET", "/metrics");
      while (!answeredSix.test(metrics.text) && Date.now() < countDeadline) {
        await new Promise((r) => setTimeout(r, 100));
        metrics = await send(port, "GET", "/metrics");
      }
      for (let i = 0; i < 3; i++) {
        metrics = await send(port, "GET", "/metrics");
        expect(metrics.status).toBe(200);
        expect(metrics.text).toMatch(answeredSix);
      }

      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(output).toMatch(/all workers stopped/);
      expect(output.match(/shut down cleanly/g)).toHaveLength(2);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      await acs.close();
    }
  });
});
