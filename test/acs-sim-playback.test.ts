import { describe, expect, it } from "vitest";
import { MULAW_ENCODE_TABLE } from "../src/audio/mulaw.js";
import { createPlaybackModel } from "../src/acs-sim/playback.js";

const PCM24K = { encoding: "pcm16", sampleRateHz: 24000 } as const;
/** One 20 ms PCM16LE frame at 24 kHz filled with `value`. */
const frame = (value: number) => {
  const bytes = new Uint8Array(960);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 480; i++) view.setInt16(i * 2, value, true);
  return bytes;
};

describe("ACS playback model (media time given explicitly)", () => {
  it("queues frames that arrive early back to back and plays them at real time", () => {
    const playback = createPlaybackModel(PCM24K);
    expect([0, 1, 2].map(() => playback.enqueue(frame(1), 5))).toEqual([5, 25, 45]);
    expect(playback.runs(4)).toEqual([]);
    expect(playback.firstHeardMs(4)).toBeUndefined();
    expect(playback.runs(30)).toEqual([{ startMs: 5, endMs: 30 }]);
    expect(playback.queuedMsAt(30)).toBe(35);
    expect(playback.runs(500)).toEqual([{ startMs: 5, endMs: 65 }]);
    expect(playback.firstHeardMs(500)).toBe(5);
  });

  it("joins short underruns into one run and counts them; a longer pause starts a new run", () => {
    const playback = createPlaybackModel(PCM24K, { runGapToleranceMs: 40 });
    playback.enqueue(frame(1), 0); // 0–20
    playback.enqueue(frame(1), 30); // queue ran dry for 10 ms
    playback.enqueue(frame(1), 200); // a pause: new run
    expect(playback.runs(1000)).toEqual([
      { startMs: 0, endMs: 50 },
      { startMs: 200, endMs: 220 },
    ]);
    expect(playback.stats()).toMatchObject({ underruns: 1, underrunMs: 10, framesQueued: 3, queuedMs: 60 });
  });

  it("StopAudio drops what has not played and cuts the frame that is playing", () => {
    const playback = createPlaybackModel(PCM24K);
    for (let i = 0; i < 5; i++) playback.enqueue(frame(1000), 0); // 0–100
    expect(playback.stop(30)).toBe(70);
    expect(playback.queuedMsAt(30)).toBe(0);
    // New audio right after the stop is a new run, not a continuation.
    expect(playback.enqueue(frame(2000), 35)).toBe(35);
    expect(playback.runs(1000)).toEqual([
      { startMs: 0, endMs: 30 },
      { startMs: 35, endMs: 55 },
    ]);
    expect(playback.stats()).toMatchObject({ stopAudioCount: 1, flushedMs: 70, underruns: 0 });
    const heard = playback.heardAudio(60);
    expect(heard.length).toBe(60 * 24);
    expect(heard[29 * 24]).toBe(1000);
    expect(heard[31 * 24]).toBe(0);
    expect(heard[40 * 24]).toBe(2000);
    expect(heard[56 * 24]).toBe(0);
  });

  it("a StopAudio with nothing queued drops nothing", () => {
    const playback = createPlaybackModel(PCM24K);
    playback.enqueue(frame(1), 0);
    expect(playback.stop(50)).toBe(0);
    expect(playback.runs(100)).toEqual([{ startMs: 0, endMs: 20 }]);
  });

  it("nothing plays after the call ended; queued audio is counted as unplayed", () => {
    const playback = createPlaybackModel(PCM24K);
    for (let i = 0; i < 10; i++) playback.enqueue(frame(1), 0); // 0–200
    playback.end(50);
    playback.enqueue(frame(1), 60);
    expect(playback.runs(1000)).toEqual([{ startMs: 0, endMs: 50 }]);
    expect(playback.stats()).toMatchObject({ unplayedAtEndMs: 150, framesQueued: 10 });
    expect(playback.heardAudio(1000).length).toBe(50 * 24);
  });

  it("decodes μ-law legs into what the caller heard at 8 kHz", () => {
    const playback = createPlaybackModel({ encoding: "mulaw", sampleRateHz: 8000 });
    const code = MULAW_ENCODE_TABLE[4000 & 0xffff]!;
    playback.enqueue(new Uint8Array(160).fill(code), 20);
    const heard = playback.heardAudio(60);
    expect(heard.length).toBe(480);
    expect(heard[159]).toBe(0);
    expect(Math.abs(heard[160]! - 4000)).toBeLessThan(150);
    expect(Math.abs(heard[319]! - 4000)).toBeLessThan(150);
    expect(heard[320]).toBe(0);
  });
});
