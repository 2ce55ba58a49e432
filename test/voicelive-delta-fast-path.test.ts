import { describe, expect, it } from "vitest";
import { createServerEventParser } from "../src/voicelive/server-events.js";

describe("Voice Live audio deltas checked by hand (the 20 ms path)", () => {
  const fast = createServerEventParser();
  const schema = createServerEventParser({ audioDeltaFastPath: false });
  const good = { type: "response.audio.delta", event_id: "e1", response_id: "resp_1", item_id: "item_1", output_index: 0, content_index: 0, delta: "AAAAAAAA" };
  const variants: Array<[string, unknown]> = [
    ["a well-formed delta", good],
    ["no response_id", { ...good, response_id: undefined }],
    ["no item_id", { ...good, item_id: undefined }],
    ["no delta", { ...good, delta: undefined }],
    ["an empty response_id", { ...good, response_id: "" }],
    ["a numeric item_id", { ...good, item_id: 7 }],
    ["a null response_id", { ...good, response_id: null }],
    ["a 513-character item_id", { ...good, item_id: "i".repeat(513) }],
    ["a 512-character item_id", { ...good, item_id: "i".repeat(512) }],
    ["a delta that is an object", { ...good, delta: { a: 1 } }],
    ["a delta of 5 characters", { ...good, delta: "AAAAA" }],
    ["an empty delta", { ...good, delta: "" }],
    ["extra fields", { ...good, extra: [1, 2, 3] }],
  ];

  for (const [name, event] of variants) {
    it(`answers like the schema for ${name}`, () => {
      const text = JSON.stringify(event);
      const a = fast(text);
      const b = schema(text);
      expect(a.ok).toBe(b.ok);
      if (!a.ok && !b.ok) {
        expect(a.reason).toBe(b.reason);
        expect(a.type).toBe(b.type);
      }
    });
  }

  it("passes a good delta through as the event, and refuses the rest", () => {
    const parsed = fast(JSON.stringify(good));
    expect(parsed.ok && parsed.event.type === "response.audio.delta" && parsed.event.delta).toBe("AAAAAAAA");
    expect(fast(JSON.stringify({ ...good, item_id: 7 })).ok).toBe(false);
    expect(fast(JSON.stringify({ ...good, delta: "AAAAA" }))).toMatchObject({ ok: false, reason: "invalid_audio" });
  });
});
