/**
 * The synthesizer's worker thread, as one self-contained function: the worker
 * runs `(${fliteWorkerMain})()` from source text (see flite-voice.ts), so it
 * needs no module loader — the same code runs from TypeScript sources (tsx,
 * vitest) and from the built JavaScript. It must not use anything from outside
 * its own body except Node and WebAssembly globals (`require` works in an
 * eval'd worker).
 *
 * It holds one instance of the flite module (compiled by the main thread, passed
 * in workerData) and a snapshot of its memory taken right after instantiation.
 * A run restores the snapshot (~1 ms), sets argv and calls `_start`: the
 * program runs as if freshly started, without instantiating 16 MB of memory
 * per phrase. A minimal in-memory WASI preview1 host serves it: argv,
 * stdout/stderr captured, files it writes kept in memory under one preopened
 * directory "/", a clock stuck at 0 (reproducible runs), no environment, no
 * stdin. If a run ends in `proc_exit` or a trap, the instance is rebuilt (its
 * stack pointer may be off).
 *
 * Messages: in `{id, runs: string[][]}` (argv of each run, in order); out
 * `{type:"ready"}` once, then `{type:"runs", id, results:[{stdout, stderr, files}]}`
 * or `{type:"error", id, message}`.
 */
export function fliteWorkerMain(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { parentPort, workerData } = require("node:worker_threads") as typeof import("node:worker_threads");
  const port = parentPort as import("node:worker_threads").MessagePort;
  interface Memory {
    readonly buffer: ArrayBuffer;
  }
  interface Instance {
    readonly exports: Record<string, unknown>;
  }
  const wasm = (globalThis as unknown as { WebAssembly: { Instance: new (module: object, imports: object) => Instance } }).WebAssembly;
  const module = (workerData as { module: object }).module;

  const ERRNO_SUCCESS = 0;
  const ERRNO_BADF = 8;
  const ERRNO_NOENT = 44;
  const PREOPEN_FD = 3;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  class Exit {
    constructor(readonly code: number) {}
  }
  interface File {
    data: Uint8Array;
    size: number;
  }

  let memory: Memory | null = null;
  let argv: Uint8Array[] = [];
  let stdout: string[] = [];
  let stderr: string[] = [];
  let files = new Map<string, File>();
  let fds = new Map<number, { file: File; position: number }>();
  let nextFd = PREOPEN_FD + 1;
  const view = () => new DataView((memory as Memory).buffer);
  const bytes = () => new Uint8Array((memory as Memory).buffer);

  function write(file: File, position: number, chunk: Uint8Array): void {
    if (position + chunk.length > file.data.length) {
      const grown = new Uint8Array(Math.max(position + chunk.length, file.data.length * 2));
      grown.set(file.data.subarray(0, file.size));
      file.data = grown;
    }
    file.data.set(chunk, position);
    file.size = Math.max(file.size, position + chunk.length);
  }

  const wasi = {
    args_sizes_get(argcPtr: number, sizePtr: number): number {
      view().setUint32(argcPtr, argv.length, true);
      view().setUint32(sizePtr, argv.reduce((n, a) => n + a.length, 0), true);
      return ERRNO_SUCCESS;
    },
    args_get(argvPtr: number, bufPtr: number): number {
      let at = bufPtr;
      argv.forEach((arg, i) => {
        bytes().set(arg, at);
        view().setUint32(argvPtr + 4 * i, at, true);
        at += arg.length;
      });
      return ERRNO_SUCCESS;
    },
    clock_time_get(_id: number, _precision: bigint, outPtr: number): number {
      view().setBigUint64(outPtr, 0n, true);
      return ERRNO_SUCCESS;
    },
    fd_close(fd: number): number {
      fds.delete(fd);
      return ERRNO_SUCCESS;
    },
    fd_fdstat_get(fd: number, outPtr: number): number {
      if (fd > PREOPEN_FD && !fds.has(fd)) return ERRNO_BADF;
      const type = fd <= 2 ? 2 : fd === PREOPEN_FD ? 3 : 4; // character device, directory, regular file
      view().setUint8(outPtr, type);
      view().setUint16(outPtr + 2, 0, true);
      view().setBigUint64(outPtr + 8, 0xffffffffffffffffn, true);
      view().setBigUint64(outPtr + 16, 0xffffffffffffffffn, true);
      return ERRNO_SUCCESS;
    },
    fd_fdstat_set_flags: (): number => ERRNO_SUCCESS,
    fd_prestat_get(fd: number, outPtr: number): number {
      if (fd !== PREOPEN_FD) return ERRNO_BADF;
      view().setUint8(outPtr, 0);
      view().setUint32(outPtr + 4, 1, true); // the name "/" is one byte
      return ERRNO_SUCCESS;
    },
    fd_prestat_dir_name(fd: number, pathPtr: number, pathLen: number): number {
      if (fd !== PREOPEN_FD || pathLen < 1) return ERRNO_BADF;
      bytes()[pathPtr] = 0x2f;
      return ERRNO_SUCCESS;
    },
    fd_read(_fd: number, _iovs: number, _iovsLen: number, nreadPtr: number): number {
      view().setUint32(nreadPtr, 0, true); // stdin and files read as empty
      return ERRNO_SUCCESS;
    },
    fd_seek(fd: number, offset: bigint, whence: number, outPtr: number): number {
      const open = fds.get(fd);
      if (open === undefined) return ERRNO_BADF;
      const base = whence === 0 ? 0 : whence === 1 ? open.position : open.file.size;
      open.position = Math.max(0, base + Number(offset));
      view().setBigUint64(outPtr, BigInt(open.position), true);
      return ERRNO_SUCCESS;
    },
    fd_write(fd: number, iovsPtr: number, iovsLen: number, writtenPtr: number): number {
      let written = 0;
      for (let i = 0; i < iovsLen; i++) {
        const ptr = view().getUint32(iovsPtr + 8 * i, true);
        const len = view().getUint32(iovsPtr + 8 * i + 4, true);
        const chunk = bytes().subarray(ptr, ptr + len);
        if (fd === 1) stdout.push(decoder.decode(chunk));
        else if (fd === 2) stderr.push(decoder.decode(chunk));
        else {
          const open = fds.get(fd);
          if (open === undefined) return ERRNO_BADF;
          write(open.file, open.position, chunk);
          open.position += len;
        }
        written += len;
      }
      view().setUint32(writtenPtr, written, true);
      return ERRNO_SUCCESS;
    },
    path_open(dirFd: number, _dirFlags: number, pathPtr: number, pathLen: number, oflags: number, _rb: bigint, _ri: bigint, _fdFlags: number, fdPtr: number): number {
      if (dirFd !== PREOPEN_FD) return ERRNO_BADF;
      const path = decoder.decode(bytes().subarray(pathPtr, pathPtr + pathLen));
      let file = files.get(path);
      if ((oflags & 1) !== 0) {
        file = { data: new Uint8Array(64 * 1024), size: 0 }; // O_CREAT: a fresh, empty file
        files.set(path, file);
      }
      if (file === undefined) return ERRNO_NOENT;
      const fd = nextFd++;
      fds.set(fd, { file, position: 0 });
      view().setUint32(fdPtr, fd, true);
      return ERRNO_SUCCESS;
    },
    proc_exit(code: number): never {
      throw new Exit(code);
    },
  };

  let instance: Instance | null = null;
  let snapshot: Uint8Array | null = null;
  function instantiate(): void {
    instance = new wasm.Instance(module, { wasi_snapshot_preview1: wasi });
    memory = instance.exports.memory as Memory;
    snapshot = new Uint8Array(memory.buffer).slice();
  }

  function run(args: readonly string[]): { stdout: string; stderr: string; files: Array<[string, Uint8Array]> } {
    if (instance === null) instantiate();
    const live = bytes();
    const initial = snapshot as Uint8Array;
    live.set(initial);
    // Memory only grows: what an earlier run grew must read as fresh, zeroed memory again.
    if (live.length > initial.length) live.fill(0, initial.length);
    argv = ["flite", ...args].map((a) => encoder.encode(`${a}\0`));
    stdout = [];
    stderr = [];
    files = new Map();
    fds = new Map();
    nextFd = PREOPEN_FD + 1;
    try {
      ((instance as Instance).exports._start as () => void)();
    } catch (error) {
      instance = null;
      if (!(error instanceof Exit) || error.code !== 0) {
        throw new Error(`flite failed (${error instanceof Exit ? `exit ${error.code}` : String(error)}): ${stderr.join("").slice(0, 200)}`);
      }
    }
    return { stdout: stdout.join(""), stderr: stderr.join(""), files: [...files].map(([path, file]) => [path, file.data.slice(0, file.size)]) };
  }

  instantiate();
  port.postMessage({ type: "ready" });
  port.on("message", (request: { id: number; runs: string[][] }) => {
    try {
      const results = request.runs.map((args) => run(args));
      port.postMessage({ type: "runs", id: request.id, results }, results.flatMap((r) => r.files.map(([, data]) => data.buffer as ArrayBuffer)));
    } catch (error) {
      port.postMessage({ type: "error", id: request.id, message: error instanceof Error ? error.message : String(error) });
    }
  });
}
