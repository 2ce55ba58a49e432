// AudioWorklet processors of the browser softphone (they run on the audio thread).
//
// softphone-capture: microphone → 20 ms PCM16 frames at 24 kHz (what ACS sends),
//   resampled when the context does not run at 24 kHz.
// softphone-player: the bot's 24 kHz frames → speakers through a jitter buffer:
//   playback starts once PREBUFFER_MS is queued and restarts that way after an
//   underrun; "clear" (StopAudio) drops everything queued. It reports what it
//   actually played: time above the speech level, peak level, underruns.

const TARGET_RATE = 24000;
const FRAME_SAMPLES = 480; // 20 ms at 24 kHz
const PREBUFFER_MS = 60;
const REPORT_EVERY_MS = 100;
const HEARD_DBFS = -50;

const toDbfs = (meanSquare) => (meanSquare > 0 ? Math.max(-100, 10 * Math.log10(meanSquare)) : -100);

class CaptureProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.step = sampleRate / TARGET_RATE; // input samples per output sample
    this.position = 0; // fractional read position into the current block
    this.previous = 0;
    this.frame = new Int16Array(FRAME_SAMPLES);
    this.filled = 0;
    this.sumSquares = 0;
  }

  process(inputs) {
    const input = inputs[0]?.[0];
    if (!input) return true;
    if (this.step === 1) {
      for (let i = 0; i < input.length; i++) this.push(input[i]);
    } else {
      // Linear interpolation: speech carries little energy above 12 kHz, and this feeds a VAD and speech recognition, not a hi-fi path.
      while (this.position < input.length) {
        const index = Math.floor(this.position);
        const fraction = this.position - index;
        const a = index === 0 ? this.previous : input[index - 1];
        const b = input[index];
        this.push(a + (b - a) * fraction);
        this.position += this.step;
      }
      this.position -= input.length;
      this.previous = input[input.length - 1];
    }
    return true;
  }

  push(value) {
    const clamped = value > 1 ? 1 : value < -1 ? -1 : value;
    this.frame[this.filled++] = clamped < 0 ? clamped * 0x8000 : clamped * 0x7fff;
    this.sumSquares += clamped * clamped;
    if (this.filled === FRAME_SAMPLES) {
      const frame = this.frame;
      this.port.postMessage({ frame: frame.buffer, dbfs: toDbfs(this.sumSquares / FRAME_SAMPLES) }, [frame.buffer]);
      this.frame = new Int16Array(FRAME_SAMPLES);
      this.filled = 0;
      this.sumSquares = 0;
    }
  }
}

class PlayerProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.buffer = new Float32Array(TARGET_RATE * 10);
    this.read = 0;
    this.write = 0;
    this.queued = 0;
    this.playing = false;
    this.step = TARGET_RATE / sampleRate; // 24 kHz samples per output sample
    this.phase = 0;
    this.prebuffer = (TARGET_RATE * PREBUFFER_MS) / 1000;
    this.reportEvery = Math.round((sampleRate * REPORT_EVERY_MS) / 1000);
    this.sinceReport = 0;
    this.blockSquares = 0;
    this.blockSamples = 0;
    this.peakSquare = 0;
    this.heardMs = 0;
    this.underruns = 0;
    this.cleared = 0;
    this.port.onmessage = (event) => this.receive(event.data);
  }

  receive(message) {
    if (message.clear) {
      this.read = this.write = this.queued = 0;
      this.playing = false;
      this.cleared += 1;
      return;
    }
    const samples = new Int16Array(message.frame);
    for (let i = 0; i < samples.length; i++) {
      if (this.queued === this.buffer.length) break; // 10 s queued: the bot paces far below this
      this.buffer[this.write] = samples[i] / 0x8000;
      this.write = (this.write + 1) % this.buffer.length;
      this.queued += 1;
    }
  }

  process(_inputs, outputs) {
    const output = outputs[0][0];
    if (!this.playing && this.queued >= this.prebuffer) this.playing = true;
    for (let i = 0; i < output.length; i++) {
      let value = 0;
      if (this.playing) {
        if (this.queued === 0) {
          this.playing = false;
          this.underruns += 1;
        } else {
          value = this.buffer[this.read];
          this.phase += this.step;
          while (this.phase >= 1 && this.queued > 0) {
            this.phase -= 1;
            this.read = (this.read + 1) % this.buffer.length;
            this.queued -= 1;
          }
        }
      }
      output[i] = value;
      this.blockSquares += value * value;
      this.blockSamples += 1;
    }
    for (let c = 1; c < outputs[0].length; c++) outputs[0][c].set(output);
    this.sinceReport += output.length;
    if (this.sinceReport >= this.reportEvery) this.report();
    return true;
  }

  report() {
    const meanSquare = this.blockSquares / Math.max(1, this.blockSamples);
    const dbfs = toDbfs(meanSquare);
    if (meanSquare > this.peakSquare) this.peakSquare = meanSquare;
    if (dbfs > HEARD_DBFS) this.heardMs += (this.blockSamples * 1000) / sampleRate;
    this.port.postMessage({ dbfs, heardMs: this.heardMs, peakDbfs: toDbfs(this.peakSquare), underruns: this.underruns, queuedMs: (this.queued * 1000) / TARGET_RATE, cleared: this.cleared });
    this.sinceReport = 0;
    this.blockSquares = 0;
    this.blockSamples = 0;
  }
}

registerProcessor("softphone-capture", CaptureProcessor);
registerProcessor("softphone-player", PlayerProcessor);
