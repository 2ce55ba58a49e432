/** Messages between the emulator and the synthesizer's worker thread. */
import type { SpokenWord } from "../voice.js";

export interface WorkerRequest {
  readonly id: number;
  readonly text: string;
  readonly fliteVoice: string;
}

export type WorkerReply =
  | { readonly type: "ready" }
  | { readonly type: "result"; readonly id: number; readonly samples: Int16Array; readonly words: readonly SpokenWord[] }
  | { readonly type: "error"; readonly id: number; readonly message: string }
  /** The worker could not start (module missing, bootstrap failed). */
  | { readonly type: "fatal"; readonly message: string };
