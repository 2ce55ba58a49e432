/**
 * The console and the softphone in a real browser: Debian's chromium, headless,
 * its microphone playing a fixture's recorded caller. Assertions are on what the
 * page shows and on the audio energy the page itself measured; every wait is on
 * a condition, with a generous deadline. Screenshots go to out/console/.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBot, type Bot } from "../src/app.js";
import { loadConfig } from "../src/config/index.js";
import { speechDurationMs } from "../src/emulator/index.js";
import { loadFixture } from "../src/replay/fixture.js";
import { startReplayPeers } from "../src/replay/peers.js";
import { replayFixture } from "../src/replay/runner.js";
import { launchChromium, writeMicrophoneWav } from "./support/chromium.js";
import { freePort } from "../src/free-port.js";

const SHOTS = "out/console";
const FIXTURE = "fixtures/calls/greeting-question";
const GREETING = "Thank you for calling Contoso. How can I help you today?";
const ANSWER = "We are open Monday to Friday, from nine to five.";
/** Long enough that the caller's "Great, thank you. Goodbye." cuts into it: a barge-in through the browser. */
const LONG_ANSWER = `${ANSWER} On Saturdays we open at ten and close at two, and on public holidays the store stays closed, but our website takes orders every hour of every day.`;
const SCENARIO = {
  version: 1,
  name: "softphone-barge-in",
  turns: [
    { user: "Hi. What are your opening hours?", assistant: [{ say: LONG_ANSWER }] },
    { user: "Great, thank you. Goodbye.", assistant: [{ say: "You're welcome. Goodbye!" }, { tool: "end_call" }] },
  ],
};
const TOKEN = "console-token-for-browser-tests-42";
const WAIT_MS = 60_000;

let browser: Browser;
const startedMs = performance.now();
beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const fixture = loadFixture(FIXTURE);
  // Two seconds of quiet first, so the greeting has played before the caller speaks even on a slow machine.
  const wav = writeMicrophoneWav(join(SHOTS, "microphone.wav"), fixture.callerSamples, 8000, 2000);
  browser = await launchChromium(wav);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  process.stdout.write(`console-browser: ${((performance.now() - startedMs) / 1000).toFixed(1)} s in the browser tests\n`);
});


async function openConsole(page: Page, url: string): Promise<string[]> {
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
  });
  await page.goto(`${url}/console`);
  return problems;
}

const dataNumber = async (page: Page, selector: string, key: string) => Number(await page.locator(selector).getAttribute(`data-${key}`));

/** Polls what the page shows (the page's CSP forbids evaluating test code in it, as it should). */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const heardMs = (page: Page) => dataNumber(page, "#softphone-heard", "heard-ms");

/**
 * Records, inside the page, the loudest level the live table showed for each side
 * while it marked that side as speaking (levels change ten times a second: a
 * poll from the test process could miss them on a busy machine).
 */
async function recordShownLevels(page: Page): Promise<() => Promise<{ caller: number; bot: number }>> {
  await page.evaluate(() => {
    const scope = globalThis as any;
    scope.shownLevels = { caller: -100, bot: -100 };
    scope.setInterval(() => {
      for (const who of ["caller", "bot"]) {
        for (const row of scope.document.querySelectorAll("#live-calls tbody tr")) {
          if (!row.querySelector(`[data-field="${who}-speaking"]`)?.classList.contains("on")) continue;
          const dbfs = Number(row.querySelector(`[data-field="${who}-level"]`)?.dataset.dbfs ?? -100);
          if (dbfs > scope.shownLevels[who]) scope.shownLevels[who] = dbfs;
        }
      }
    }, 20);
  });
  return () => page.evaluate(() => (globalThis as any).shownLevels);
}

describe("the operations console in a real browser", () => {
  it("a softphone call from the browser microphone hears the greeting, is answered, barges in, and shows live with its transcript and per-turn latency", async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const scenarioFile = join(mkdtempSync(join(tmpdir(), "browser-scenario-")), "scenario.json");
    writeFileSync(scenarioFile, JSON.stringify(SCENARIO));
    let bot: Bot | undefined;
    try {
      bot = await createBot({
        config: loadConfig({
          PUBLIC_BASE_URL: base,
          ACS_CONNECTION_STRING: "endpoint=http://127.0.0.1:9/;accesskey=a2V5a2V5a2V5a2V5",
          EMULATOR_SCENARIO: scenarioFile,
          GREETING_TEXT: GREETING,
          CALL_LOG_DIR: mkdtempSync(join(tmpdir(), "browser-call-logs-")),
        }),
        logger: pino({ level: "silent" }),
      });
      await bot.server.listen({ host: "127.0.0.1", port });
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const problems = await openConsole(page, base);
      await page.locator("#feed-status", { hasText: "live" }).waitFor({ timeout: WAIT_MS });
      const shownLevels = await recordShownLevels(page);

      // Dial from the keyboard, as an operator could.
      await page.locator("#dial").focus();
      await page.keyboard.press("Enter");
      await page.locator('#softphone-status[data-state="in-call"]').waitFor({ timeout: WAIT_MS });

      // The call shows live, selected, like any phone call.
      const row = page.locator("#live-calls tbody tr", { hasText: "browser softphone" });
      await row.waitFor({ timeout: WAIT_MS });
      await page.locator("#detail-head", { hasText: "browser softphone" }).waitFor({ timeout: WAIT_MS });

      // The greeting reaches the page's speakers: energy measured by its own player.
      const greetingMs = speechDurationMs(GREETING);
      await until("the greeting's energy at the page's speakers", async () => (await heardMs(page)) >= greetingMs * 0.8);
      expect(await dataNumber(page, "#softphone-heard", "peak-dbfs")).toBeGreaterThan(-30);
      // The live table showed the bot speaking, with its level.
      expect((await shownLevels()).bot).toBeGreaterThan(-50);

      // The caller's recorded words reach the bot through the microphone, and the bot answers them.
      await page.locator("#transcript li.caller", { hasText: "opening hours" }).waitFor({ timeout: WAIT_MS });
      // … and the caller speaking, with the microphone's level.
      expect((await shownLevels()).caller).toBeGreaterThan(-50);
      await page.locator("#transcript li.bot", { hasText: "from nine to five" }).waitFor({ timeout: WAIT_MS });
      await page.locator("#timeline li.latency", { hasText: "turn 1 answered" }).waitFor({ timeout: WAIT_MS });
      await until("the answer's energy at the page's speakers", async () => (await heardMs(page)) >= (greetingMs + speechDurationMs(ANSWER)) * 0.8);
      await page.screenshot({ path: join(SHOTS, "softphone-in-call.png"), fullPage: true });

      // "Goodbye" cuts into the long answer: StopAudio reaches the page, which drops what its jitter buffer held.
      await until("StopAudio at the page", async () => (await dataNumber(page, "#softphone-heard", "stop-audio")) >= 1);
      await until("the page's player flushed", async () => (await dataNumber(page, "#softphone-heard", "cleared")) >= 1);
      await page.locator("#timeline li.latency", { hasText: "barge-in" }).waitFor({ timeout: WAIT_MS });
      await page.locator("#transcript li.bot.interrupted", { hasText: "from nine to five" }).waitFor({ timeout: WAIT_MS });
      // Then the bot says goodbye and ends the call: its hang-up closes the softphone's socket.
      await page.locator('#softphone-status[data-state="ended"]', { hasText: "the bot ended the call" }).waitFor({ timeout: WAIT_MS });
      await page.locator("#recent-calls tbody tr", { hasText: "browser softphone" }).waitFor({ timeout: WAIT_MS });
      expect(await page.locator("#live-calls tbody tr").count()).toBe(0);
      expect(Number(await page.locator('[data-figure="turns"] dd').textContent())).toBe(2);
      expect(await page.locator('[data-figure="p50"] dd').textContent()).toMatch(/^\d+ ms$/);
      await until("both turns in the distribution", async () => (await dataNumber(page, "#dist-summary", "turns")) >= 2);
      expect(await page.locator('[data-figure="barge-ins"] dd').textContent()).toBe("1");
      await page.screenshot({ path: join(SHOTS, "softphone-ended.png"), fullPage: true });
      expect(problems).toEqual([]);
      await page.close();
    } finally {
      await bot?.shutdown(0);
    }
  }, 180_000);

  it("a fixture replayed against the running bot appears live (a public deployment: sign in with CONSOLE_TOKEN)", async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const peers = await startReplayPeers({ botUrl: base, portBase: 0, stateFile: join(mkdtempSync(join(tmpdir(), "peers-")), "state.json"), speed: 1 });
    const fixture = loadFixture(FIXTURE);
    let bot: Bot | undefined;
    try {
      bot = await createBot({ config: loadConfig({ ...peers.botEnv, ...fixture.env, CONSOLE_TOKEN: TOKEN }), logger: pino({ level: "silent" }) });
      await bot.server.listen({ host: "127.0.0.1", port });
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const problems = await openConsole(page, base);
      await page.locator("#sign-in").waitFor({ timeout: WAIT_MS });
      expect(await page.locator("#main").isVisible()).toBe(false);
      await page.locator("#token").fill(TOKEN);
      await page.keyboard.press("Enter");
      await page.locator("#feed-status", { hasText: "live" }).waitFor({ timeout: WAIT_MS });

      const replay = replayFixture(fixture, { speed: 1, target: peers.target });
      const row = page.locator("#live-calls tbody tr", { hasText: fixture.from });
      await row.waitFor({ timeout: WAIT_MS });
      await row.getByRole("button").click();
      await page.locator("#detail-head", { hasText: `${fixture.from} (Jane Caller) → ${fixture.to}` }).waitFor({ timeout: WAIT_MS });
      await page.locator("#transcript li.caller", { hasText: "opening hours" }).waitFor({ timeout: WAIT_MS });
      await page.locator("#timeline li.latency", { hasText: "turn 1 answered" }).waitFor({ timeout: WAIT_MS });
      expect(await row.locator('[data-field="state"]').textContent()).toBe("connected");
      await page.screenshot({ path: join(SHOTS, "replay-live.png"), fullPage: true });

      const result = await replay;
      expect(result.observation.end?.reason).toBe("botHungUp");
      await page.locator("#recent-calls tbody tr", { hasText: fixture.from }).waitFor({ timeout: WAIT_MS });
      await page.locator("#detail-head", { hasText: "ended: end_call" }).waitFor({ timeout: WAIT_MS });
      expect(Number(await page.locator('[data-figure="turns"] dd').textContent())).toBe(2);
      await page.screenshot({ path: join(SHOTS, "replay-ended.png"), fullPage: true });
      expect(problems).toEqual([]);
      await page.close();
    } finally {
      await peers.close();
      await bot?.shutdown(0);
    }
  }, 180_000);
});
