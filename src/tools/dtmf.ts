/**
 * Key presses: the configured transfer digit hands the caller to a human; other
 * digits reach the model as a short user text item ("The caller pressed 1 2 3 #
 * on the keypad."), digits pressed in quick succession as one item.
 */
import type { Clock, Timer } from "../clock.js";
import type { ToolsConfig } from "../config/tools.js";
import type { CallSession, CallSessionExtension } from "../media/call-session.js";
import { transferCaller, type TelephonyDeps } from "./telephony.js";

export class DtmfHandler implements CallSessionExtension {
  private digits: string[] = [];
  private timer: Timer | undefined;
  private transferring = false;

  constructor(
    private readonly config: ToolsConfig,
    private readonly telephony: TelephonyDeps,
    private readonly clock: Clock,
  ) {}

  onDtmf(digit: string, call: CallSession): void {
    if (digit === this.config.dtmfTransferDigit && this.config.transferTarget) {
      if (this.transferring) return;
      this.transferring = true;
      call.log.info({ digit }, "transfer digit pressed");
      (async () => {
        await call.say(this.config.transferText);
        await call.whenIdle();
        await transferCaller(call, this.telephony, "dtmf");
        this.transferring = false;
      })().catch((error: unknown) => call.fault("dtmf", error));
      return;
    }
    this.digits.push(digit);
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    if (this.config.dtmfInterDigitMs === 0) this.flush(call);
    else this.timer = this.clock.setTimeout(call.guard("dtmf", () => this.flush(call)), this.config.dtmfInterDigitMs);
  }

  /** Keys waiting to be sent, or a transfer under way. */
  busy(): boolean {
    return this.digits.length > 0 || this.transferring;
  }

  onClosed(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.digits = [];
  }

  private flush(call: CallSession): void {
    this.timer = undefined;
    const pressed = this.digits.join(" ");
    this.digits = [];
    const session = call.session;
    if (pressed === "" || call.closed || !session) return;
    session.send({
      type: "conversation.item.create",
      item: { type: "message", role: "user", content: [{ type: "input_text", text: `The caller pressed ${pressed} on the keypad.` }] },
    });
    void session.requestResponse();
  }
}
