/**
 * Voice Live as the bot will use it: the handshake (URL, api-version, model or
 * agent, key or Entra token), the bot's own session.update, then a short
 * pregenerated response whose audio must arrive. A raw `ws` socket, so every
 * refusal keeps its HTTP status and body for the diagnosis.
 */
import type { TokenCredential } from "@azure/identity";
import { decodeJwt } from "jose";
import WebSocket from "ws";
import type { Config } from "../config/index.js";
import { isLoopbackHost } from "../config/env-reader.js";
import { errorMessage } from "../errors.js";
import { buildRealtimeUrl, VOICE_LIVE_SCOPE, type VoiceLiveTarget } from "../voicelive/endpoint.js";
import type { SessionSettings } from "../voicelive/protocol.js";
import { networkFailure, NETWORK_FIXES } from "./net-errors.js";
import { withDeadline, type StepResult } from "./steps.js";

export const DOCTOR_PHRASE = "This is a test call from the bot's doctor.";
/** The GA version that carries pregenerated messages and interim responses. */
export const GA_API_VERSION = "2026-07-15";
const AREA = "Voice Live";

type Opened = { readonly socket: WebSocket; readonly events: EventQueue } | { readonly status: number; readonly body: string };

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
    opened = await open(url, headers, timeoutMs);
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
  if (!("socket" in opened)) return [...steps, refusal(opened, { url, who, apiKey: vl.apiKey !== undefined, agent: vl.mode.kind === "agent", apiVersion: vl.apiVersion, hostHint })];
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

function open(url: string, headers: Record<string, string>, timeoutMs: number): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers, handshakeTimeout: timeoutMs });
    // Listening from the start: the first event can arrive in the same packet as the upgrade.
    const events = eventQueue(socket);
    socket.on("unexpected-response", (_request, response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body = (body + chunk.toString("utf8")).slice(0, 2000)));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: body.trim() }));
      response.on("error", () => resolve({ status: response.statusCode ?? 0, body: body.trim() }));
    });
    socket.on("open", () => resolve({ socket, events }));
    socket.on("error", (error) => {
      // ws reports a handshake timeout as an error with this message.
      reject(/timed out/i.test(error.message) ? Object.assign(error, { code: "DEADLINE" }) : error);
    });
  });
}

type ServerEvent = { type: string } & Record<string, unknown>;

interface EventQueue {
  next(predicate: (e: ServerEvent) => boolean, timeoutMs: number, what: string): Promise<ServerEvent>;
  audioBytes(): number;
}

function eventQueue(socket: WebSocket): EventQueue {
  const seen: ServerEvent[] = [];
  let audioBytes = 0;
  let wake: (() => void) | undefined;
  let closed = false;
  socket.on("message", (data) => {
    let event: ServerEvent;
    try {
      event = JSON.parse(data.toString()) as ServerEvent;
    } catch {
      return;
    }
    if (event.type === "response.audio.delta" && typeof event.delta === "string") audioBytes += Buffer.byteLength(event.delta, "base64");
    else seen.push(event);
    wake?.();
  });
  socket.on("close", () => {
    closed = true;
    wake?.();
  });
  socket.on("error", () => undefined);
  return {
    audioBytes: () => audioBytes,
    next(predicate, timeoutMs, what) {
      return withDeadline(
        new Promise<ServerEvent>((resolve, reject) => {
          const check = (): void => {
            const index = seen.findIndex(predicate);
            if (index >= 0) {
              wake = undefined;
              resolve(seen.splice(0, index + 1).pop()!);
            } else if (closed) reject(new Error(`the connection closed before ${what}`));
          };
          wake = check;
          check();
        }),
        timeoutMs,
        `waiting for ${what}`,
      );
    },
  };
}

function refusal(
  response: { status: number; body: string },
  context: { url: string; who: string; apiKey: boolean; agent: boolean; apiVersion: string; hostHint: string },
): StepResult {
  const { status, body } = response;
  const detail = `${redact(context.url)} refused: HTTP ${status}${body ? ` ${body.slice(0, 300)}` : ""}`;
  const base = { area: AREA, step: "handshake", status: "fail" as const, detail };
  if ((status === 400 || status === 404) && /api[-_ ]?version/i.test(body)) {
    return {
      ...base,
      fix: `the service does not offer api-version ${context.apiVersion} (a retired preview, or a typo): VOICELIVE_API_VERSION=${GA_API_VERSION}`,
      cause: "voicelive_api_version",
    };
  }
  if (status === 404) return { ...base, fix: `this host does not serve Voice Live (wrong endpoint host). ${context.hostHint}`, cause: "voicelive_not_voice_live" };
  if (status === 401 || status === 403) {
    if (context.apiKey && (context.agent || /entra|agent/i.test(body))) {
      return { ...base, fix: "agent mode accepts Entra ID tokens only: unset VOICELIVE_API_KEY (the bot then uses DefaultAzureCredential)", cause: "voicelive_agent_needs_entra" };
    }
    if (context.apiKey) {
      return {
        ...base,
        fix:
          "VOICELIVE_API_KEY was refused: copy Key 1 of THIS resource (portal → the AI resource → Keys and Endpoint; keys belong to one resource),\n" +
          "or unset it to use Entra ID. If the resource has key access disabled (disableLocalAuth), use Entra ID.",
        cause: "voicelive_key_refused",
      };
    }
    return {
      ...base,
      fix:
        `the ${context.who} was refused. Most often a missing role: give that identity ${context.agent ? "Azure AI User on the Foundry project (and on the resource)" : "Cognitive Services User on the AI resource"}\n` +
        "(az role assignment create --assignee-object-id <oid> --role \"Cognitive Services User\" --scope <AI resource id>; roles take minutes to apply),\n" +
        "and check the token's tenant is the resource's (AZURE_TENANT_ID).",
      cause: "voicelive_token_refused",
    };
  }
  if (status === 429 || status >= 500) return { ...base, fix: "the service is busy or failing: retry in a minute", cause: "voicelive_unavailable" };
  return { ...base, fix: "the handshake's query (model or agent, api-version) was refused: check VOICELIVE_MODEL / AGENT_NAME and VOICELIVE_API_VERSION", cause: "voicelive_refused" };
}

function sessionRefused(event: ServerEvent): StepResult {
  const error = (event.error ?? {}) as { code?: string; message?: string; param?: string };
  const param = error.param ?? "";
  const fix = /interim_response/.test(param)
    ? "interim responses need a cascaded text model or agent mode: VOICELIVE_MODEL=gpt-4.1, or INTERIM_MODE=off"
    : /instructions/.test(param)
      ? "agent mode takes its instructions from the agent: unset VOICELIVE_INSTRUCTIONS"
      : /voice/.test(param)
        ? "VOICELIVE_VOICE must be an Azure voice name, e.g. en-US-Ava:DragonHDLatestNeural"
        : `a setting behind ${param || "the session"} is not accepted by this service or api-version`;
  return {
    area: AREA,
    step: "session.update",
    status: "fail",
    detail: `the bot's settings were refused: ${error.code ?? "error"}${param ? ` (${param})` : ""} ${error.message ?? ""}`.trim(),
    fix,
    cause: "voicelive_session_refused",
  };
}

function hostAdvice(hostname: string): string {
  if (isLoopbackHost(hostname)) return "for a local emulator: npm run emulator, then VOICELIVE_ENDPOINT=ws://127.0.0.1:8765";
  if (/\.(services\.ai|cognitiveservices)\.azure\.com$/i.test(hostname)) {
    return "VOICELIVE_ENDPOINT is https://<resource>.services.ai.azure.com: check the resource name (portal → the AI resource → Keys and Endpoint)";
  }
  return `Voice Live is served at https://<resource>.services.ai.azure.com (or .cognitiveservices.azure.com), not ${hostname}`;
}

/** Who a token is for, from its claims (not verified: only to name the identity in a fix). */
function tokenOwner(token: string): string {
  try {
    const claims = decodeJwt(token) as Record<string, unknown>;
    const parts = [
      claims.upn ? `user ${String(claims.upn)}` : claims.oid ? `object id ${String(claims.oid)}` : "",
      claims.tid ? `tenant ${String(claims.tid)}` : "",
    ].filter(Boolean);
    return parts.length > 0 ? parts.join(", ") : "identity not named in the token";
  } catch {
    return "opaque token";
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
