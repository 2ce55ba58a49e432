import { createServer, type AddressInfo } from "node:net";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { createBot } from "../src/app.js";
import { loadConfig } from "../src/config/index.js";
import { loadFixture } from "../src/replay/fixture.js";
import { startReplayPeers } from "../src/replay/peers.js";
import { replayFixture } from "../src/replay/runner.js";

const failures = (results: ReadonlyArray<{ passed: boolean; name: string; detail: string }>) => results.filter((r) => !r.passed).map((r) => `${r.name} — ${r.detail}`);

describe("replay modes", () => {
  it("replays against a running bot started with the settings the replay prints", async () => {
    // The "running bot": another process in real life; here one built from exactly the printed settings.
    let botUrl = "";
    const botPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const port = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(port));
      });
    });
    botUrl = `http://127.0.0.1:${botPort}`;
    const peers = await startReplayPeers({ botUrl, portBase: 0, stateFile: join(mkdtempSync(join(tmpdir(), "peers-")), "state.json"), speed: 1 });
    const fixture = loadFixture("fixtures/calls/greeting-question");
    const bot = await createBot({ config: loadConfig({ ...peers.botEnv, ...fixture.env }), logger: pino({ level: "silent" }) });
    await bot.server.listen({ host: "127.0.0.1", port: botPort });
    try {
      expect(peers.botEnv).toMatchObject({ PUBLIC_BASE_URL: "https://bot.replay.invalid", VOICELIVE_API_KEY: "replay" });
      const result = await replayFixture(fixture, { speed: 1, target: peers.target });
      expect(failures(result.results)).toEqual([]);
      expect(result.observation.inProcess).toBe(false);
      expect(result.observation.end?.reason).toBe("botHungUp");
    } finally {
      await peers.close();
      await bot.shutdown(0);
    }
  }, 60_000);
});
