/**
 * Debian's chromium driven by playwright-core (nothing downloaded): headless,
 * with a fake microphone that plays a WAV file once — the caller's recording
 * becomes the browser softphone's microphone.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { encodeWav } from "../../src/audio/index.js";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export async function launchChromium(microphoneWav: string): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    // Never a skip: CI installs it (scripts/ensure-chromium.sh), and so does npm test's pretest.
    throw new Error(`Chromium is not at ${CHROMIUM_PATH}: run bash scripts/ensure-chromium.sh (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-background-networking",
      "--disable-component-update",
      "--use-fake-ui-for-media-stream",
      "--use-fake-device-for-media-stream",
      // %noloop: the recording plays once, like a caller who says their piece.
      `--use-file-for-fake-audio-capture=${resolve(microphoneWav)}%noloop`,
    ],
  });
}

/** A PCM16 WAV (what Chromium's fake capture reads) of `samples`, after `leadSilenceMs` of silence. */
export function writeMicrophoneWav(path: string, samples: Int16Array, sampleRateHz: number, leadSilenceMs: number): string {
  const lead = Math.round((sampleRateHz * leadSilenceMs) / 1000);
  const padded = new Int16Array(lead + samples.length);
  padded.set(samples, lead);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodeWav(padded, sampleRateHz));
  return path;
}
