/** What the bot sends toward ACS is exactly what the Call Automation SDK's own helpers build. */
import { createOutboundAudioData, createOutboundStopAudioData } from "@azure/communication-call-automation";
import { describe, expect, it } from "vitest";
import { encodeAcsAudioData } from "../src/media/acs-codec.js";
import { ACS_STOP_AUDIO } from "../src/media/acs-protocol.js";

describe("outbound ACS media frames", () => {
  it("are byte for byte the SDK's createOutboundAudioData()", () => {
    for (const bytes of [640, 960, 160]) {
      const payload = new Uint8Array(bytes).map((_, i) => (i * 37) & 0xff);
      expect(encodeAcsAudioData(payload)).toBe(createOutboundAudioData(Buffer.from(payload).toString("base64")));
    }
  });

  it("stop audio is byte for byte the SDK's createOutboundStopAudioData()", () => {
    expect(ACS_STOP_AUDIO).toBe(createOutboundStopAudioData());
    expect(JSON.parse(ACS_STOP_AUDIO)).toEqual({ kind: "stopAudio", stopAudio: {} });
  });
});
