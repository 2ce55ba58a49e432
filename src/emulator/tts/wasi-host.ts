/**
 * The smallest WASI preview1 host a command-line WebAssembly program needs to
 * run in memory: argv, stdout/stderr captured as text, files opened for writing
 * kept in memory (one preopened directory "/"), no clock (always 0, so runs
 * are reproducible), no environment, no stdin. `proc_exit` ends the run by
 * throwing. Node's own `node:wasi` would touch the real file system and warns
 * that it is experimental; this covers exactly the 13 imports flite uses.
 */

import type { WasmMemory } from "./wasm-api.js";

const ERRNO_SUCCESS = 0;
const ERRNO_BADF = 8;
const ERRNO_NOENT = 44;
const PREOPEN_FD = 3;
const FILETYPE_CHARACTER_DEVICE = 2;
const FILETYPE_DIRECTORY = 3;
const FILETYPE_REGULAR_FILE = 4;
const OFLAGS_CREAT = 1;
const WHENCE_SET = 0;
const WHENCE_CUR = 1;

/** Thrown by proc_exit; the runner catches it. */
export class WasiExit extends Error {
  constructor(readonly code: number) {
    super(`wasi program exited with code ${code}`);
  }
}

class MemoryFile {
  data = new Uint8Array(64 * 1024);
  size = 0;

  write(position: number, bytes: Uint8Array): void {
    if (position + bytes.length > this.data.length) {
      const grown = new Uint8Array(Math.max(position + bytes.length, this.data.length * 2));
      grown.set(this.data.subarray(0, this.size));
      this.data = grown;
    }
    this.data.set(bytes, position);
    this.size = Math.max(this.size, position + bytes.length);
  }

  bytes(): Uint8Array {
    return this.data.subarray(0, this.size);
  }
}

export interface WasiRun {
  readonly stdout: string;
  readonly stderr: string;
  /** Files the program wrote, by the path it opened. */
  readonly files: ReadonlyMap<string, Uint8Array>;
}

export class WasiHost {
  private memory: WasmMemory | null = null;
  private args: Uint8Array[] = [];
  private stdout: string[] = [];
  private stderr: string[] = [];
  private files = new Map<string, MemoryFile>();
  private readonly fds = new Map<number, { file: MemoryFile; position: number }>();
  private nextFd = PREOPEN_FD + 1;
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();

  /** The `wasi_snapshot_preview1` import object; bind the instance's memory with `attach` before running. */
  readonly imports: Record<string, (...args: never[]) => number> = {
    args_sizes_get: (argcPtr: number, bufSizePtr: number) => {
      const view = this.view();
      view.setUint32(argcPtr, this.args.length, true);
      view.setUint32(bufSizePtr, this.args.reduce((n, a) => n + a.length, 0), true);
      return ERRNO_SUCCESS;
    },
    args_get: (argvPtr: number, bufPtr: number) => {
      const view = this.view();
      const bytes = this.bytesView();
      let at = bufPtr;
      this.args.forEach((arg, i) => {
        bytes.set(arg, at);
        view.setUint32(argvPtr + 4 * i, at, true);
        at += arg.length;
      });
      return ERRNO_SUCCESS;
    },
    clock_time_get: (_id: number, _precision: bigint, outPtr: number) => {
      this.view().setBigUint64(outPtr, 0n, true);
      return ERRNO_SUCCESS;
    },
    fd_close: (fd: number) => {
      this.fds.delete(fd);
      return ERRNO_SUCCESS;
    },
    fd_fdstat_get: (fd: number, outPtr: number) => {
      const view = this.view();
      const type = fd <= 2 ? FILETYPE_CHARACTER_DEVICE : fd === PREOPEN_FD ? FILETYPE_DIRECTORY : FILETYPE_REGULAR_FILE;
      if (fd > PREOPEN_FD && !this.fds.has(fd)) return ERRNO_BADF;
      view.setUint8(outPtr, type);
      view.setUint16(outPtr + 2, 0, true);
      view.setBigUint64(outPtr + 8, 0xffffffffffffffffn, true);
      view.setBigUint64(outPtr + 16, 0xffffffffffffffffn, true);
      return ERRNO_SUCCESS;
    },
    fd_fdstat_set_flags: () => ERRNO_SUCCESS,
    fd_prestat_get: (fd: number, outPtr: number) => {
      if (fd !== PREOPEN_FD) return ERRNO_BADF;
      const view = this.view();
      view.setUint8(outPtr, 0); // preopen type: directory
      view.setUint32(outPtr + 4, 1, true); // name length of "/"
      return ERRNO_SUCCESS;
    },
    fd_prestat_dir_name: (fd: number, pathPtr: number, pathLen: number) => {
      if (fd !== PREOPEN_FD || pathLen < 1) return ERRNO_BADF;
      this.bytesView()[pathPtr] = 0x2f; // "/"
      return ERRNO_SUCCESS;
    },
    fd_read: (_fd: number, _iovsPtr: number, _iovsLen: number, nreadPtr: number) => {
      this.view().setUint32(nreadPtr, 0, true); // stdin and files read as empty
      return ERRNO_SUCCESS;
    },
    fd_seek: (fd: number, offset: bigint, whence: number, outPtr: number) => {
      const open = this.fds.get(fd);
      if (open === undefined) return ERRNO_BADF;
      const base = whence === WHENCE_SET ? 0 : whence === WHENCE_CUR ? open.position : open.file.size;
      open.position = Math.max(0, base + Number(offset));
      this.view().setBigUint64(outPtr, BigInt(open.position), true);
      return ERRNO_SUCCESS;
    },
    fd_write: (fd: number, iovsPtr: number, iovsLen: number, nwrittenPtr: number) => {
      const view = this.view();
      const bytes = this.bytesView();
      let written = 0;
      for (let i = 0; i < iovsLen; i++) {
        const ptr = view.getUint32(iovsPtr + 8 * i, true);
        const len = view.getUint32(iovsPtr + 8 * i + 4, true);
        const chunk = bytes.subarray(ptr, ptr + len);
        if (fd === 1) this.stdout.push(this.decoder.decode(chunk));
        else if (fd === 2) this.stderr.push(this.decoder.decode(chunk));
        else {
          const open = this.fds.get(fd);
          if (open === undefined) return ERRNO_BADF;
          open.file.write(open.position, chunk);
          open.position += len;
        }
        written += len;
      }
      view.setUint32(nwrittenPtr, written, true);
      return ERRNO_SUCCESS;
    },
    path_open: (
      dirFd: number,
      _dirFlags: number,
      pathPtr: number,
      pathLen: number,
      oflags: number,
      _rightsBase: bigint,
      _rightsInheriting: bigint,
      _fdFlags: number,
      fdOutPtr: number,
    ) => {
      if (dirFd !== PREOPEN_FD) return ERRNO_BADF;
      const path = this.decoder.decode(this.bytesView().subarray(pathPtr, pathPtr + pathLen));
      let file = this.files.get(path);
      if ((oflags & OFLAGS_CREAT) !== 0) {
        file = new MemoryFile();
        this.files.set(path, file);
      }
      if (file === undefined) return ERRNO_NOENT;
      const fd = this.nextFd++;
      this.fds.set(fd, { file, position: 0 });
      this.view().setUint32(fdOutPtr, fd, true);
      return ERRNO_SUCCESS;
    },
    proc_exit: (code: number) => {
      throw new WasiExit(code);
    },
  };

  attach(memory: WasmMemory): void {
    this.memory = memory;
  }

  /** Resets the per-run state (argv, captured output, files) for the next `_start`. */
  begin(argv: readonly string[]): void {
    this.args = argv.map((a) => this.encoder.encode(`${a}\0`));
    this.stdout = [];
    this.stderr = [];
    this.files = new Map();
    this.fds.clear();
    this.nextFd = PREOPEN_FD + 1;
  }

  result(): WasiRun {
    const files = new Map<string, Uint8Array>();
    for (const [path, file] of this.files) files.set(path, file.bytes());
    return { stdout: this.stdout.join(""), stderr: this.stderr.join(""), files };
  }

  private view(): DataView {
    return new DataView((this.memory as WasmMemory).buffer);
  }

  private bytesView(): Uint8Array {
    return new Uint8Array((this.memory as WasmMemory).buffer);
  }
}
