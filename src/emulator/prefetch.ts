/**
 * What the emulator will say next is often known before a response asks for it:
 * the scenario's next turn, its fallback replies, the session's interim texts.
 * After each response, their sentences go to the voice as prefetches
 * (synthesized when nothing else waits), so the next answer starts without a
 * synthesis delay. Not earlier: a prefetch running when a response asks for its
 * first sentence would delay it. Lines with placeholders ({{output}}, {{user}})
 * are only known at answer time.
 */
import type { EmulatorConnection } from "./connection.js";
import { LLM_INTERIM_TEXT } from "./response-events.js";
import { OUTPUT_PLACEHOLDER, USER_PLACEHOLDER, type ScenarioStep } from "./scenario.js";
import { splitSentences } from "./sentences.js";

function prefetchText(conn: EmulatorConnection, text: string): void {
  if (text.includes(OUTPUT_PLACEHOLDER) || text.includes(USER_PLACEHOLDER)) return;
  for (const piece of splitSentences(text)) conn.voice.prefetch(piece, conn.session.voice);
}

function prefetchSteps(conn: EmulatorConnection, steps: readonly ScenarioStep[] | undefined): void {
  for (const step of steps ?? []) if ("say" in step) prefetchText(conn, step.say);
}

/** The next caller turn's scripted lines, the fallback replies and the interim texts. */
export function prefetchUpcoming(conn: EmulatorConnection): void {
  prefetchSteps(conn, conn.scenario.turns[conn.turnsTaken]?.assistant);
  for (const reply of conn.scenario.fallback.replies) prefetchText(conn, reply);
  const interim = conn.session.interim_response;
  if (interim !== null) {
    for (const text of interim.type === "static_interim_response" ? (interim.texts ?? []) : [LLM_INTERIM_TEXT]) prefetchText(conn, text);
  }
}
