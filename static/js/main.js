// The draw-a-digit page: wires the pad, the prediction requests and the result view together.
import { keep, kept } from "./keep.js";
import { Pad } from "./pad.js";
import { PredictClient, postStrokes } from "./predict-client.js";
import { ResultView } from "./result-view.js";

let picked = null; // the digit of a number whose bars are shown (null: the last one written)
let lastAnswer = null;
let modelSha = null; // the SHA-256 of the weights that answer (/api/model), sent with a correction
const corrected = new Map(); // digit index -> the label kept, for the drawing as it is now
const view = new ResultView(document, { onPick: pick, onCorrect: correct });
const undoButton = document.getElementById("undo");
const clearButton = document.getElementById("clear");
const explainButton = document.getElementById("explain-toggle");
const explainPanel = document.getElementById("explain");
let client = null;
let explainView = null; // loaded the first time "how it sees" is opened
let kiosk = null; // only with /?kiosk
const isKiosk = new URLSearchParams(location.search).has("kiosk");

const pad = new Pad(document.getElementById("pad"), {
  onEdit: () => {
    corrected.clear();
    client.edited();
    updateButtons();
    if (kiosk) kiosk.edited();
  },
  onStrokeEnd: () => {
    client.strokeEnded();
    updateButtons();
    remember();
  },
  // The pad changed size (a phone turned, a window resized): the drawing scaled into it is read
  // again, so the answer is always of what is on the pad.
  onRescale: () => {
    if (!client) return;
    client.refresh();
    remember();
  },
});
client = new PredictClient({
  snapshot: () => ({ ...pad.snapshot(), digit: picked }),
  view: {
    show: (answer, asked) => {
      lastAnswer = answer;
      if (picked !== null && (!answer.digits || picked >= answer.digits.length)) picked = null;
      // The kiosk's demo between two strokes of a digit is still writing it.
      const writing = Boolean(kiosk && kiosk.replaying);
      // Asked while the pen was down: the answer is a guess so far, even if the pen lifted since.
      view.show(answer, pad.penDown || Boolean(asked && asked.penDown) || writing, picked, writing);
      const several = answer.digits && answer.digits.length > 1;
      pad.setBoxes(
        several ? answer.digits.map((d) => d.box) : [],
        several ? (picked === null ? answer.digits.length - 1 : picked) : -1,
      );
      if (explainView && !explainPanel.hidden) explainView.show(answer);
      if (kiosk && !pad.penDown) kiosk.answered(answer);
      offerCorrection();
    },
    showEmpty: () => {
      lastAnswer = null;
      picked = null;
      corrected.clear();
      view.showEmpty(kiosk && kiosk.inDemo ? "The demo is writing a digit." : undefined);
      view.offerCorrection(false);
      pad.setBoxes([]);
      if (explainView) explainView.clear();
    },
    showError: (message) => view.showError(message),
  },
});

// A digit of the number was picked: its bars and 28x28 now, and "how it sees" explains it.
function pick(k) {
  picked = k;
  if (lastAnswer) {
    view.show(lastAnswer, pad.penDown, picked);
    pad.setBoxes(
      lastAnswer.digits.map((d) => d.box),
      picked,
    );
  }
  if (explainView && !explainPanel.hidden) client.refresh();
  offerCorrection();
}

// The answer on screen is for the drawing as it is, with the pen up: its digit (the picked one of
// a number) may be corrected, once. Not in kiosk mode, where anyone passing could.
function correctable() {
  const digits = (lastAnswer && lastAnswer.digits) || [];
  if (isKiosk || pad.penDown || !modelSha || digits.length === 0) return null;
  if (client.shownVersion !== client.version) return null;
  const k = picked === null ? digits.length - 1 : picked;
  return { k, digit: digits[k] };
}

function offerCorrection() {
  const target = correctable();
  if (!target) view.offerCorrection(false);
  else if (corrected.has(target.k)) view.offerCorrection(false, keptText(target.k));
  else view.offerCorrection(true);
}

function keptText(k) {
  const several = lastAnswer.digits.length > 1;
  const which = several ? `digit ${k + 1} ` : "";
  return `Thank you: ${which}kept as a ${corrected.get(k)}. It helps the network learn.`;
}

// The visitor says digit `label` is right: the strokes of the digit shown go to the server.
async function correct(label) {
  const target = correctable();
  if (!target || corrected.has(target.k)) return;
  const { k, digit } = target;
  const all = pad.snapshot().strokes;
  const strokes = digit.strokes ? digit.strokes.map((i) => all[i]) : all;
  corrected.set(k, label);
  view.offerCorrection(false, "Keeping it...");
  const { sendCorrection } = await import("./corrections.js");
  const predicted = digit.verdict === "not_a_digit" ? null : digit.digit;
  const result = await sendCorrection({ strokes, label, predicted, model: modelSha });
  if (!result.ok) corrected.delete(k);
  if (correctable()?.k !== k) return; // the drawing changed meanwhile
  if (result.ok) view.offerCorrection(false, keptText(k));
  else view.offerCorrection(true, `Not kept: ${result.message}.`);
}

// Marked unavailable rather than disabled: a disabled button drops the keyboard's focus to the
// page, so a visitor who undid the last stroke would have to find Undo again.
function updateButtons() {
  undoButton.setAttribute("aria-disabled", String(!pad.canUndo));
  clearButton.setAttribute("aria-disabled", String(pad.isEmpty));
}

function undo() {
  if (pad.undo()) {
    corrected.clear();
    client.undone();
    updateButtons();
    remember();
  }
}

// forget: for the kiosk's next visitor, the drawing cannot be brought back with Undo.
function clear({ forget = false } = {}) {
  if (pad.clear({ forget })) {
    client.cleared();
    updateButtons();
    remember();
  }
}

function remember() {
  if (!isKiosk) keep(pad);
}

// "How it sees": its module loads on the first opening, then every answer comes from /api/explain.
async function toggleExplain() {
  const open = explainPanel.hidden;
  explainButton.setAttribute("aria-expanded", String(open));
  explainPanel.hidden = !open;
  if (!open) {
    client.refresh(postStrokes);
    return;
  }
  const [view, requests] = await Promise.all([
    import("./explain-view.js"),
    import("./explain-client.js"),
  ]);
  if (!explainView) explainView = new view.ExplainView(explainPanel);
  client.refresh(requests.postExplain);
  bringIntoView(explainPanel);
}

// Opened below the fold (or on a phone, far below the pad): the page scrolls just enough for the
// panel's first part to fill the lower part of the screen, and keeps what it can of the pad.
function bringIntoView(panel) {
  const box = panel.getBoundingClientRect();
  const wanted = Math.min(box.height, window.innerHeight * 0.6);
  const by = Math.min(box.top, box.top + wanted - window.innerHeight);
  if (by <= 0) return;
  const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  window.scrollBy({ top: by, behavior: still ? "auto" : "smooth" });
}

undoButton.addEventListener("click", undo);
explainButton.addEventListener("click", toggleExplain);
clearButton.addEventListener("click", () => clear());
document.addEventListener("keydown", (e) => {
  if (e.key === "Escape") {
    e.preventDefault();
    clear();
  } else if ((e.ctrlKey || e.metaKey) && !e.shiftKey && e.key.toLowerCase() === "z") {
    e.preventDefault();
    undo();
  } else if (/^[0-9]$/.test(e.key) && !e.ctrlKey && !e.metaKey && !e.altKey) {
    correct(Number(e.key));
  }
});

// A drawing kept over a reload comes back and is read again; a kiosk starts afresh for each
// visitor.
const restored = isKiosk ? null : kept(pad.canvas.clientWidth, pad.canvas.clientHeight);
view.showEmpty();
if (restored) {
  pad.load(restored);
  client.refresh();
}
updateButtons();
fetch("/api/model")
  .then((r) => r.json())
  .then((info) => {
    modelSha = (info.weights && info.weights.sha256) || null;
    view.showModel(info);
    offerCorrection();
  })
  .catch(() => {});

// Offline after the first load: the service worker keeps the page, scripts and styles.
if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});
// Back online: ask again for the drawing that was kept.
window.addEventListener("online", () => client.online());

// Kiosk mode: its module and demo digits load only when asked for.
if (isKiosk) {
  Promise.all([
    import("./kiosk.js"),
    fetch("/static/kiosk/demo-digits.json").then((r) => r.json()),
  ]).then(([module, demo]) => {
    kiosk = new module.Kiosk({
      pad,
      clear: () => clear({ forget: true }),
      demo,
      settings: module.kioskSettings(location.search),
    });
    kiosk.start();
  });
}

// Tests and the latency benchmark ask for a read-only view of the state with ?testhook.
if (new URLSearchParams(location.search).has("testhook")) {
  import("./test-hook.js").then((hook) => hook.install(pad, client));
}
