/**
 * `npm run bench`: the audio layer's cost per 20 ms frame pair (one frame in
 * from the caller, one frame out to the caller), per leg format, side by side
 * with speexdsp (WASM, quality 4) and a no-filter copy loop (one process per leg format).
 *
 * Every variant runs through the real converters (speex and the copy loop are
 * plugged in via `resamplerFactory`), so the glue is identical and only the
 * resampler differs. "framed" adds the wire work around each pair, using the
 * bot's own codecs:
 *   in:  ACS AudioData text → parseAcsMediaMessage → base64 → inbound.push →
 *        encodeInputAudioAppend → bytes for the socket
 *   out: response.audio.delta text (20 ms) → JSON.parse → base64 decode →
 *        outbound.pushPcm16Bytes → frame packer → encodeAcsAudioData → bytes for the socket
 * ("bytes for the socket" = the UTF-8 write ws does; it also flattens the
 * concatenated strings, which would otherwise hide the cost of building them.)
 *
 * Timing: all variants of one leg format run side by side in one process, in
 * interleaved rounds (rotating order), each round a batch of frame pairs per
 * variant; the figure is the median over rounds. Each leg format gets its own
 * child process, so one format's JIT feedback and heap do not skew the next.
 * Env: BENCH_ROUNDS (default 21), BENCH_PAIRS (frame pairs per batch, default 1000).
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { encodeAcsAudioData, parseAcsMediaMessage } from "../src/media/acs-codec.js";
import { encodeInputAudioAppend } from "../src/voicelive/codec.js";
import {
  createBase64Decoder,
  createFramePacker,
  createInboundConverter,
  createOutboundConverter,
  createResampler,
  describeLegFormat,
  encodeMulawInto,
  legFrameBytes,
  type ConverterOptions,
  type LegFormat,
  type ResamplerFactory,
} from "../src/audio/index.js";
import { createCopyResampler } from "./copy-resampler.js";
import { measureQuality } from "./quality.js";
import { loadSpeex, type SpeexRuntime } from "./speex-resampler.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 21);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 1000);
const FRAMES_PER_SECOND = 50;
const DISTINCT_FRAMES = 50; // one second of material, cycled

const FORMATS: LegFormat[] = [
  { encoding: "mulaw", sampleRateHz: 8000 },
  { encoding: "pcm16", sampleRateHz: 8000 },
  { encoding: "pcm16", sampleRateHz: 16000 },
  { encoding: "pcm16", sampleRateHz: 24000 },
];

// ---------------------------------------------------------------- material

function speechLike(rateHz: number, samples: number, seed: number): Int16Array {
  let state = seed >>> 0;
  const rand = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296) * 2 - 1;
  const out = new Int16Array(samples);
  for (let n = 0; n < samples; n++) {
    const t = n / rateHz;
    const envelope = 0.6 + 0.4 * Math.sin(2 * Math.PI * 3 * t);
    const v = envelope * (5000 * Math.sin(2 * Math.PI * 180 * t) + 3000 * Math.sin(2 * Math.PI * 1200 * t)) + 1500 * rand();
    out[n] = Math.round(v);
  }
  return out;
}

interface Material {
  readonly legFrames: Uint8Array[]; // leg payloads, 20 ms each
  readonly vlFrames: Int16Array[]; // 24 kHz, 480 samples each
  readonly acsTexts: string[]; // ACS AudioData messages carrying legFrames
  readonly deltaTexts: string[]; // response.audio.delta events carrying vlFrames
}

function material(format: LegFormat): Material {
  const legSamples = format.sampleRateHz / FRAMES_PER_SECOND;
  const leg = speechLike(format.sampleRateHz, legSamples * DISTINCT_FRAMES, 1);
  const vl = speechLike(24000, 480 * DISTINCT_FRAMES, 2);
  const legFrames: Uint8Array[] = [];
  const vlFrames: Int16Array[] = [];
  const acsTexts: string[] = [];
  const deltaTexts: string[] = [];
  for (let i = 0; i < DISTINCT_FRAMES; i++) {
    const samples = leg.slice(i * legSamples, (i + 1) * legSamples);
    let bytes: Uint8Array;
    if (format.encoding === "mulaw") {
      bytes = new Uint8Array(legSamples);
      encodeMulawInto(samples, bytes);
    } else {
      bytes = new Uint8Array(samples.buffer);
    }
    legFrames.push(bytes);
    const out = vl.slice(i * 480, (i + 1) * 480);
    vlFrames.push(out);
    acsTexts.push(
      JSON.stringify({
        kind: "AudioData",
        audioData: {
          timestamp: "2024-11-15T19:16:12.925Z",
          participantRawID: "4:+12065551212",
          data: Buffer.from(bytes).toString("base64"),
          silent: false,
        },
      }),
    );
    deltaTexts.push(
      JSON.stringify({
        type: "response.audio.delta",
        event_id: `event_${i}`,
        response_id: "resp_001",
        item_id: "item_001",
        output_index: 0,
        content_index: 0,
        delta: Buffer.from(out.buffer).toString("base64"),
      }),
    );
  }
  return { legFrames, vlFrames, acsTexts, deltaTexts };
}

// ---------------------------------------------------------------- variants

/** Runs `pairs` frame pairs and returns something derived from the output (keeps the work observable). */
type PairRunner = (pairs: number) => number;

function convertOnly(format: LegFormat, m: Material, options: ConverterOptions): PairRunner {
  const inbound = createInboundConverter(format, options);
  const outbound = createOutboundConverter(format, options);
  let i = 0;
  return (pairs) => {
    let sink = 0;
    for (let p = 0; p < pairs; p++) {
      sink += inbound.push(m.legFrames[i]).length;
      sink += outbound.push(m.vlFrames[i]).length;
      i = i + 1 === DISTINCT_FRAMES ? 0 : i + 1;
    }
    return sink;
  };
}

function framed(format: LegFormat, m: Material, options: ConverterOptions): PairRunner {
  const inbound = createInboundConverter(format, options);
  const outbound = createOutboundConverter(format, options);
  const frameBytes = legFrameBytes(format);
  const packer = createFramePacker(frameBytes);
  const base64 = createBase64Decoder();
  const deltaBase64 = createBase64Decoder();
  const wire = Buffer.allocUnsafe(64 * 1024); // stands in for ws turning text into frame bytes
  let i = 0;
  return (pairs) => {
    let sink = 0;
    for (let p = 0; p < pairs; p++) {
      const message = parseAcsMediaMessage(m.acsTexts[i]);
      if (message.kind === "audioData") {
        const append = encodeInputAudioAppend(inbound.push(base64.decode(message.data)));
        sink += wire.write(append);
      }
      const event = JSON.parse(m.deltaTexts[i]) as { type: string; delta: string };
      const frames = packer.push(outbound.pushPcm16Bytes(deltaBase64.decode(event.delta)));
      for (let at = 0; at < frames.length; at += frameBytes) {
        sink += wire.write(encodeAcsAudioData(frames.subarray(at, at + frameBytes)));
      }
      i = i + 1 === DISTINCT_FRAMES ? 0 : i + 1;
    }
    return sink;
  };
}

// ---------------------------------------------------------------- timing

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median µs per frame pair for each runner, over interleaved rounds. */
function timeInterleaved(runners: Map<string, PairRunner>): Map<string, number> {
  const names = [...runners.keys()];
  const samples = new Map(names.map((n) => [n, [] as number[]]));
  let sink = 0;
  for (const name of names) sink += runners.get(name)!(PAIRS * 3); // warm-up: JIT, buffers, caches
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + round) % names.length];
      const start = process.hrtime.bigint();
      sink += runners.get(name)!(PAIRS);
      const elapsedNs = Number(process.hrtime.bigint() - start);
      samples.get(name)!.push(elapsedNs / 1000 / PAIRS);
    }
  }
  if (sink === 0) console.log("(no output?)");
  return new Map(names.map((n) => [n, median(samples.get(n)!)]));
}

// ---------------------------------------------------------------- report

const fmt = (v: number, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : "—");
const callsPerCore = (usPerPair: number) => 1e6 / (FRAMES_PER_SECOND * usPerPair);
const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);

interface Engine {
  readonly name: string;
  readonly options: ConverterOptions;
}

async function loadEngines(): Promise<{ engines: Engine[]; speexSimd: SpeexRuntime }> {
  const speexSimd = await loadSpeex("simd");
  const speexPlain = await loadSpeex("nonsimd");
  const engines: Engine[] = [
    { name: OURS, options: { kernel: "wasm" } },
    { name: "ours (JS fallback)", options: { kernel: "js" } },
    { name: SPEEX, options: { resamplerFactory: (a, b) => speexSimd.create(a, b, 4) } },
    { name: "speex q4 WASM", options: { resamplerFactory: (a, b) => speexPlain.create(a, b, 4) } },
    { name: FLOOR, options: { resamplerFactory: createCopyResampler } },
  ];
  return { engines, speexSimd };
}

const OURS = "ours (WASM SIMD FIR)";
const SPEEX = "speex q4 WASM SIMD";
const FLOOR = "copy loop (floor)";

/** Child: times every engine on one leg format and sends back { "engine|mode": µs }. */
async function measureFormat(format: LegFormat): Promise<Record<string, number>> {
  const { engines } = await loadEngines();
  const m = material(format);
  const runners = new Map<string, PairRunner>();
  for (const e of engines) {
    runners.set(`${e.name}|convert`, convertOnly(format, m, e.options));
    runners.set(`${e.name}|framed`, framed(format, m, e.options));
  }
  return Object.fromEntries(timeInterleaved(runners));
}

function measureFormatInChild(index: number): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ["--format", String(index)], { execArgv: process.execArgv });
    let result: Record<string, number> | undefined;
    child.on("message", (message) => (result = message as Record<string, number>));
    child.on("error", reject);
    child.on("exit", (code) => (result && code === 0 ? resolve(result) : reject(new Error(`bench child exited ${code}`))));
  });
}

async function main(): Promise<void> {
  const { engines, speexSimd } = await loadEngines();

  console.log(`audio bench — Node ${process.version}, ${ROUNDS} interleaved rounds × ${PAIRS} frame pairs, medians`);
  console.log("µs per 20 ms frame pair (in + out); calls/core = 1e6 / (50 × µs framed)\n");

  const summary: string[] = [];
  for (const [index, format] of FORMATS.entries()) {
    const timings = await measureFormatInChild(index);
    const us = (engine: string, mode: "convert" | "framed") => timings[`${engine}|${mode}`];
    const resampled = format.sampleRateHz !== 24000;

    console.log(`leg ${describeLegFormat(format)} (${legFrameBytes(format)} B frames)${resampled ? "" : " — no resampling: every engine passes through"}`);
    console.log(
      `  ${pad("engine", 22)}${lpad("convert µs", 11)}${lpad("framed µs", 11)}${lpad("calls/core", 12)}` +
        `${lpad("speex/this", 12)}${lpad("this/floor", 12)}`,
    );
    for (const e of engines) {
      const c = us(e.name, "convert");
      const f = us(e.name, "framed");
      console.log(
        `  ${pad(e.name, 22)}${lpad(fmt(c), 11)}${lpad(fmt(f), 11)}${lpad(fmt(callsPerCore(f), 0), 12)}` +
          `${lpad(`${fmt(us(SPEEX, "convert") / c)}/${fmt(us(SPEEX, "framed") / f)}`, 12)}` +
          `${lpad(`${fmt(c / us(FLOOR, "convert"))}/${fmt(f / us(FLOOR, "framed"))}`, 12)}`,
      );
    }
    console.log("");
    const oc = us(OURS, "convert");
    const of = us(OURS, "framed");
    const speexRatio = us(SPEEX, "framed") / of;
    summary.push(
      `  ${pad(describeLegFormat(format), 12)} convert ${fmt(oc)} µs, framed ${fmt(of)} µs (goal ≤ 10: ${of <= 10 ? "met" : "MISSED"}), ` +
        `${fmt(callsPerCore(of), 0)} calls/core; speex q4 SIMD / ours ×${fmt(us(SPEEX, "convert") / oc)} convert, ` +
        `×${fmt(speexRatio)} framed (goal ≥ 1.0: ${resampled ? (speexRatio >= 1 ? "met" : "MISSED") : "n/a, passthrough"}); ` +
        `ours / floor ×${fmt(oc / us(FLOOR, "convert"))} convert, ×${fmt(of / us(FLOOR, "framed"))} framed`,
    );
  }
  console.log("speex/this: speex q4 SIMD's cost over this engine's (≥ 1.0 = this is no worse), convert/framed.");
  console.log("this/floor: this engine's cost over the no-filter copy loop's, convert/framed.\n");

  console.log("quality (measured with generated tones, int16 in and out; goal: ripple ≤ 0.02 dB, aliasing ≤ −80 dB, delay ≤ 2 ms)");
  console.log(
    `  ${pad("resampler", 26)}${lpad("ripple up/down dB", 19)}${lpad("worst image", 13)}${lpad("worst alias", 13)}` +
      `${lpad("issue tones", 15)}${lpad("delay up/down ms", 18)}`,
  );
  const qualityEngines: [string, ResamplerFactory][] = [
    ["ours", (a, b) => createResampler(a, b)],
    ["speex q4", (a, b) => speexSimd.create(a, b, 4)],
  ];
  for (const rate of [8000, 16000] as const) {
    for (const [name, factory] of qualityEngines) {
      const q = measureQuality(factory, rate);
      console.log(
        `  ${pad(`${name} ${rate / 1000}k⇄24k`, 26)}${lpad(`${fmt(q.rippleUpDb, 4)}/${fmt(q.rippleDownDb, 4)}`, 19)}` +
          `${lpad(fmt(q.worstImageDb, 1), 13)}${lpad(fmt(q.worstAliasDb, 1), 13)}` +
          `${lpad(`${fmt(q.issueImageDb, 0)}/${fmt(q.issueAliasDb, 0)}`, 15)}` +
          `${lpad(`${fmt(q.measuredDelayUpMs, 2)}/${fmt(q.measuredDelayDownMs, 2)}`, 18)}`,
      );
    }
  }
  console.log("  (worst image: any tone 300 Hz…band edge; worst alias: tones that fold into 0…band edge;");
  console.log("   issue tones: images of 3 kHz / aliases of 5+9 kHz (8k) or 9+11 kHz (16k); −240 = exactly zero after int16 rounding)\n");

  console.log("summary (ours, WASM SIMD kernel):");
  for (const line of summary) console.log(line);
}

const formatArg = process.argv.indexOf("--format");
if (formatArg >= 0) {
  const result = await measureFormat(FORMATS[Number(process.argv[formatArg + 1])]);
  process.send!(result, () => process.exit(0));
} else {
  await main();
}
