/**
 * The synthesizer's worker thread: owns the flite module, its one instance and
 * the synthesizer, and answers `synthesize` requests one at a time. Started by
 * flite-voice.ts; it posts `ready` once a warm-up phrase has run, so the first
 * real request does not pay for instantiating 16 MB of WebAssembly memory.
 */
import { parentPort, workerData } from "node:worker_threads";
import { errorMessage } from "../../errors.js";
import { compileFlite, createFliteEngine } from "./flite-engine.js";
import { createFliteSynthesizer } from "./flite-synth.js";
import type { WorkerReply, WorkerRequest } from "./flite-worker-protocol.js";

const port = parentPort;
if (port === null) throw new Error("flite-worker.ts runs as a worker thread");
const { wasmPath } = workerData as { wasmPath: string };

const synthesizer = createFliteSynthesizer(createFliteEngine(await compileFlite(wasmPath)));
// Two sentences through both voices it uses: V8 has tiered the hot code up before the first real phrase.
synthesizer.synthesize("Thank you for calling. How can I help you today? Goodbye.", "slt");
port.postMessage({ type: "ready" } satisfies WorkerReply);

port.on("message", (request: WorkerRequest) => {
  try {
    const speech = synthesizer.synthesize(request.text, request.fliteVoice);
    const reply: WorkerReply = { type: "result", id: request.id, samples: speech.samples, words: speech.words };
    port.postMessage(reply, [speech.samples.buffer as ArrayBuffer]);
  } catch (error) {
    port.postMessage({ type: "error", id: request.id, message: errorMessage(error) } satisfies WorkerReply);
  }
});
