import { describe } from "vitest";
import { replayEachFixture } from "./support/replay-suite.js";

// ACS itself never streams μ-law; G.711 gateways and recorded calls do. The recordings go out unchanged.
describe("recorded call fixtures on a G.711 μ-law 8 kHz leg, replayed at 4× real time", () => {
  replayEachFixture("mulaw8k", ["greeting-question", "barge-in-long-answer", "dtmf", "talk-over-disclaimer"]);
});
