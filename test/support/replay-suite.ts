/** Replays fixtures at 4× on one leg, one test per fixture: every expectation must hold. */
import { basename } from "node:path";
import { expect, it } from "vitest";
import type { LegName } from "../../src/acs-sim/index.js";
import { fixtureDirs, loadFixture } from "../../src/replay/fixture.js";
import { replayFixture } from "../../src/replay/runner.js";

export function replayEachFixture(leg: LegName | undefined, names: readonly string[] = []): void {
  const dirs = fixtureDirs("all").filter((dir) => names.length === 0 || names.includes(basename(dir)));
  for (const dir of dirs) {
    it(`${basename(dir)} replays with every expectation met`, async () => {
      const fixture = loadFixture(dir);
      expect(fixture.expectations.length).toBeGreaterThan(0);
      const result = await replayFixture(fixture, { speed: 4, ...(leg ? { leg } : {}) });
      expect(result.leg).toBe(leg ?? "pcm24k");
      const failed = result.results.filter((r) => !r.passed).map((r) => `${r.name} — ${r.detail}`);
      expect(failed).toEqual([]);
      expect(result.results.filter((r) => r.skipped)).toEqual([]);
    }, 90_000);
  }
}
