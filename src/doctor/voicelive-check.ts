/**
 * Voice Live as the bot will use it: the handshake (URL, api-version, model or
 * agent, key or Entra token), the bot's own session.update, then a short
 * pregenerated response whose audio must arrive. A raw `ws` socket, so every
 * refusal keeps its HTTP status and body for the diagnosis.
 */
import type { TokenCredential } from "@azure/identity";
import type { Config } from "../config/index.js";
import { errorMessage } from "../errors.js";
import { buildRealtimeUrl, VOICE_LIVE_SCOPE, type VoiceLiveTarget } from "../voicelive/endpoint.js";
import type { SessionSettings } from "../voicelive/protocol.js";
import { networkFailure, NETWORK_FIXES } from "./net-errors.js";
import { withDeadline, type StepResult } from "./steps.js";
import { GA_API_VERSION, hostAdvice, refusal, sessionRefused, tokenOwner } from "./voicelive-diagnosis.js";
import { openProbe, type Opened } from "./voicelive-socket.js";

export const DOCTOR_PHRASE = "This is a test call from the bot's doctor.";
export { GA_API_VERSION };
const AREA = "Voice Live";

export async function checkVoiceLive(deps: {
  config: Config;
  settings: SessionSettings;
  credential: () => TokenCredential;
  timeoutMs: number;
}): Promise<StepResult[]> {
  const { config, timeoutMs } = deps;
  const vl = config.voiceLive;
  if (!vl.endpoint) {
    return [{ area: AREA, step: "endpoint", status: "skip", detail: "VOICELIVE_ENDPOINT is unset: the bot runs its embedded emulator (local mode); nothing to reach" }];
  }
  const steps: StepResult[] = [];
  if (/-preview$/.test(vl.apiVersion)) {
    steps.push({
      area: AREA,
      step: "api-version",
      status: "warn",
      detail: `${vl.apiVersion} is a preview; previews are retired after a GA version ships`,
      fix: `VOICELIVE_API_VERSION=${GA_API_VERSION} (GA, with pregenerated messages and interim responses)`,
      cause: "voicelive_preview_api_version",
    });
  }
  const url = buildRealtimeUrl({ endpoint: vl.endpoint, config: vl, auth: { kind: "apiKey", apiKey: "" } } satisfies VoiceLiveTarget);
  const host = vl.endpoint.host;
  const hostHint = hostAdvice(vl.endpoint.hostname);

  // Credentials: the key, or a fresh Entra token (as the bot gets one on every connect).
  let headers: Record<string, string>;
  let who = "api-key";
  if (vl.apiKey !== undefined) {
    headers = { "api-key": vl.apiKey };
  } else {
    try {
      const token = await withDeadline(deps.credential().getToken(VOICE_LIVE_SCOPE), timeoutMs, "getting an Entra token");
      if (!token) throw new Error("the credential returned no token");
      headers = { authorization: `Bearer ${token.token}` };
      who = `Entra token (${tokenOwner(token.token)})`;
    } catch (error) {
      return [
        ...steps,
        {
          area: AREA,
          step: "Entra token",
          status: "fail",
          detail: `no token for ${VOICE_LIVE_SCOPE}: ${firstLine(errorMessage(error))}`,
          fix: "locally: `az login` (the account needs Cognitive Services User on the AI resource), or set VOICELIVE_API_KEY (model mode);\nin Azure: a managed identity on the app, with AZURE_CLIENT_ID set to its client id",
          cause: "voicelive_no_token",
        },
      ];
    }
  }

  const startedMs = performance.now();
  let opened: Opened;
  try {
    opened = await openProbe(url, headers, timeoutMs);
  } catch (error) {
    const failure = networkFailure(error, host);
    return [
      ...steps,
      {
        area: AREA,
        step: "handshake",
        status: "fail",
        detail: `${redact(url)}: ${failure.detail}`,
        fix: failure.cause === "dns" || failure.cause === "refused" ? `wrong endpoint host? ${hostHint}` : NETWORK_FIXES[failure.cause] || hostHint,
        cause: failure.cause === "dns" ? "voicelive_host_not_found" : "voicelive_unreachable",
      },
    ];
  }
  if (!("socket" in opened)) return [...steps, refusal(opened, { url: redact(url), who, apiKey: vl.apiKey !== undefined, agent: vl.mode.kind === "agent", apiVersion: vl.apiVersion, hostHint })];
  const { socket, events } = opened;
  steps.push({ area: AREA, step: "handshake", status: "ok", detail: `${redact(url)} accepted (${who}) in ${Math.round(performance.now() - startedMs)} ms` });

  try {
    await events.next((e) => e.type === "session.created", timeoutMs, "session.created");
    const updateMs = performance.now();
    socket.send(JSON.stringify({ type: "session.update", session: deps.settings }));
    const updated = await events.next((e) => e.type === "session.updated" || e.type === "error", timeoutMs, "session.updated");
    if (updated.type === "error") {
      steps.push(sessionRefused(updated));
      return steps;
    }
    const tools = deps.settings.tools?.length ?? 0;
    steps.push({
      area: AREA,
      step: "session.update",
      status: "ok",
      detail: `the bot's settings accepted in ${Math.round(performance.now() - updateMs)} ms (voice ${vl.voice}, ${tools} tool(s)${deps.settings.interim_response ? `, interim ${deps.settings.interim_response.type}` : ""})`,
    });

    const responseMs = performance.now();
    socket.send(
      JSON.stringify({
        type: "response.create",
        response: { pre_generated_assistant_message: { type: "message", role: "assistant", content: [{ type: "text", text: DOCTOR_PHRASE }] } },
      }),
    );
    const done = await events.next((e) => e.type === "response.done" || e.type === "error", timeoutMs * 2, "response.done");
    const audioMs = events.audioBytes() / 48; // PCM16 at 24 kHz: 48 bytes per ms
    const status = (done.response as { status?: string } | undefined)?.status;
    if (done.type === "error" || status !== "completed" || audioMs === 0) {
      const error = done.error as { code?: string; message?: string } | undefined;
      steps.push({
        area: AREA,
        step: "pregenerated response",
        status: "fail",
        detail: done.type === "error" ? `refused: ${error?.code ?? "error"} ${error?.message ?? ""}`.trim() : `response ${status ?? "?"} with ${Math.round(audioMs)} ms of audio`,
        fix: `pregenerated messages need api-version 2026-01-01-preview or later (GA ${GA_API_VERSION}); check VOICELIVE_VOICE names an Azure voice the region offers`,
        cause: "voicelive_no_audio",
      });
      return steps;
    }
    steps.push({
      area: AREA,
      step: "pregenerated response",
      status: "ok",
      detail: `"${DOCTOR_PHRASE}" came back as ${(audioMs / 1000).toFixed(1)} s of audio in ${Math.round(performance.now() - responseMs)} ms`,
    });
    return steps;
  } catch (error) {
    steps.push({
      area: AREA,
      step: "session",
      status: "fail",
      detail: firstLine(errorMessage(error)),
      fix: "the service accepted the connection but did not answer in time: retry; if it persists, the region may be busy",
      cause: "voicelive_timeout",
    });
    return steps;
  } finally {
    socket.terminate();
  }
}

function redact(url: string): string {
  const parsed = new URL(url);
  parsed.searchParams.delete("api-key");
  return parsed.toString();
}

function firstLine(text: string): string {
  return text.split("\n")[0]!.slice(0, 300);
}
