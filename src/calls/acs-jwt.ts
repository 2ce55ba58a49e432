/**
 * ACS signs callbacks and the media WebSocket upgrade with a JWT (RS256, its own
 * issuer, audience = the ACS resource's immutable id). One verifier guards both.
 */
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from "jose";
import type { Clock } from "../clock.js";
import { AppError } from "../errors.js";

export interface AcsJwtVerifier {
  /** Resolves with the claims, or rejects with AppError code "acs_jwt_invalid". */
  verify(authorizationHeader: string | undefined): Promise<JWTPayload>;
}

export interface AcsJwtSettings {
  readonly jwksUrl: URL;
  readonly issuer: string;
  readonly audience: string;
}

/** Clock skew tolerated between ACS and us. */
const CLOCK_TOLERANCE_S = 30;

export function createAcsJwtVerifier(settings: AcsJwtSettings, clock: Clock): AcsJwtVerifier {
  // jose caches the key set, refetches on an unknown kid (cooldown-limited) and after maxAge.
  const keys = createRemoteJWKSet(settings.jwksUrl, {
    cacheMaxAge: 10 * 60 * 1000,
    cooldownDuration: 30 * 1000,
    timeoutDuration: 5 * 1000,
  });
  return {
    async verify(authorizationHeader) {
      const token = bearerToken(authorizationHeader);
      try {
        const { payload } = await jwtVerify(token, keys, {
          algorithms: ["RS256"],
          issuer: settings.issuer,
          audience: settings.audience,
          clockTolerance: CLOCK_TOLERANCE_S,
          currentDate: clock.date(),
          requiredClaims: ["exp"],
        });
        return payload;
      } catch (error) {
        throw new AppError("acs_jwt_invalid", `ACS token rejected: ${describeJoseError(error)}`, {
          cause: error,
          retryable: error instanceof joseErrors.JWKSTimeout,
        });
      }
    },
  };
}

function bearerToken(header: string | undefined): string {
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new AppError("acs_jwt_invalid", "ACS token rejected: no Authorization: Bearer token");
  return match[1]!;
}

function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return "token expired";
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `claim "${error.claim}" invalid (${error.reason})`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return "signature does not verify";
  if (error instanceof joseErrors.JWKSNoMatchingKey) return "signing key not in the ACS key set";
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return "algorithm not allowed";
  if (error instanceof joseErrors.JWKSTimeout) return "key set fetch timed out";
  if (error instanceof Error) return error.message;
  return "invalid token";
}
