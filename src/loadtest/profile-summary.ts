/**
 * Where the bot's CPU went, from the V8 CPU profiles `--profile` writes: self
 * time per function (top entries) and per coarse bucket (GC, socket writes,
 * JSON, base64, the resampler, ws framing, …), as shares of busy time.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const BUCKETS: ReadonlyArray<[string, RegExp]> = [
  ["idle", /^\(idle\)$/],
  ["GC", /^\(garbage collector\)$/],
  ["socket writes (writev/writeBuffer/writeString)", /^(writev|writeBuffer|writeString|writeUtf8String|writeLatin1String|writeGeneric|writevGeneric|handleWriteReq)$/],
  ["resampler (WASM/JS FIR)", /wasm|fir|resampl/i],
  ["ws masking", /^(mask|applyMask|_mask)$/],
  ["JSON.parse / stringify", /^(parse|stringify)$/],
  ["base64 / Buffer", /base64|^(toString|from|write|slice|byteLength|fromString|fromStringFast)$/],
];

export async function summariseProfiles(dir: string, top = 25): Promise<string> {
  const files = (await readdir(dir)).filter((name) => name.endsWith(".cpuprofile"));
  if (files.length === 0) return `no CPU profile in ${dir}`;
  const selfUs = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const file of files) {
    const profile = JSON.parse(await readFile(join(dir, file), "utf8")) as CpuProfile;
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    for (let i = 0; i < profile.samples.length; i++) {
      const node = byId.get(profile.samples[i]!)!;
      const delta = profile.timeDeltas[i] ?? 0;
      const { functionName, url, lineNumber } = node.callFrame;
      const name = functionName || "(anonymous)";
      const where = url ? `${url.replace(/^.*\/(node_modules\/|src\/)/, "$1")}:${lineNumber + 1}` : "";
      const key = where ? `${name} ${where}` : name;
      selfUs.set(key, (selfUs.get(key) ?? 0) + delta);
      totalUs += delta;
      if (name === "(idle)" || name === "(program)") idleUs += name === "(idle)" ? delta : 0;
    }
  }
  const busyUs = totalUs - idleUs;
  const share = (us: number): string => `${((us / busyUs) * 100).toFixed(1)} %`;
  const bucketUs = new Map<string, number>();
  for (const [key, us] of selfUs) {
    const name = key.split(" ")[0]!;
    const bucket = BUCKETS.find(([, pattern]) => pattern.test(name) || (pattern.source.includes("wasm") && pattern.test(key)))?.[0] ?? "other";
    if (bucket === "idle") continue;
    bucketUs.set(bucket, (bucketUs.get(bucket) ?? 0) + us);
  }
  const lines = [`CPU profile (${files.length} process${files.length === 1 ? "" : "es"}, ${(busyUs / 1e6).toFixed(1)} s busy of ${(totalUs / 1e6).toFixed(1)} s), share of busy time:`];
  for (const [bucket, us] of [...bucketUs].sort((a, b) => b[1] - a[1])) lines.push(`  ${share(us).padStart(7)}  ${bucket}`);
  lines.push("Top functions by self time:");
  const ranked = [...selfUs].filter(([key]) => !key.startsWith("(idle)")).sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [key, us] of ranked) lines.push(`  ${share(us).padStart(7)}  ${key}`);
  return lines.join("\n");
}
