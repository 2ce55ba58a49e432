/**
 * A local stand-in for ACS's token signer: an RSA key, a JWKS served on loopback,
 * and JWTs shaped like the ones ACS puts on callbacks and media upgrades.
 * Used by tests, replays and the demo (never by the bot itself).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type CryptoKey } from "jose";

export interface TokenIssuer {
  readonly issuer: string;
  readonly audience: string;
  /** Where the bot fetches keys (ACS_JWKS_URL). */
  readonly jwksUrl: string;
  /** Number of JWKS fetches served (cache behaviour is observable). */
  readonly jwksFetches: number;
  mint(options?: { audience?: string; issuer?: string; expiresInS?: number; notBeforeS?: number; kid?: string }): Promise<string>;
  /** The private signing key, to start an issuer with the same key later (a running bot caches the JWKS). */
  exportSigningKey(): Promise<JWK>;
  close(): Promise<void>;
}

export const ACS_SIM_ISSUER = "https://acscallautomation.communication.azure.com";

export async function startTokenIssuer(options: {
  audience: string;
  issuer?: string;
  host?: string;
  port?: number;
  /** A private JWK from exportSigningKey(); default: a fresh key. */
  signingKey?: JWK;
}): Promise<TokenIssuer> {
  const { publicKey, privateKey } = options.signingKey
    ? await importSigningKey(options.signingKey)
    : await generateKeyPair("RS256", { extractable: true });
  const kid = "acs-sim-1";
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  let fetches = 0;
  const server: Server = createServer((request, response) => {
    if (request.method === "GET" && request.url?.split("?")[0] === "/calling/keys") {
      fetches += 1;
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ keys: [jwk] }));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  const issuer = options.issuer ?? ACS_SIM_ISSUER;
  return {
    issuer,
    audience: options.audience,
    jwksUrl: `http://127.0.0.1:${port}/calling/keys`,
    get jwksFetches() {
      return fetches;
    },
    mint: (mintOptions = {}) => mintToken(privateKey, {
      kid: mintOptions.kid ?? kid,
      issuer: mintOptions.issuer ?? issuer,
      audience: mintOptions.audience ?? options.audience,
      expiresInS: mintOptions.expiresInS ?? 300,
      notBeforeS: mintOptions.notBeforeS,
    }),
    exportSigningKey: () => exportJWK(privateKey),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function importSigningKey(jwk: JWK): Promise<{ publicKey: CryptoKey; privateKey: CryptoKey }> {
  const privateKey = (await importJWK({ ...jwk, alg: "RS256" }, "RS256", { extractable: true })) as CryptoKey;
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk;
  const publicKey = (await importJWK({ ...publicJwk, alg: "RS256" }, "RS256", { extractable: true })) as CryptoKey;
  return { publicKey, privateKey };
}

async function mintToken(
  key: CryptoKey,
  options: { kid: string; issuer: string; audience: string; expiresInS: number; notBeforeS: number | undefined },
): Promise<string> {
  const nowS = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: "RS256", kid: options.kid, typ: "JWT" })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt(nowS)
    .setExpirationTime(nowS + options.expiresInS);
  if (options.notBeforeS !== undefined) jwt.setNotBefore(nowS + options.notBeforeS);
  return jwt.sign(key);
}
