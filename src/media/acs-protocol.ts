/**
 * The ACS media streaming WebSocket, as our own small types. Inbound text frames
 * are camelCase (PascalCase accepted too, as older service versions and the
 * .NET samples use it). Outbound we send the JS SDK helpers' camelCase shape.
 */
import { createOutboundStopAudioData } from "@azure/communication-call-automation";

export type AcsInboundMessage =
  | {
      readonly kind: "audioMetadata";
      readonly encoding: string;
      readonly sampleRateHz: number;
      readonly channels: number;
      readonly frameBytes: number;
      readonly subscriptionId: string | undefined;
    }
  | {
      readonly kind: "audioData";
      /** Base64 payload (PCM16LE, or μ-law bytes on G.711 legs). */
      readonly data: string;
      readonly silent: boolean;
      readonly participantRawId: string | undefined;
    }
  | { readonly kind: "dtmf"; readonly digit: string }
  | { readonly kind: "unknown"; readonly rawKind: string };

/** Barge-in: ACS drops whatever it queued toward the caller. Built by the SDK's own helper, once. */
export const ACS_STOP_AUDIO = createOutboundStopAudioData();
