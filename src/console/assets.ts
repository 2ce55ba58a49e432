/**
 * The console page's files, read once at start-up: src/console/public/ (plain
 * ES modules and CSS, no build step) and uPlot from node_modules. Only these
 * names are served — a request cannot reach any other file.
 */
import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface ConsoleAsset {
  readonly body: Buffer;
  readonly contentType: string;
}

export interface ConsoleAssets {
  readonly page: Buffer;
  readonly files: ReadonlyMap<string, ConsoleAsset>;
}

const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

/** The page's folder beside this module (src/console/public, or dist/console/public in the image). */
export const PUBLIC_DIR = fileURLToPath(new URL("./public/", import.meta.url));

export async function loadConsoleAssets(dir = PUBLIC_DIR): Promise<ConsoleAssets> {
  const files = new Map<string, ConsoleAsset>();
  for (const name of await readdir(dir)) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (contentType) files.set(name, { body: await readFile(join(dir, name)), contentType });
  }
  const require = createRequire(import.meta.url);
  files.set("uPlot.iife.min.js", { body: await readFile(require.resolve("uplot/dist/uPlot.iife.min.js")), contentType: CONTENT_TYPES[".js"]! });
  files.set("uPlot.min.css", { body: await readFile(require.resolve("uplot/dist/uPlot.min.css")), contentType: CONTENT_TYPES[".css"]! });
  return { page: await readFile(join(dir, "index.html")), files };
}
