/**
 * The public URLs the bot hands ACS (https callback, wss media) reach the bot
 * through a dev tunnel or load balancer. `tunnelTo` plays that part: same path
 * and query, the bot's local origin, ws for wss and http for https.
 */
import { AcsSimError } from "./errors.js";

export type Tunnel = (publicUrl: string) => string;

export function tunnelTo(localBaseUrl: string): Tunnel {
  const local = new URL(localBaseUrl);
  if (local.protocol !== "http:" && local.protocol !== "https:") {
    throw new AcsSimError("acs_sim_bad_input", `tunnel target must be an http(s) URL, got "${localBaseUrl}"`);
  }
  return (publicUrl) => {
    const url = new URL(publicUrl);
    const secure = local.protocol === "https:";
    const websocket = url.protocol === "wss:" || url.protocol === "ws:";
    url.protocol = websocket ? (secure ? "wss:" : "ws:") : local.protocol;
    url.host = local.host;
    return url.toString();
  };
}

export const noTunnel: Tunnel = (publicUrl) => publicUrl;
