import { describe, expect, it } from "vitest";
import type { Clock, Timer } from "../src/clock.js";
import { AppendBatcher } from "../src/media/append-batcher.js";
import { createPacer, type PacedStream } from "../src/media/pacer.js";

/** A clock whose one interval timer runs when the test says so. */
function steppedClock() {
  let nowMs = 0;
  let interval: { fn: () => void; ms: number } | undefined;
  const clock: Clock = {
    nowMs: () => nowMs,
    date: () => new Date(0),
    setTimeout: () => 0 as unknown as Timer,
    clearTimeout: () => undefined,
    setInterval: (fn, ms) => {
      interval = { fn, ms };
      return 1 as unknown as Timer;
    },
    clearInterval: () => {
      interval = undefined;
    },
  };
  return {
    clock,
    get intervalMs() {
      return interval?.ms;
    },
    /** Advances one sub-tick and runs the pacer's timer. */
    step() {
      nowMs += interval!.ms;
      interval!.fn();
    },
    /** The timer fires once, `ms` after the last time (a late interval). */
    late(ms: number) {
      nowMs += ms;
      interval!.fn();
    },
  };
}

describe("the outbound pacer spreads calls over the 20 ms tick", () => {
  it("pumps each call once per tick, a tenth of the calls at a time", () => {
    const time = steppedClock();
    const pacer = createPacer({ clock: time.clock, leadMs: 100, tickMs: 20, phases: 10 });
    const pumpedAt: number[][] = [];
    const streams: PacedStream[] = Array.from({ length: 300 }, (_, i) => {
      pumpedAt[i] = [];
      return { pump: (nowMs) => pumpedAt[i]!.push(nowMs) };
    });
    for (const stream of streams) pacer.add(stream);
    expect(time.intervalMs).toBe(2);
    const perSubTick: number[] = [];
    for (let n = 0; n < 50; n++) {
      const before = pumpedAt.reduce((sum, list) => sum + list.length, 0);
      time.step();
      perSubTick.push(pumpedAt.reduce((sum, list) => sum + list.length, 0) - before);
    }
    // No burst: every sub-tick writes for 30 calls, never all 300.
    expect(Math.max(...perSubTick)).toBe(30);
    // Every call is topped up every 20 ms, at its own phase.
    for (const list of pumpedAt) {
      expect(list).toHaveLength(5);
      expect(list.slice(1).map((t, k) => t - list[k]!)).toEqual([20, 20, 20, 20]);
    }
    expect(new Set(pumpedAt.map((list) => list[0])).size).toBe(10);
    pacer.stop();
  });

  it("catches up every phase that came due when its timer runs late (a busy event loop)", () => {
    const time = steppedClock();
    const pacer = createPacer({ clock: time.clock, leadMs: 100, tickMs: 20, phases: 10 });
    const pumps: number[] = Array(20).fill(0);
    for (let i = 0; i < 20; i++) pacer.add({ pump: () => (pumps[i] += 1) });
    // The loop stalls: the 2 ms timer fires only every 10 ms, 10 times (100 ms).
    for (let n = 0; n < 10; n++) time.late(10);
    // Each call was still topped up once per 20 ms, not once per 10 late wake-ups.
    for (const count of pumps) expect(count).toBe(5);
    pacer.stop();
  });

  it("fills the emptiest phase as calls come and go, and stops waking when none is left", () => {
    const time = steppedClock();
    const pacer = createPacer({ clock: time.clock, leadMs: 100, phases: 4 });
    const counts = new Map<PacedStream, number>();
    const make = (): PacedStream => {
      const stream: PacedStream = { pump: () => counts.set(stream, (counts.get(stream) ?? 0) + 1) };
      return stream;
    };
    const first = [make(), make(), make(), make()];
    for (const stream of first) pacer.add(stream);
    pacer.remove(first[2]!);
    const late = make();
    pacer.add(late);
    // The newcomer takes the freed phase: one stream per sub-tick.
    for (let n = 0; n < 4; n++) {
      const before = [...counts.values()].reduce((a, b) => a + b, 0);
      time.step();
      expect([...counts.values()].reduce((a, b) => a + b, 0) - before).toBe(1);
    }
    pacer.kick(late);
    expect(counts.get(late)).toBe(2);
    for (const stream of [first[0]!, first[1]!, first[3]!, late]) pacer.remove(stream);
    expect(time.intervalMs).toBeUndefined();
  });
});

describe("caller audio toward Voice Live in batches", () => {
  const frame = (value: number) => new Int16Array(480).fill(value);
  const samplesOf = (text: string) => {
    const bytes = Buffer.from((JSON.parse(text) as { audio: string }).audio, "base64");
    return Array.from(new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2));
  };

  it("sends every 20 ms frame as it comes by default", () => {
    const batcher = new AppendBatcher(20, 24000);
    const text = batcher.push(frame(7));
    expect(text).toBeDefined();
    expect(JSON.parse(text!).type).toBe("input_audio_buffer.append");
    expect(samplesOf(text!)).toEqual(Array(480).fill(7));
  });

  it("with 40 ms, sends every second frame's worth, both frames in order", () => {
    const batcher = new AppendBatcher(40, 24000);
    expect(batcher.push(frame(1))).toBeUndefined();
    expect(batcher.pendingSamples).toBe(480);
    const text = batcher.push(frame(2));
    expect(samplesOf(text!)).toEqual([...Array(480).fill(1), ...Array(480).fill(2)]);
    expect(batcher.push(frame(3))).toBeUndefined();
    expect(samplesOf(batcher.push(frame(4))!)).toEqual([...Array(480).fill(3), ...Array(480).fill(4)]);
  });

  it("batches by duration at Voice Live's rate: 40 ms at 16 kHz is two 320-sample frames", () => {
    const batcher = new AppendBatcher(40, 16000);
    const frame16k = (value: number) => new Int16Array(320).fill(value);
    expect(batcher.push(frame16k(1))).toBeUndefined();
    expect(samplesOf(batcher.push(frame16k(2))!)).toEqual([...Array(320).fill(1), ...Array(320).fill(2)]);
  });

  it("keeps a frame it holds safe from the caller reusing its buffer", () => {
    const batcher = new AppendBatcher(60, 24000);
    const reused = frame(5);
    batcher.push(reused);
    reused.fill(9);
    batcher.push(reused);
    expect(samplesOf(batcher.push(frame(6))!)).toEqual([...Array(480).fill(5), ...Array(480).fill(9), ...Array(480).fill(6)]);
  });
});
