/** The audio layer: bytes and samples only (no sockets, no Voice Live). */
export * from "./types.js";
export { AudioError, type AudioErrorCode } from "./errors.js";
export {
  SUPPORTED_LEG_FORMATS,
  assertSupportedLegFormat,
  describeLegFormat,
  legBytesForMs,
  legBytesPerSample,
  legFrameBytes,
  legFrameSamples,
  legSilenceByte,
} from "./formats.js";
export { DEFAULT_MAX_PUSH_MS, type ConverterOptions, type ResamplerFactory } from "./converter-options.js";
export { createInboundConverter } from "./inbound.js";
export { createOutboundConverter, type OutboundConverterWithBytes } from "./outbound.js";
export { createFramePacker, type FramePacker } from "./frame-packer.js";
export { createResampler, type Resampler, type ResamplerOptions } from "./resampler.js";
export { MULAW_DECODE_TABLE, MULAW_ENCODE_TABLE, decodeMulawInto, encodeMulawInto } from "./mulaw.js";
export { base64FromBytes, createBase64Decoder, type Base64Decoder } from "./base64.js";
export { wasmFirKernelAvailable } from "./wasm-fir-kernel.js";
export { decodeWav, encodeMulawWav, encodeWav, wavHeader, type DecodedWav } from "./wav.js";
export { resampleOffline } from "./offline-resampler.js";
