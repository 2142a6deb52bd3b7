// Kiosk mode (/?kiosk): a touch screen at a demo or in a museum. While nobody draws, real digits
// are replayed as a marked demo; a drawing left alone is cleared after a visible countdown; the
// result can be spoken. Times come from the URL: /?kiosk&idle=60&countdown=10&attract=30&speak.

export const DEFAULTS = { idle: 45, countdown: 10, attract: 20 }; // seconds
// The demo's digits carry no times, only points sampled at a steady rate as the pen moved: each is
// replayed over about the time a hand takes to write a digit, its points evenly in time, so a
// writer's slow and quick parts stay as they were, with a short lift between strokes.
const DIGIT_MS = 1500;
const LIFT_MS = 150;
const SHOW_RESULT_MS = 2500; // how long a demo digit's answer stays before the next one

export function kioskSettings(search) {
  const params = new URLSearchParams(search);
  const seconds = (name) => {
    const value = Number(params.get(name));
    return (
      (params.has(name) && Number.isFinite(value) && value > 0 ? value : DEFAULTS[name]) * 1000
    );
  };
  return {
    idleMs: seconds("idle"),
    countdownMs: seconds("countdown"),
    attractMs: seconds("attract"),
    speak: params.has("speak"),
  };
}

const WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

export class Kiosk {
  // clear(): clears the pad as the Clear button does; demo: { digits: [{ label, strokes }] };
  // correct(): opens the big buttons to correct the answer with.
  constructor({ pad, clear, settings, demo, correct = () => {}, doc = document }) {
    this.pad = pad;
    this.clear = clear;
    this.correct = correct;
    this.settings = settings;
    this.digits = demo.digits;
    this.doc = doc;
    this.lastActivity = performance.now();
    this.demoTimer = null;
    this.demoIndex = 0;
    this.inDemo = false;
    this.replaying = false; // a demo digit is being written: its answer so far is in progress
    this.speaking = settings.speak;
    this.lastSpoken = null;
  }

  start() {
    const doc = this.doc;
    doc.body.classList.add("kiosk");
    doc
      .querySelector("header")
      .insertAdjacentHTML(
        "beforeend",
        '<p class="demo-badge" hidden>Demo: touch the screen to draw your own digit</p>',
      );
    doc.body.insertAdjacentHTML("beforeend", '<p class="countdown" role="status" hidden></p>');
    this.badge = doc.querySelector(".demo-badge");
    this.countdown = doc.querySelector(".countdown");
    this.addCorrectButton();
    if ("speechSynthesis" in window) this.addSpeechToggle();
    // Capture: the first touch ends a demo before the pad starts the visitor's own stroke, and a
    // touch on the pad that keeps a drawing from being cleared adds no ink to it.
    doc.addEventListener("pointerdown", (e) => this.touched(e), { capture: true });
    doc.addEventListener("keydown", () => this.activity(), { capture: true });
    doc.addEventListener("contextmenu", (e) => e.preventDefault());
    setInterval(() => this.tick(), 250);
  }

  // The kiosk's way to say the answer is wrong: a button beside Undo and Clear, there (but
  // invisible, so that nothing moves) until an answer may be corrected.
  addCorrectButton() {
    this.correctButton = this.addTool("kiosk-correct", "Wrong?", () => this.correct());
    this.correctButton.className = "kiosk-correct";
    this.offerCorrection(false);
  }

  // A button of the kiosk's own beside Undo and Clear.
  addTool(id, label, onClick) {
    const button = this.doc.createElement("button");
    button.id = id;
    button.type = "button";
    button.textContent = label;
    button.addEventListener("click", onClick);
    this.doc.querySelector(".tools").append(button);
    return button;
  }

  offerCorrection(on) {
    if (!this.correctButton) return;
    this.correctButton.style.visibility = on ? "visible" : "hidden";
    this.correctButton.setAttribute("aria-hidden", String(!on));
    this.correctButton.tabIndex = on ? 0 : -1;
  }

  addSpeechToggle() {
    this.speakButton = this.addTool("speak", "Say the answer", () =>
      this.setSpeaking(!this.speaking),
    );
    this.setSpeaking(this.speaking);
  }

  setSpeaking(on) {
    this.speaking = on;
    this.speakButton.setAttribute("aria-pressed", String(on));
    this.speakButton.textContent = on ? "Say the answer: on" : "Say the answer: off";
    if (!on) window.speechSynthesis.cancel();
  }

  touched(e) {
    const keeping = !this.countdown.hidden;
    this.activity();
    if (keeping && e.target === this.pad.canvas) {
      e.stopPropagation();
      e.preventDefault();
    }
  }

  // The visitor did something: a demo stops, the idle clock starts again.
  activity() {
    this.lastActivity = performance.now();
    if (this.inDemo) this.stopDemo();
    this.countdown.hidden = true;
  }

  // The drawing changed (the visitor's strokes, not the demo's).
  edited() {
    if (!this.inDemo) this.lastActivity = performance.now();
  }

  tick() {
    if (this.inDemo) return;
    const idle = performance.now() - this.lastActivity;
    const { idleMs, countdownMs, attractMs } = this.settings;
    if (!this.pad.isEmpty && !this.pad.penDown) {
      const left = idleMs - idle;
      if (left <= 0) {
        this.countdown.hidden = true;
        this.clear();
        this.lastActivity = performance.now();
      } else if (left <= countdownMs) {
        this.countdown.hidden = false;
        const seconds = Math.ceil(left / 1000);
        this.countdown.textContent =
          `Clearing in ${seconds} s. ` + "Touch anywhere to keep your drawing.";
      } else {
        this.countdown.hidden = true;
      }
    } else if (this.pad.isEmpty && idle >= attractMs) {
      this.startDemo();
    }
  }

  startDemo() {
    this.inDemo = true;
    this.badge.hidden = false;
    this.playNext();
  }

  stopDemo() {
    this.inDemo = false;
    this.replaying = false;
    clearTimeout(this.demoTimer);
    this.demoTimer = null;
    this.badge.hidden = true;
    this.pad.endStroke();
    this.clear();
  }

  // Replays one digit point by point, leaves its answer up a moment, then the next.
  playNext() {
    const digit = this.digits[this.demoIndex++ % this.digits.length];
    this.clear();
    const w = this.pad.canvas.clientWidth,
      h = this.pad.canvas.clientHeight;
    const side = Math.min(w, h) * 0.6;
    const at = ([x, y]) => [
      Math.round((w / 2 + (x - 0.5) * side) * 10) / 10,
      Math.round((h / 2 + (y - 0.5) * side) * 10) / 10,
    ];
    const steps = [];
    digit.strokes.forEach((stroke) =>
      stroke.forEach((p, i) =>
        steps.push({ p: at(p), first: i === 0, last: i === stroke.length - 1 }),
      ),
    );
    const lifts = digit.strokes.length - 1;
    const pointMs = Math.max(4, (DIGIT_MS - lifts * LIFT_MS) / steps.length);
    let k = 0;
    this.replaying = true;
    const step = () => {
      if (!this.inDemo) return;
      const { p, first, last } = steps[k++];
      if (first) this.pad.startStroke(p);
      else this.pad.extendStroke(p);
      // The last point: the digit is written, and the answer to it is final.
      if (k === steps.length) this.replaying = false;
      if (last) this.pad.endStroke();
      const wait = k === steps.length ? SHOW_RESULT_MS : last ? LIFT_MS : pointMs;
      this.demoTimer = setTimeout(
        k < steps.length ? step : () => this.inDemo && this.playNext(),
        wait,
      );
    };
    step();
  }

  // An answer shown with the pen up: said aloud when speech is on, once per new answer.
  answered(answer) {
    if (!this.speaking || this.inDemo) return;
    const several = answer.digits && answer.digits.length > 1;
    const spelt = answer.number && [...answer.number].map((d) => WORDS[d]).join(" ");
    const words = several
      ? spelt
        ? answer.verdict === "unsure"
          ? `maybe ${spelt}`
          : spelt
        : null
      : answer.verdict === "digit"
        ? WORDS[answer.digit]
        : answer.verdict === "unsure"
          ? `maybe ${WORDS[answer.candidates[0]]}`
          : answer.verdict === "not_a_digit"
            ? "that is not a digit"
            : null;
    if (!words || words === this.lastSpoken) return;
    this.lastSpoken = words;
    window.speechSynthesis.cancel();
    window.speechSynthesis.speak(new SpeechSynthesisUtterance(words));
  }
}
