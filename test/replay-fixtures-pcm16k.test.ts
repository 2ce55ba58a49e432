import { describe } from "vitest";
import { replayEachFixture } from "./support/replay-suite.js";

describe("recorded call fixtures on ACS's 16 kHz leg (ACS_AUDIO_FORMAT=pcm16KMono), replayed at 4× real time", () => {
  replayEachFixture("pcm16k");
});
