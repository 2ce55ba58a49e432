/**
 * The emulator's real voice: flite in a worker thread, so synthesis (CPU-bound,
 * ~16 ms per second of audio) never holds the event loop that carries the
 * calls. Sentences are synthesized one at a time: what a response waits for
 * first, in the order asked, then prefetches (lines the scenario will say)
 * when nothing else waits. Results are cached per (voice, text). If the worker
 * dies, the voice says so once in the log and speaks the deterministic buzz
 * from then on: a call never fails for it.
 */
import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import { errorMessage } from "../../errors.js";
import { synthesizeSpeech } from "../speech.js";
import type { SpeechVoice, SynthesizedSpeech } from "../voice.js";
import { planSynthesis, type SynthesisPlan } from "./flite-synth.js";
import { fliteWorkerMain } from "./flite-worker-main.js";
import { paceToText } from "./pacing.js";
import { PhraseCache } from "./phrase-cache.js";
import type { WasmModule } from "./wasm-api.js";

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
 * The worker runs this source: one self-contained function, no module loader
 * involved. Transpilers that keep function names (tsx's esbuild) wrap them in a
 * `__name(fn, "name")` helper defined at module level: the worker gets its own.
 */
const WORKER_SOURCE = `
var __name = (target, value) => Object.defineProperty(target, "name", { value, configurable: true });
(${fliteWorkerMain.toString()})();
`;

/** Replies from the worker (see flite-worker-main.ts). */
type WorkerReply =
  | { readonly type: "ready" }
  | { readonly type: "runs"; readonly id: number; readonly results: ReadonlyArray<{ stdout: string; stderr: string; files: Array<[string, Uint8Array]> }> }
  | { readonly type: "error"; readonly id: number; readonly message: string };

/** Used to warm the worker up (V8 tiers the hot code up) before the first real phrase. */
const WARM_UP_TEXT = "Thank you for calling. How can I help you today?";

interface Job {
  readonly key: string;
  readonly text: string;
  readonly plan: SynthesisPlan;
  readonly resolve: (speech: SynthesizedSpeech) => void;
}

export interface FliteVoiceOptions {
  /** The compiled flite module (compileFlite). */
  readonly module: WasmModule;
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
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module: options.module } });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error("the synthesizer worker did not start in time")), options.startTimeoutMs ?? 60_000);
    // Only these listeners come off again: the Worker keeps internal ones (removeAllListeners would stop its port).
    const onError = (error: Error) => fail(error);
    const onExit = (code: number) => fail(new Error(`the synthesizer worker exited with code ${code}`));
    const onMessage = (message: WorkerReply) => {
      if (message.type === "ready") {
        done();
        resolve();
      } else {
        fail(new Error(`unexpected first message from the synthesizer worker: ${message.type}`));
      }
    };
    function done(): void {
      clearTimeout(timer);
      worker.off("error", onError);
      worker.off("exit", onExit);
      worker.off("message", onMessage);
    }
    function fail(error: Error): void {
      done();
      void worker.terminate();
      reject(error);
    }
    worker.on("error", onError);
    worker.on("exit", onExit);
    worker.on("message", onMessage);
  });
  // An idle worker never keeps a process alive (an emulator's own close decides that); a busy one does.
  worker.unref();

  const cache = new PhraseCache<SynthesizedSpeech>(options.cacheBytes ?? 32 * 1024 * 1024);
  const pending = new Map<string, Promise<SynthesizedSpeech>>();
  const queue: Job[] = [];
  const prefetchQueue: Job[] = [];
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
    const job = queue.shift() ?? prefetchQueue.shift();
    if (job === undefined) {
      worker.unref();
      return;
    }
    if (broken !== null) {
      fallBack(job);
      pump();
      return;
    }
    if (job.plan.runs.length === 0) {
      job.resolve(job.plan.finish([]));
      pump();
      return;
    }
    const id = nextId++;
    inFlight.set(id, job);
    worker.ref();
    worker.postMessage({ id, runs: job.plan.runs });
  }

  function breakDown(reason: string): void {
    if (broken !== null || closing) return;
    broken = reason;
    options.logger.error({ reason }, "speech synthesizer worker failed; the emulator speaks the deterministic buzz from now on");
    for (const job of inFlight.values()) fallBack(job);
    inFlight.clear();
    for (const job of [...queue.splice(0), ...prefetchQueue.splice(0)]) fallBack(job);
  }

  worker.on("message", (message: WorkerReply) => {
    if (message.type === "ready") return;
    const job = inFlight.get(message.id);
    inFlight.delete(message.id);
    if (job !== undefined) {
      try {
        if (message.type === "error") throw new Error(message.message);
        const speech = job.plan.finish(message.results.map((r) => ({ stdout: r.stdout, files: new Map(r.files) })));
        stats.synthesized += 1;
        cache.set(job.key, speech, speech.samples.byteLength);
        job.resolve(speech);
      } catch (error) {
        options.logger.warn({ err: errorMessage(error), text: job.text.slice(0, 60) }, "speech synthesis failed for a phrase; it is spoken as the buzz");
        fallBack(job);
      }
    }
    pump();
  });
  worker.on("error", (error) => breakDown(errorMessage(error)));
  worker.on("exit", (code) => breakDown(`worker exited with code ${code}`));

  const voice: FliteVoice = {
    get engine() {
      return broken === null ? "flite" : "buzz";
    },
    stats,
    async synthesize(text, voice) {
      // The synthesizer reads the sentence without its surrounding spaces (one cache entry per sentence);
      // the words move back to their place in `text`, and the pacing counts every character of it.
      const core = text.trim();
      const leading = text.length - text.trimStart().length;
      const natural = await naturalSpeech(core, fliteVoiceFor(voice), false);
      const words = leading === 0 ? natural.words : natural.words.map((w) => ({ ...w, startChar: w.startChar + leading, endChar: w.endChar + leading }));
      return paceToText(text, natural.samples, words);
    },
    prefetch(text, voice) {
      const core = text.trim();
      if (core !== "") void naturalSpeech(core, fliteVoiceFor(voice), true);
    },
    async close() {
      closing = true;
      await worker.terminate();
    },
  };
  // One phrase through the whole path before anyone waits on it: V8 has tiered the hot code up by then.
  await voice.synthesize(WARM_UP_TEXT);
  return voice;

  function naturalSpeech(text: string, fliteVoice: string, prefetch: boolean): Promise<SynthesizedSpeech> {
    const key = `${fliteVoice}\u0000${text}`;
    const cached = cache.get(key);
    if (cached !== undefined) {
      stats.cacheHits += 1;
      return Promise.resolve(cached);
    }
    const waiting = pending.get(key);
    if (waiting !== undefined) {
      // Needed now: a prefetch still waiting its turn moves to the front queue.
      const index = prefetch ? -1 : prefetchQueue.findIndex((job) => job.key === key);
      if (index >= 0) queue.push(...prefetchQueue.splice(index, 1));
      return waiting;
    }
    const promise = new Promise<SynthesizedSpeech>((resolve) => {
      (prefetch ? prefetchQueue : queue).push({ key, text, plan: planSynthesis(text, fliteVoice), resolve });
    }).finally(() => pending.delete(key));
    pending.set(key, promise);
    pump();
    return promise;
  }
}
