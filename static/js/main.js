// The draw-a-digit page: wires the pad, the prediction requests and the result view together.
import { CorrectSheet } from "./correct-sheet.js";
import { keep, kept } from "./keep.js";
import { Pad } from "./pad.js";
import { PersonalExamples } from "./personal.js";
import { PredictClient, postStrokes } from "./predict-client.js";
import { ResultView } from "./result-view.js";

let picked = null; // the digit of a number whose bars are shown (null: the last one written)
let lastAnswer = null;
let modelSha = null; // the SHA-256 of the weights that answer (/api/model), sent with a correction
// digit index -> { label, example } kept for the drawing as it is now
const corrected = new Map();
const isKiosk = new URLSearchParams(location.search).has("kiosk");
// The kiosk keeps a visitor's corrections as their examples until its idle reset, and sends them
// to the corrections store only where its operator asked (/?kiosk&corrections).
const storesCorrections = !isKiosk || new URLSearchParams(location.search).has("corrections");
const personal = new PersonalExamples(isKiosk ? null : safeStorage());
const resultView = new ResultView(document, {
  onPick: pick,
  onCorrect: correct,
  onOpenCorrect: () => sheet.open(correctedLabel()),
  onForget: forget,
});
const sheet = new CorrectSheet(document, correct);
const undoButton = document.getElementById("undo");
const clearButton = document.getElementById("clear");
const explainButton = document.getElementById("explain-toggle");
const explainPanel = document.getElementById("explain");
let client = null;
let explainView = null; // loaded the first time "how it sees" is opened
let kiosk = null; // only with /?kiosk

const pad = new Pad(document.getElementById("pad"), {
  onEdit: () => {
    corrected.clear();
    sheet.close();
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
  snapshot: () => ({ ...pad.snapshot(), digit: picked, personal: personal.request() }),
  view: {
    show: (answer, asked) => {
      lastAnswer = answer;
      if (picked !== null && (!answer.digits || picked >= answer.digits.length)) picked = null;
      // The kiosk's demo between two strokes of a digit is still writing it.
      const writing = Boolean(kiosk && kiosk.replaying);
      // Asked while the pen was down: the answer is a guess so far, even if the pen lifted since.
      resultView.show(
        answer,
        pad.penDown || Boolean(asked && asked.penDown) || writing,
        picked,
        writing,
      );
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
      resultView.showEmpty(kiosk && kiosk.inDemo ? "The demo is writing a digit." : undefined);
      resultView.offerCorrection(false);
      if (kiosk) kiosk.offerCorrection(false);
      sheet.close();
      pad.setBoxes([]);
      if (explainView) explainView.clear();
    },
    showError: (message, code) => {
      // The server now answers with other weights than the examples were made by: they mean
      // nothing to it. Forgotten, and the drawing read again.
      if (code === "personal_other_model") {
        personal.forget();
        loadModel();
        return;
      }
      resultView.showError(message);
    },
  },
});

// A digit of the number was picked: its bars and 28x28 now, and "how it sees" explains it.
function pick(k) {
  picked = k;
  if (lastAnswer) {
    resultView.show(lastAnswer, pad.penDown, picked);
    pad.setBoxes(
      lastAnswer.digits.map((d) => d.box),
      picked,
    );
  }
  if (explainView && !explainPanel.hidden) client.refresh();
  offerCorrection();
}

// The answer on screen is for the drawing as it is, with the pen up: its digit (the picked one of
// a number) may be corrected, and corrected again if the first tap was a slip.
function correctable() {
  const digits = (lastAnswer && lastAnswer.digits) || [];
  if (pad.penDown || !modelSha || digits.length === 0) return null;
  if (client.shownVersion !== client.version) return null;
  const k = picked === null ? digits.length - 1 : picked;
  return { k, digit: digits[k] };
}

function correctedLabel() {
  const target = correctable();
  return target && corrected.has(target.k) ? corrected.get(target.k).label : null;
}

function offerCorrection() {
  const target = correctable();
  if (kiosk) kiosk.offerCorrection(Boolean(target) && !kiosk.inDemo);
  if (!target) resultView.offerCorrection(false);
  else if (corrected.has(target.k)) resultView.offerCorrection(true, keptText(target.k));
  else resultView.offerCorrection(true);
  resultView.markChosen(correctedLabel());
  resultView.showPersonal(personal.count);
}

function keptText(k) {
  const { label } = corrected.get(k);
  const what = label === "not_a_digit" ? "not a digit" : `${label === 8 ? "an" : "a"} ${label}`;
  const count = lastAnswer.digits.length;
  const said = count > 1 ? `digit ${k + 1} of ${count} is ${what}` : `kept as ${what}`;
  return `Thank you: ${said}.`;
}

// The visitor says the digit shown is `label` (0-9, or "not_a_digit"): it becomes one of their
// examples and the drawing is read again with it at once; its strokes go to the server's
// corrections for review.
async function correct(label) {
  const target = correctable();
  if (!target) return;
  const { k, digit } = target;
  const before = corrected.get(k);
  if (before && before.label === label) return;
  if (before && before.example) personal.remove(before.example);
  const example = digit.feature ? personal.add(label, digit.feature, digit.input) : null;
  corrected.set(k, { label, example });
  client.refresh();
  offerCorrection();
  if (!storesCorrections) return;
  const all = pad.snapshot().strokes;
  const strokes = digit.strokes ? digit.strokes.map((i) => all[i]) : all;
  const without = digit.personal ? digit.personal.without : digit;
  const predicted = without.verdict === "not_a_digit" ? null : without.digit;
  const { sendCorrection } = await import("./corrections.js");
  const result = await sendCorrection({ strokes, label, predicted, model: modelSha });
  if (!result.ok && correctable()?.k === k)
    resultView.offerCorrection(true, `Not sent: ${result.message}.`);
}

// "Forget my handwriting": every example goes, and the drawing is read as anyone's.
function forget() {
  personal.forget();
  corrected.clear();
  resultView.showPersonal(0);
  client.refresh();
}

function safeStorage() {
  try {
    return window.localStorage;
  } catch {
    return null; // refused (private mode, a sandboxed frame): examples last as long as the page
  }
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

// forget: for the kiosk's next visitor, the drawing cannot be brought back with Undo, and the
// examples their corrections made are gone.
function clear({ forget = false } = {}) {
  if (forget && personal.count) {
    personal.forget();
    resultView.showPersonal(0);
  }
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
  const [explainModule, requests] = await Promise.all([
    import("./explain-view.js"),
    import("./explain-client.js"),
  ]);
  if (!explainView) explainView = new explainModule.ExplainView(explainPanel, { personal });
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
  if (e.key === "Escape" && sheet.isOpen) {
    e.preventDefault();
    sheet.close();
  } else if (e.key === "Escape") {
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
resultView.showEmpty();
if (restored) {
  pad.load(restored);
  client.refresh();
}
updateButtons();
// The weights answering: corrections name them, and the examples are theirs. A drawing already
// read is read again with the examples (and each digit's feature, to keep a correction).
function loadModel() {
  fetch("/api/model")
    .then((r) => r.json())
    .then((info) => {
      modelSha = (info.weights && info.weights.sha256) || null;
      if (modelSha) personal.useModel(modelSha);
      resultView.showModel(info);
      if (!pad.isEmpty) client.refresh();
      offerCorrection();
    })
    .catch(() => {});
}
loadModel();

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
      correct: () => sheet.open(correctedLabel()),
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
