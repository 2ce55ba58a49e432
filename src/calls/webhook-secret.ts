/** Event Grid's `?code=` secret: constant-time against every accepted secret (rotation keeps old and new). */
import { createHash, timingSafeEqual } from "node:crypto";

export function createSecretMatcher(secrets: readonly string[]): ((given: unknown) => boolean) | undefined {
  if (secrets.length === 0) return undefined;
  const digests = secrets.map(digest);
  return (given) => {
    if (typeof given !== "string" || given === "") return false;
    const candidate = digest(given);
    let matched = false;
    // No early exit: time does not depend on which secret matched.
    for (const accepted of digests) matched = timingSafeEqual(candidate, accepted) || matched;
    return matched;
  };
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}
