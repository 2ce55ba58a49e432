/** What the load driver observes during one measurement window (both peers, every call). */
import { LatencyHistogram, round2, type HistogramSummary } from "./histogram.js";

export class WindowStats {
  /** Caller frame sent → the append carrying it arrived at Voice Live. */
  readonly relay = new LatencyHistogram();
  /** Time between consecutive audio frames arriving at an ACS caller. */
  readonly outboundGaps = new LatencyHistogram();
  framesSent = 0;
  framesRelayed = 0;
  framesHeard = 0;
  deltasSent = 0;
  /** ACS playback model: the caller's queue ran dry while the bot was speaking. */
  underruns = 0;
  underrunMs = 0;
  lostInbound = 0;
  lostOutbound = 0;
  /** A frame marked with another call's index: cross-talk. */
  misrouted = 0;
  unreadable = 0;
  stopAudio = 0;

  reset(): void {
    this.relay.reset();
    this.outboundGaps.reset();
    this.framesSent = this.framesRelayed = this.framesHeard = this.deltasSent = 0;
    this.underruns = this.underrunMs = this.lostInbound = this.lostOutbound = 0;
    this.misrouted = this.unreadable = this.stopAudio = 0;
  }

  summary(): WindowSummary {
    return {
      relay: this.relay.summary(),
      outboundGaps: this.outboundGaps.summary(),
      framesSent: this.framesSent,
      framesRelayed: this.framesRelayed,
      framesHeard: this.framesHeard,
      deltasSent: this.deltasSent,
      underruns: this.underruns,
      underrunMs: round2(this.underrunMs),
      lostInbound: this.lostInbound,
      lostOutbound: this.lostOutbound,
      misrouted: this.misrouted,
      unreadable: this.unreadable,
      stopAudio: this.stopAudio,
    };
  }
}

export interface WindowSummary {
  readonly relay: HistogramSummary;
  readonly outboundGaps: HistogramSummary;
  readonly framesSent: number;
  readonly framesRelayed: number;
  readonly framesHeard: number;
  readonly deltasSent: number;
  readonly underruns: number;
  readonly underrunMs: number;
  readonly lostInbound: number;
  readonly lostOutbound: number;
  readonly misrouted: number;
  readonly unreadable: number;
  readonly stopAudio: number;
}
