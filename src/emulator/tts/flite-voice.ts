/**
 * The emulator's real voice: flite in a worker thread, so synthesis (CPU-bound,
 * ~16 ms per second of audio) never holds the event loop that carries the
 * calls. Requests queue by priority: what a response needs now goes before
 * what the emulator prefetches (its scenario's lines). Results are cached per
 * (voice, text). If the worker dies, the voice says so once in the log and
 * speaks the deterministic buzz from then on: a call never fails for it.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import { errorMessage } from "../../errors.js";
import { synthesizeSpeech } from "../speech.js";
import type { SpeechPriority, SpeechVoice, SynthesizedSpeech } from "../voice.js";
import { samplesToMs, SPEECH_SAMPLE_RATE_HZ } from "../voice.js";
import type { WorkerReply, WorkerRequest } from "./flite-worker-protocol.js";
import { paceToText } from "./pacing.js";
import { PhraseCache } from "./phrase-cache.js";

/** Flite voices compiled into the package that sound best: a female and a male US English voice. */
export const FLITE_FEMALE_VOICE = "slt";
export const FLITE_MALE_VOICE = "rms";

/** Azure neural / OpenAI voices with a male persona; anything else speaks with the female voice. */
const MALE_NAMES = /(?:^|[-:\s])(andrew|brian|guy|davis|christopher|eric|jacob|jason|roger|steffan|tony|ryan|adam|derek|dustin|kai|steve|alloy|echo|onyx|ash|ballad|verse)(?:$|[-:\s])/i;

/** Picks the flite voice for a session/response voice configuration (an Azure voice object or an OpenAI voice name). */
export function fliteVoiceFor(voice: unknown): string {
  const name = typeof voice === "string" ? voice : typeof voice === "object" && voice !== null ? String((voice as { name?: unknown }).name ?? "") : "";
  return MALE_NAMES.test(name) ? FLITE_MALE_VOICE : FLITE_FEMALE_VOICE;
}

/**
 * Starts the worker: an ESM entry module. From TypeScript sources (tsx, vitest)
 * the worker registers tsx's loader first; the built `dist/` is plain JS.
 */
const BOOTSTRAP = `
const { parentPort, workerData } = require("node:worker_threads");
(async () => {
  try {
    await import(workerData.entry);
  } catch (error) {
    if (!workerData.entry.endsWith(".ts") || workerData.tsxApi === null || error?.code !== "ERR_UNKNOWN_FILE_EXTENSION") throw error;
    (await import(workerData.tsxApi)).register();
    await import(workerData.entry);
  }
})().catch((error) => parentPort.postMessage({ type: "fatal", message: String(error?.stack ?? error) }));
`;

function workerEntry(): { entry: string; tsxApi: string | null } {
  const fromSources = import.meta.url.endsWith(".ts");
  const entry = new URL(fromSources ? "./flite-worker.ts" : "./flite-worker.js", import.meta.url).href;
  let tsxApi: string | null = null;
  if (fromSources) {
    try {
      tsxApi = createRequire(import.meta.url).resolve("tsx/esm/api");
    } catch {
      tsxApi = null;
    }
  }
  return { entry, tsxApi };
}

interface Job {
  readonly key: string;
  readonly text: string;
  readonly fliteVoice: string;
  priority: SpeechPriority;
  readonly resolve: (speech: SynthesizedSpeech) => void;
}

export interface FliteVoiceOptions {
  readonly wasmPath: string;
  readonly logger: Logger;
  /** Cache bound (bytes of 24 kHz samples). Default 32 MiB. */
  readonly cacheBytes?: number;
  /** How long the worker may take to start and warm up. Default 60 s (a busy CI machine). */
  readonly startTimeoutMs?: number;
}

export interface FliteVoice extends SpeechVoice {
  /** Synthesis requests answered by the worker, and those that fell back to the buzz. */
  readonly stats: { synthesized: number; cacheHits: number; fallbacks: number };
  close(): Promise<void>;
}

export async function startFliteVoice(options: FliteVoiceOptions): Promise<FliteVoice> {
  const { entry, tsxApi } = workerEntry();
  const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { entry, tsxApi, wasmPath: options.wasmPath } });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the synthesizer worker did not start in time")), options.startTimeoutMs ?? 60_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      void worker.terminate();
      reject(error);
    };
    worker.once("error", fail);
    worker.once("exit", (code) => fail(new Error(`the synthesizer worker exited with code ${code}`)));
    worker.once("message", (message: WorkerReply) => {
      if (message.type === "ready") {
        clearTimeout(timer);
        worker.removeAllListeners();
        resolve();
      } else {
        fail(new Error(message.type === "fatal" ? message.message : `unexpected first message from the synthesizer worker: ${message.type}`));
      }
    });
  });
  // The worker never keeps a process alive: an emulator's own close decides that.
  worker.unref();

  const cache = new PhraseCache<SynthesizedSpeech>(options.cacheBytes ?? 32 * 1024 * 1024);
  const pending = new Map<string, Promise<SynthesizedSpeech>>();
  const queues: Record<SpeechPriority, Job[]> = { now: [], later: [] };
  const inFlight = new Map<number, Job>();
  const stats = { synthesized: 0, cacheHits: 0, fallbacks: 0 };
  let nextId = 1;
  let broken: string | null = null;
  let closing = false;

  const fallBack = (job: Job) => {
    stats.fallbacks += 1;
    job.resolve(synthesizeSpeech(job.text));
  };

  function pump(): void {
    if (inFlight.size > 0) return;
    const job = queues.now.shift() ?? queues.later.shift();
    if (job === undefined) return;
    if (broken !== null) {
      fallBack(job);
      pump();
      return;
    }
    const id = nextId++;
    inFlight.set(id, job);
    worker.postMessage({ id, text: job.text, fliteVoice: job.fliteVoice } satisfies WorkerRequest);
  }

  function breakDown(reason: string): void {
    if (broken !== null || closing) return;
    broken = reason;
    options.logger.error({ reason }, "speech synthesizer worker failed; the emulator speaks the deterministic buzz from now on");
    for (const job of inFlight.values()) fallBack(job);
    inFlight.clear();
    for (const job of [...queues.now.splice(0), ...queues.later.splice(0)]) fallBack(job);
  }

  worker.on("message", (message: WorkerReply) => {
    if (message.type !== "result" && message.type !== "error") return;
    const job = inFlight.get(message.id);
    inFlight.delete(message.id);
    if (job !== undefined) {
      if (message.type === "result") {
        stats.synthesized += 1;
        const speech: SynthesizedSpeech = {
          samples: message.samples,
          sampleRateHz: SPEECH_SAMPLE_RATE_HZ,
          durationMs: samplesToMs(message.samples.length),
          words: message.words,
        };
        cache.set(job.key, speech, speech.samples.byteLength);
        job.resolve(speech);
      } else {
        options.logger.warn({ err: message.message, text: job.text.slice(0, 60) }, "speech synthesis failed for a phrase; it is spoken as the buzz");
        fallBack(job);
      }
    }
    pump();
  });
  worker.on("error", (error) => breakDown(errorMessage(error)));
  worker.on("exit", (code) => breakDown(`worker exited with code ${code}`));

  return {
    engine: "flite",
    stats,
    async synthesize(text, voice, priority = "now") {
      // The synthesizer reads the sentence without its surrounding spaces (one cache entry per sentence);
      // the words move back to their place in `text`, and the pacing counts every character of it.
      const core = text.trim();
      const leading = text.length - text.trimStart().length;
      const natural = await naturalSpeech(core, fliteVoiceFor(voice), priority);
      const words = leading === 0 ? natural.words : natural.words.map((w) => ({ ...w, startChar: w.startChar + leading, endChar: w.endChar + leading }));
      return paceToText(text, natural.samples, words);
    },
    async close() {
      closing = true;
      await worker.terminate();
    },
  };

  function naturalSpeech(text: string, fliteVoice: string, priority: SpeechPriority): Promise<SynthesizedSpeech> {
    const key = `${fliteVoice}\u0000${text}`;
    const cached = cache.get(key);
    if (cached !== undefined) {
      stats.cacheHits += 1;
      return Promise.resolve(cached);
    }
    const waiting = pending.get(key);
    if (waiting !== undefined) {
      // Needed now: a prefetched line still in the background queue moves to the front.
      if (priority === "now") {
        const index = queues.later.findIndex((job) => job.key === key);
        if (index >= 0) {
          const [job] = queues.later.splice(index, 1);
          job.priority = "now";
          queues.now.push(job);
        }
      }
      return waiting;
    }
    const promise = new Promise<SynthesizedSpeech>((resolve) => {
      queues[priority].push({ key, text, fliteVoice, priority, resolve });
    }).finally(() => pending.delete(key));
    pending.set(key, promise);
    pump();
    return promise;
  }
}
