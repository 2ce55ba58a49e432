/**
 * Makes fixtures/calls/<name>/caller.wav from caller.script.json with real
 * speech: espeak-ng speaks each line, sox resamples it to 8 kHz, the lines are
 * placed on the call's timeline over faint line noise, and the result is
 * encoded as G.711 μ-law 8 kHz mono — what a recorded phone call is.
 *
 *   apt-get install espeak-ng sox      (Debian packages; only needed to regenerate)
 *   npx tsx scripts/make-caller-audio.ts [fixture name or folder ...]    (default: every fixture with a caller.script.json, and the demo)
 *
 * caller.script.json: { "durationMs": 16000, "voice": "en-us", "lines": [ { "atMs": 4500, "say": "…" } ] }
 * The WAVs are committed; this script is how they were made.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeMulawInto, encodeMulawWav } from "../src/audio/index.js";

interface CallerScript {
  durationMs: number;
  voice?: string;
  wordsPerMinute?: number;
  lines: Array<{ atMs: number; say: string }>;
}

const ROOT = "fixtures/calls";
const RATE = 8000;

function speak(text: string, voice: string, wpm: number, work: string): Int16Array {
  const wav = join(work, "line.wav");
  const raw = join(work, "line.raw");
  execFileSync("espeak-ng", ["-v", voice, "-s", String(wpm), "-w", wav, text]);
  // Telephone band and level: 300–3400 Hz, peaks at −6 dBFS.
  execFileSync("sox", [wav, "-r", String(RATE), "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "raw", raw, "sinc", "300-3400", "norm", "-6"]);
  const bytes = readFileSync(raw);
  return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 1).slice();
}

function make(target: string): void {
  const dir = existsSync(join(target, "caller.script.json")) ? target : join(ROOT, target);
  const name = target;
  const script = JSON.parse(readFileSync(join(dir, "caller.script.json"), "utf8")) as CallerScript;
  const total = Math.round((script.durationMs / 1000) * RATE);
  const samples = new Int16Array(total);
  // Faint line noise (about −66 dBFS), deterministic.
  let seed = 12345;
  for (let i = 0; i < total; i += 1) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    samples[i] = ((seed >>> 16) % 33) - 16;
  }
  const work = mkdtempSync(join(tmpdir(), "caller-audio-"));
  try {
    let busyUntil = 0;
    for (const line of script.lines) {
      const speech = speak(line.say, script.voice ?? "en-us", script.wordsPerMinute ?? 165, work);
      const start = Math.round((line.atMs / 1000) * RATE);
      if (start < busyUntil) throw new Error(`${name}: "${line.say}" at ${line.atMs} ms overlaps the previous line`);
      if (start + speech.length > total) throw new Error(`${name}: "${line.say}" runs past durationMs`);
      samples.set(speech, start);
      busyUntil = start + speech.length;
      process.stdout.write(`${name}: ${(line.atMs / 1000).toFixed(2)}–${(busyUntil / RATE).toFixed(2)} s  "${line.say}"\n`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const codes = new Uint8Array(total);
  encodeMulawInto(samples, codes);
  writeFileSync(join(dir, "caller.wav"), encodeMulawWav(codes, RATE));
}

const names = process.argv.slice(2);
const targets = names.length > 0 ? names : [...readdirSync(ROOT).filter((name) => existsSync(join(ROOT, name, "caller.script.json"))), "fixtures/demo"];
for (const name of targets.sort()) make(name);
