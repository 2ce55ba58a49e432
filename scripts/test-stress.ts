/**
 * `npm run test:stress`: the whole suite, three times in a row, with two
 * CPU-burning processes beside it — the busy machine CI or a laptop on battery
 * may be. A test that depends on wall-clock luck fails here first. Exits
 * non-zero if any run fails; the burners always stop with it.
 */
import { spawn, type ChildProcess } from "node:child_process";

const RUNS = Number(process.env.STRESS_RUNS ?? 3);
const BURNERS = Number(process.env.STRESS_BURNERS ?? 2);

const burners: ChildProcess[] = [];
const stopBurners = (): void => {
  for (const burner of burners) burner.kill("SIGKILL");
};
process.on("exit", stopBurners);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    stopBurners();
    process.exit(130);
  });
}

function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: "inherit" });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<void> {
  for (let i = 0; i < BURNERS; i += 1) burners.push(spawn(process.execPath, ["-e", "for(;;){}"], { stdio: "ignore" }));
  console.log(`test:stress: ${RUNS} runs of the suite with ${BURNERS} CPU burner(s) beside it`);
  const outcomes: Array<{ run: number; code: number; seconds: number }> = [];
  for (let i = 1; i <= RUNS; i += 1) {
    const started = performance.now();
    const code = await run("npm", ["test"]);
    outcomes.push({ run: i, code, seconds: Math.round((performance.now() - started) / 1000) });
    console.log(`test:stress: run ${i}/${RUNS} ${code === 0 ? "passed" : `FAILED (exit ${code})`} in ${outcomes.at(-1)!.seconds} s`);
  }
  stopBurners();
  const failed = outcomes.filter((o) => o.code !== 0);
  console.log(`test:stress: ${RUNS - failed.length}/${RUNS} runs passed (${outcomes.map((o) => `${o.seconds} s`).join(", ")})`);
  process.exit(failed.length === 0 ? 0 : 1);
}

void main();
