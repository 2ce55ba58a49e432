// The browser softphone: microphone → ACS media protocol over a WebSocket → the
// bot's usual call path; the bot's audio → jitter buffer → speakers.
//
// Wire (as ACS sends and receives it): first
//   {"kind":"AudioMetadata","audioMetadata":{"subscriptionId","encoding":"PCM","sampleRate":24000,"channels":1,"length":960}}
// then one {"kind":"AudioData","audioData":{"timestamp","participantRawID","data":<base64 PCM16LE>,"silent":false}}
// per 20 ms, {"kind":"DtmfData","dtmfData":{"data":"5"}} for keys. From the bot:
// {"kind":"audioData","audioData":{"data":…}} frames and {"kind":"stopAudio"} (barge-in: drop what is queued).

const SAMPLE_RATE = 24000;
const FRAME_BYTES = 960;

function base64FromBytes(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x2000) binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x2000));
  return btoa(binary);
}

function bytesFromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export class Softphone {
  /** @param {{ onState(state: string, detail?: string): void, onMic(dbfs: number): void, onPlayback(report: object): void, onBotFrame(): void, onStopAudio(): void }} events */
  constructor(events) {
    this.events = events;
    this.state = "idle";
  }

  async dial() {
    if (this.state !== "idle" && this.state !== "ended") return;
    this.setState("starting", "asking for the microphone");
    try {
      this.microphone = await navigator.mediaDevices.getUserMedia({
        audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      });
      try {
        await this.buildGraph(new AudioContext({ sampleRate: SAMPLE_RATE, latencyHint: "interactive" }));
      } catch {
        // Some browsers cannot feed a microphone into a context at another rate: run at theirs, the worklets resample.
        this.closeGraph();
        await this.buildGraph(new AudioContext({ latencyHint: "interactive" }));
      }
      await this.openSocket();
    } catch (error) {
      this.teardown();
      this.setState("ended", error instanceof Error ? error.message : String(error));
    }
  }

  async buildGraph(context) {
    this.context = context;
    await context.audioWorklet.addModule("/console/assets/softphone-worklets.js");
    this.source = context.createMediaStreamSource(this.microphone);
    await context.resume();
    this.player = new AudioWorkletNode(context, "softphone-player", { numberOfInputs: 0, numberOfOutputs: 1, outputChannelCount: [1] });
    this.player.connect(context.destination);
    this.player.port.onmessage = (event) => this.events.onPlayback(event.data);
    this.capture = new AudioWorkletNode(context, "softphone-capture", { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1] });
    this.source.connect(this.capture);
    // The capture node outputs silence; connected so the audio graph keeps pulling it.
    this.capture.connect(context.destination);
  }

  closeGraph() {
    this.source?.disconnect();
    this.capture?.disconnect();
    this.player?.disconnect();
    void this.context?.close().catch(() => undefined);
    this.source = this.capture = this.player = this.context = undefined;
  }

  openSocket() {
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/console/softphone`;
    this.setState("dialing", "connecting to the bot");
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      this.socket = socket;
      socket.onopen = () => {
        socket.send(JSON.stringify({
          kind: "AudioMetadata",
          audioMetadata: { subscriptionId: crypto.randomUUID(), encoding: "PCM", sampleRate: SAMPLE_RATE, channels: 1, length: FRAME_BYTES },
        }));
        this.capture.port.onmessage = (event) => this.sendFrame(event.data);
        this.setState("in-call", "talk to the bot");
        resolve();
      };
      socket.onmessage = (event) => this.receive(event.data);
      socket.onerror = () => reject(new Error("the bot refused the call (signed in?)"));
      socket.onclose = (event) => {
        const byBot = this.state === "in-call";
        this.teardown();
        this.setState("ended", byBot ? `the bot ended the call${event.reason ? `: ${event.reason}` : ""}` : "call ended");
      };
    });
  }

  sendFrame({ frame, dbfs }) {
    this.events.onMic(dbfs);
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    socket.send(JSON.stringify({
      kind: "AudioData",
      audioData: { timestamp: new Date().toISOString(), participantRawID: "softphone:browser", data: base64FromBytes(new Uint8Array(frame)), silent: false },
    }));
  }

  receive(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    const kind = String(message.kind ?? message.Kind ?? "").toLowerCase();
    if (kind === "audiodata") {
      const data = (message.audioData ?? message.AudioData)?.data ?? (message.audioData ?? message.AudioData)?.Data;
      if (typeof data !== "string") return;
      const bytes = bytesFromBase64(data);
      this.player?.port.postMessage({ frame: bytes.buffer }, [bytes.buffer]);
      this.events.onBotFrame();
    } else if (kind === "stopaudio") {
      this.player?.port.postMessage({ clear: true });
      this.events.onStopAudio();
    }
  }

  pressKey(digit) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ kind: "DtmfData", dtmfData: { data: digit } }));
  }

  hangUp() {
    if (this.socket && this.socket.readyState <= WebSocket.OPEN) {
      this.setState("ending", "hanging up");
      this.socket.close(1000, "caller hung up");
    } else {
      this.teardown();
      this.setState("ended", "call ended");
    }
  }

  teardown() {
    this.closeGraph();
    for (const track of this.microphone?.getTracks() ?? []) track.stop();
    this.microphone = undefined;
    this.socket = undefined;
  }

  setState(state, detail) {
    this.state = state;
    this.events.onState(state, detail);
  }
}
