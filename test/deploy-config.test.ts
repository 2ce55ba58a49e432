/**
 * What can be checked of the azd / Bicep side on a machine with no Bicep compiler and no Azure:
 * azure.yaml's shape and the files it names, main.parameters.json against main.bicep's params,
 * the modules and outputs the template and hooks rely on, and the hooks themselves (POSIX sh,
 * run here with a stand-in `azd` on PATH).
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";

const root = new URL("..", import.meta.url).pathname;
const read = (path: string): string => readFileSync(join(root, path), "utf8");

interface BicepParam {
  readonly name: string;
  readonly type: string;
  readonly hasDefault: boolean;
}

function bicepParams(text: string): BicepParam[] {
  return [...text.matchAll(/^param (\w+) (\w+)(.*)$/gm)].map((m) => ({ name: m[1]!, type: m[2]!, hasDefault: m[3]!.includes("=") }));
}

/** Bicep without its comments and string contents (a string's ${…} interpolations count as code). */
function codeOnly(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else if (c === "/" && text[i + 1] === "*") {
      i = text.indexOf("*/", i + 2) + 1;
    } else if (c === "'") {
      // Skip to the closing quote; \' is an escaped quote; keep ${ … } interpolations.
      for (i++; i < text.length && text[i] !== "'"; i++) {
        if (text[i] === "\\") i++;
        else if (text[i] === "$" && text[i + 1] === "{") {
          const end = text.indexOf("}", i);
          out += text.slice(i + 1, end + 1);
          i = end;
        }
      }
    } else out += c;
  }
  return out;
}

describe("azure.yaml", () => {
  const config = parse(read("azure.yaml")) as Record<string, any>;

  it("declares the bot as a container app built from the Dockerfile, with Bicep in infra/", () => {
    expect(config.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(config.infra).toEqual({ provider: "bicep", path: "infra", module: "main" });
    expect(existsSync(join(root, config.infra.path, `${config.infra.module}.bicep`))).toBe(true);
    expect(Object.keys(config.services)).toEqual(["bot"]);
    const bot = config.services.bot;
    expect(bot).toMatchObject({ project: ".", host: "containerapp", docker: { path: "./Dockerfile", context: ".", remoteBuild: true } });
    expect(existsSync(join(root, bot.project, bot.docker.path))).toBe(true);
    // azd finds the container app by this tag.
    expect(read("infra/main.bicep")).toMatch(/'azd-service-name': 'bot'/);
  });

  it("runs hooks that exist and are executable, and provisions again after deploying", () => {
    for (const hook of Object.values(config.hooks) as Array<{ shell: string; run: string }>) {
      expect(hook.shell).toBe("sh");
      const path = join(root, hook.run);
      expect(existsSync(path), hook.run).toBe(true);
      expect(statSync(path).mode & 0o111, `${hook.run} is executable`).not.toBe(0);
    }
    expect(config.workflows.up.steps.map((s: { azd: string }) => s.azd)).toEqual(["provision", "deploy --all", "provision"]);
  });

  it("uses only properties the azure.yaml schema (v1.0) knows", () => {
    // Top level, service and docker keys of https://raw.githubusercontent.com/Azure/azure-dev/main/schemas/v1.0/azure.yaml.json.
    const top = ["name", "resourceGroup", "metadata", "infra", "services", "pipeline", "hooks", "requiredVersions", "state", "platform", "workflows", "cloud", "resources"];
    expect(Object.keys(config).filter((k) => !top.includes(k))).toEqual([]);
    const docker = ["path", "context", "platform", "registry", "image", "tag", "buildArgs", "network", "remoteBuild"];
    expect(Object.keys(config.services.bot.docker).filter((k) => !docker.includes(k))).toEqual([]);
    const hookKeys = ["shell", "kind", "dir", "run", "continueOnError", "interactive", "windows", "posix", "secrets"];
    for (const hook of Object.values(config.hooks) as object[]) expect(Object.keys(hook).filter((k) => !hookKeys.includes(k))).toEqual([]);
  });
});

describe("infra: parameters, modules and outputs", () => {
  const main = read("infra/main.bicep");
  const params = bicepParams(main);
  const parameters = JSON.parse(read("infra/main.parameters.json")) as { parameters: Record<string, { value: unknown }> };

  it("main.parameters.json sets only params main.bicep declares, and every param without a default", () => {
    const declared = new Set(params.map((p) => p.name));
    expect(Object.keys(parameters.parameters).filter((name) => !declared.has(name))).toEqual([]);
    const required = params.filter((p) => !p.hasDefault).map((p) => p.name);
    expect(required.filter((name) => !(name in parameters.parameters))).toEqual([]);
    expect(params.filter((p, i) => params.findIndex((q) => q.name === p.name) !== i)).toEqual([]);
  });

  it("reads azd environment variables, each one documented in infra/README.md", () => {
    const text = read("infra/main.parameters.json");
    const variables = [...new Set([...text.matchAll(/\$\{(\w+)(?:=[^}]*)?\}/g)].map((m) => m[1]!))];
    expect(variables).toEqual(expect.arrayContaining(["AZURE_ENV_NAME", "AZURE_LOCATION", "SERVICE_BOT_IMAGE_NAME", "ACS_NAME", "AI_ACCOUNT_NAME", "EVENTGRID_SECRET", "MEDIA_CONTEXT_SECRET"]));
    const readme = read("infra/README.md");
    for (const variable of variables) expect(readme, variable).toContain(`\`${variable}\``);
    // Bool and int params get strings azd converts ("true", "1"): only literal forms it can parse.
    for (const [name, { value }] of Object.entries(parameters.parameters)) {
      const type = params.find((p) => p.name === name)!.type;
      if (typeof value === "string" && type === "bool") expect(value, name).toMatch(/^\$\{\w+=(true|false)\}$/);
      if (typeof value === "string" && type === "int") expect(value, name).toMatch(/^\$\{\w+=\d+\}$/);
    }
  });

  it("every module file exists, and every file's braces and brackets balance", () => {
    const files = ["infra/main.bicep", ...readdirSync(join(root, "infra/modules")).map((f) => `infra/modules/${f}`)];
    for (const file of files) {
      const text = read(file);
      for (const match of text.matchAll(/^module \w+ '([^']+)'/gm)) expect(existsSync(join(root, "infra", match[1]!)), `${file}: ${match[1]}`).toBe(true);
      const code = codeOnly(text);
      for (const [open, close] of [["{", "}"], ["[", "]"], ["(", ")"]]) {
        expect(code.split(open).length, `${file} ${open}${close}`).toBe(code.split(close).length);
      }
    }
  });

  it("declares the outputs azd and the hooks read", () => {
    const outputs = new Set([...main.matchAll(/^output (\w+) /gm)].map((m) => m[1]!));
    const hookText = read("infra/hooks/postprovision.sh");
    const used = [...new Set([...hookText.matchAll(/\$\{(BOT_\w+|AZURE_CONTAINER_\w+)/g)].map((m) => m[1]!))];
    expect(used.length).toBeGreaterThan(3);
    for (const name of ["AZURE_CONTAINER_REGISTRY_ENDPOINT", ...used]) expect(outputs.has(name), name).toBe(true);
  });
});

describe("the azd hooks", () => {
  /** A stand-in azd that records `azd env set` calls. */
  function withFakeAzd(): { dir: string; calls: () => string[] } {
    const dir = mkdtempSync(join(tmpdir(), "azd-"));
    const log = join(dir, "calls.log");
    writeFileSync(join(dir, "azd"), `#!/bin/sh\necho "$*" >> "${log}"\n`);
    chmodSync(join(dir, "azd"), 0o755);
    return { dir, calls: () => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : []) };
  }
  const runHook = (hook: string, env: Record<string, string>, pathDir?: string) =>
    spawnSync("sh", [join(root, "infra/hooks", hook)], { encoding: "utf8", env: { PATH: `${pathDir ? `${pathDir}:` : ""}${process.env.PATH}`, ...env } });

  it("preprovision refuses to go on without the existing resources' names", () => {
    const azd = withFakeAzd();
    const run = runHook("preprovision.sh", { AI_ACCOUNT_NAME: "contoso-ai" }, azd.dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/azd env set ACS_NAME <acs resource>/);
    expect(run.stderr).toMatch(/Missing: ACS_NAME/);
    expect(azd.calls()).toEqual([]);
  });

  it("preprovision generates the two secrets once, and keeps them afterwards", () => {
    const azd = withFakeAzd();
    const first = runHook("preprovision.sh", { ACS_NAME: "contoso-acs", AI_ACCOUNT_NAME: "contoso-ai" }, azd.dir);
    expect(first.status).toBe(0);
    const calls = azd.calls();
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatch(/^env set EVENTGRID_SECRET [0-9a-f]{64}$/);
    expect(calls[1]).toMatch(/^env set MEDIA_CONTEXT_SECRET [0-9a-f]{64}$/);
    expect(calls[0]!.split(" ")[3]).not.toBe(calls[1]!.split(" ")[3]);
    const again = withFakeAzd();
    const second = runHook("preprovision.sh", { ACS_NAME: "a", AI_ACCOUNT_NAME: "b", EVENTGRID_SECRET: "x".repeat(64), MEDIA_CONTEXT_SECRET: "y".repeat(64) }, again.dir);
    expect(second.status).toBe(0);
    expect(again.calls()).toEqual([]);
  });

  it("postprovision prints the webhook and the next step once the bot runs, and waits while the placeholder does", () => {
    const outputs = {
      AZURE_RESOURCE_GROUP: "rg-voicebot",
      ACS_NAME: "contoso-acs",
      BOT_APP_NAME: "voicebot-app",
      BOT_PUBLIC_BASE_URL: "https://voicebot-app.example.azurecontainerapps.io",
      BOT_WEBHOOK_URL: "https://voicebot-app.example.azurecontainerapps.io/api/incoming-call",
      BOT_EVENTGRID_SYSTEM_TOPIC: "contoso-acs-events",
      BOT_ACS_RESOURCE_GROUP: "rg-comms",
      EVENTGRID_SECRET: "s3cr3t-value",
    };
    const placeholder = runHook("postprovision.sh", { ...outputs, BOT_RUNS_PLACEHOLDER_IMAGE: "true", BOT_INCOMING_CALL_SUBSCRIBED: "false" });
    expect(placeholder.status).toBe(0);
    expect(placeholder.stdout).toMatch(/runs a placeholder image until azd deploys the bot's image/);
    const live = runHook("postprovision.sh", { ...outputs, BOT_RUNS_PLACEHOLDER_IMAGE: "false", BOT_INCOMING_CALL_SUBSCRIBED: "true" });
    expect(live.status).toBe(0);
    expect(live.stdout).toContain("ACS contoso-acs sends IncomingCall events to https://voicebot-app.example.azurecontainerapps.io/api/incoming-call?code=<EVENTGRID_SECRET>");
    expect(live.stdout).toContain("Next: call a phone number of the ACS resource contoso-acs");
    expect(live.stdout).not.toContain("s3cr3t-value");
  });
});
