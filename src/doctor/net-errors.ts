/**
 * A failed connection in words a person can act on: the host does not resolve,
 * nothing listens, no answer in time, TLS. Node reports these as error codes,
 * sometimes wrapped (fetch puts the socket error in `cause`).
 */
export interface NetworkFailure {
  readonly cause: "dns" | "refused" | "timeout" | "tls" | "reset" | "other";
  readonly detail: string;
}

export function networkFailure(error: unknown, host: string): NetworkFailure {
  const codes: string[] = [];
  let message = "";
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") codes.push(code);
    if (!message && e instanceof Error) message = e.message;
    // SDK errors (RestError) keep the socket error's code only in their message.
    if (e instanceof Error) for (const found of e.message.matchAll(/\b(E[A-Z][A-Z_]{2,}|UND_ERR_[A-Z_]+)\b/g)) codes.push(found[1]!);
  }
  const has = (...wanted: string[]): boolean => codes.some((c) => wanted.includes(c));
  if (has("ENOTFOUND", "EAI_AGAIN", "EAI_NODATA", "EAI_NONAME")) return { cause: "dns", detail: `the host ${host} does not resolve (DNS: ${codes[0]})` };
  if (has("ECONNREFUSED")) return { cause: "refused", detail: `nothing listens at ${host} (connection refused)` };
  if (has("DEADLINE", "ETIMEDOUT", "UND_ERR_CONNECT_TIMEOUT", "ABORT_ERR") || (error as Error)?.name === "TimeoutError" || (error as Error)?.name === "AbortError") {
    return { cause: "timeout", detail: message || `no answer from ${host} in time` };
  }
  if (codes.some((c) => /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/.test(c))) return { cause: "tls", detail: `TLS with ${host} failed (${codes.find((c) => /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/.test(c))})` };
  if (has("ECONNRESET", "EPIPE", "UND_ERR_SOCKET")) return { cause: "reset", detail: `${host} closed the connection (${codes[0]})` };
  return { cause: "other", detail: message || String(error) };
}

export const NETWORK_FIXES: Record<NetworkFailure["cause"], string> = {
  dns: "check the host name for typos; it must be the resource's own host name",
  refused: "check the port, and that the service runs there",
  timeout: "a firewall or proxy may drop the traffic: this machine needs outbound HTTPS (443) to the host",
  tls: "a proxy that intercepts TLS? Give Node its CA with NODE_EXTRA_CA_CERTS",
  reset: "a proxy or firewall may cut WebSocket or HTTPS connections",
  other: "",
};
