// The result: the digit (or number) read, how sure the network is of each digit, and the 28x28
// image it saw.
import { NumberView, numberStatus, numberText, whichDigit } from "./number-view.js";

export class ResultView {
  // onPick(k): the k-th digit of a number was picked, to see its bars and 28x28; onCorrect(d): the
  // visitor tapped digit d's bar to say it is the right digit; onOpenCorrect(): they asked for the
  // sheet of big buttons; onForget(): "Forget my handwriting".
  constructor(
    doc = document,
    { onPick = () => {}, onCorrect = () => {}, onOpenCorrect = () => {}, onForget = () => {} } = {},
  ) {
    this.numberView = new NumberView(doc.getElementById("number-digits"), onPick);
    this.prediction = doc.getElementById("prediction");
    this.status = doc.getElementById("status");
    this.announce = doc.getElementById("announce");
    this.preview = doc.getElementById("model-input").getContext("2d");
    this.modelInfo = doc.getElementById("model-info");
    this.correctHint = doc.getElementById("correct-hint");
    this.onOpenCorrect = onOpenCorrect;
    this.personal = doc.getElementById("personal");
    this.personalCount = doc.getElementById("personal-count");
    doc.getElementById("forget").addEventListener("click", onForget);
    this.which = [...doc.querySelectorAll(".which-digit")]; // beside the bars' and 28x28's headings
    this.bars = [];
    const list = (this.probs = doc.getElementById("probs"));
    for (let d = 0; d < 10; d++) {
      const li = doc.createElement("li");
      li.dataset.digit = String(d);
      // The digit is a button: tapped (or its key pressed), it tells the network the right answer.
      li.innerHTML =
        '<button type="button" class="digit" tabindex="-1" aria-disabled="true"></button>' +
        '<span class="track"><span class="fill"></span></span><span class="pct"></span>';
      const button = li.querySelector(".digit");
      button.textContent = String(d);
      button.setAttribute("aria-label", `${d}: tap if it is a ${d}`);
      button.addEventListener("click", () => onCorrect(d));
      list.appendChild(li);
      this.bars.push(li);
    }
    // How likely it is that the drawing is no digit at all: the bar that explains a "not a digit"
    // answer.
    const none = (this.noneBar = doc.createElement("li"));
    none.className = "none";
    none.hidden = true; // shown with a "not a digit" answer: a row more would not fit every screen
    none.innerHTML =
      '<span class="digit">no digit</span>' +
      '<span class="track"><span class="fill"></span></span><span class="pct"></span>';
    list.appendChild(none);
  }

  // text: what the empty state says (the kiosk's demo says it is writing).
  showEmpty(text = "Draw a digit to start.") {
    this.prediction.textContent = "";
    this.prediction.dataset.digit = this.prediction.dataset.number = "";
    this.prediction.classList.remove("unsure", "not-digit", "number", "writing");
    this.numberView.hide();
    this.showWhich("");
    this.probs.classList.remove("greyed");
    this.status.textContent = text;
    this.announce.textContent = "";
    for (const li of [...this.bars, this.noneBar]) {
      li.classList.remove("top", "unsure");
      li.querySelector(".fill").style.width = "0";
      li.querySelector(".pct").textContent = "";
    }
    this.preview.clearRect(0, 0, this.preview.canvas.width, this.preview.canvas.height);
  }

  // penDown: still drawing, so the answer is a guess so far (shown muted, its words say so) and is
  // not announced to screen readers yet; and a half-drawn digit may look like no digit at all, so
  // "not a digit" waits for the pen to lift (no flicker on every point). writing: the kiosk's demo
  // is still writing the digit, so its answer so far is shown as in progress, never as sure.
  show(answer, penDown, picked = null, writing = false) {
    if (answer.verdict === "empty") {
      this.showEmpty();
      return;
    }
    this.prediction.classList.toggle("writing", writing || penDown);
    if (answer.digits && answer.digits.length > 1) {
      this.showNumber(answer, penDown, picked);
      if (writing) this.status.textContent = `Still writing: so far ${numberText(answer)}`;
      else if (penDown) this.status.textContent = `So far: ${this.status.textContent}`;
      return;
    }
    if (answer.verdict === "not_a_digit") {
      if (!penDown) this.showNotADigit(answer);
      return;
    }
    this.numberView.hide();
    this.showWhich("");
    this.prediction.classList.remove("not-digit", "number");
    this.prediction.dataset.number = answer.number || "";
    this.probs.classList.remove("greyed");
    // The server decides "unsure" from the model's calibration; the page only shows it.
    const unsure = answer.verdict === "unsure";
    this.prediction.textContent = String(answer.digit);
    this.prediction.dataset.digit = String(answer.digit);
    this.prediction.classList.toggle("unsure", unsure);
    const pct = Math.round(answer.confidence * 100);
    this.status.textContent = unsure
      ? `Not sure: ${answer.candidates[0]} or ${answer.candidates[1]}?`
      : `Looks like ${answer.digit} (${pct}% sure)`;
    if (penDown && !writing) {
      this.status.textContent = unsure
        ? `So far: ${answer.candidates[0]} or ${answer.candidates[1]}?`
        : `So far it looks like ${answer.digit} (${pct}% sure)`;
    }
    if (writing) this.status.textContent = `Still writing: so far it looks like ${answer.digit}`;
    else if (answer.personal && answer.personal.decided) {
      const stop = /[.?]$/.test(this.status.textContent) ? "" : ".";
      this.status.textContent += `${stop}${yours(answer)}`;
    }
    if (!penDown) this.announce.textContent = this.status.textContent;
    this.drawBars(answer, answer.digit, unsure);
    this.drawInput(answer);
  }

  // Several digits: the number large, a button per digit; the bars and 28x28 are the picked digit's
  // (the last one written unless another was picked). A part that is no digit waits for the pen to
  // lift.
  showNumber(answer, penDown, picked) {
    const digits = answer.digits;
    const rejected = digits.some((d) => d.verdict === "not_a_digit");
    if (rejected && penDown) return;
    const k = picked !== null && picked < digits.length ? picked : digits.length - 1;
    const one = digits[k];
    this.prediction.textContent = numberText(answer);
    // The number's size shrinks with its length to fit the column (style.css, .prediction.number).
    this.prediction.style.setProperty("--chars", String(answer.digits.length));
    this.prediction.dataset.digit = "";
    this.prediction.dataset.number = answer.number || "";
    this.prediction.classList.add("number");
    this.prediction.classList.toggle("unsure", answer.verdict === "unsure");
    this.prediction.classList.toggle("not-digit", rejected);
    this.status.textContent = numberStatus(answer) + yoursInNumber(answer);
    if (!penDown) this.announce.textContent = this.status.textContent;
    this.probs.classList.toggle("greyed", one.verdict === "not_a_digit");
    this.drawBars(one, one.digit, one.verdict === "unsure");
    // Predict gives each digit its 28x28; explain gives only the explained digit's, as its input
    // layer.
    if (one.input) this.drawInput(one);
    else if (answer.explained === k) this.drawInput(answer);
    this.numberView.show(answer, k);
    this.showWhich(whichDigit(answer, k));
  }

  showWhich(text) {
    for (const span of this.which) span.textContent = text;
  }

  showNotADigit(answer) {
    this.numberView.hide();
    this.showWhich("");
    this.prediction.textContent = "?";
    this.prediction.dataset.digit = this.prediction.dataset.number = "";
    this.prediction.classList.remove("unsure", "number");
    this.prediction.classList.add("not-digit");
    // How sure, in words too: on an upright phone the "no digit" bar may sit below the fold.
    const none = answer.not_a_digit_probability;
    const sure = none == null ? "" : ` (${Math.round(none * 100)}% sure)`;
    this.status.textContent = this.announce.textContent =
      `That doesn't look like a digit${sure}.` + yours(answer);
    this.probs.classList.add("greyed");
    this.drawBars(answer, null, false);
    this.drawInput(answer);
  }

  // top: the digit answered (null: none; "not a digit" answers light the "no digit" bar).
  drawBars(answer, top, unsure) {
    answer.probabilities.forEach((p, d) => {
      const li = this.bars[d];
      li.classList.toggle("top", d === top);
      li.classList.toggle("unsure", d === top && unsure);
      fillBar(li, p);
    });
    const rejected = answer.verdict === "not_a_digit";
    this.noneBar.hidden = !rejected;
    if (!rejected) return;
    this.noneBar.classList.add("top");
    fillBar(this.noneBar, answer.not_a_digit_probability);
  }

  // Whether the bars' digits take a correction now, and what the line above them says: with a
  // button that opens the big buttons (a finger's size), to correct or to change a correction.
  offerCorrection(on, text = on ? wrongText() : "") {
    for (const li of this.bars)
      li.querySelector(".digit").setAttribute("aria-disabled", String(!on));
    this.correctHint.textContent = text;
    if (!on) return;
    const button = this.correctHint.ownerDocument.createElement("button");
    button.type = "button";
    button.className = "correct-open";
    button.textContent = text.startsWith("Thank you") ? "Change" : "say what it is";
    button.addEventListener("click", () => this.onOpenCorrect());
    this.correctHint.append(" ", button);
  }

  // The label the visitor gave this digit, marked in the bars (null: none).
  markChosen(label) {
    this.bars.forEach((li, d) => {
      li.classList.toggle("chosen", d === label);
      li.querySelector(".digit").setAttribute("aria-pressed", String(d === label));
    });
    this.noneBar.classList.toggle("chosen", label === "not_a_digit");
  }

  // How many of the writer's corrections it reads with; "Forget my handwriting" beside it.
  showPersonal(count) {
    this.personal.hidden = count === 0;
    this.personalCount.textContent =
      count === 1
        ? "It knows 1 correction of yours and reads your writing with it."
        : `It knows ${count} corrections of yours and reads your writing with them.`;
  }

  showError(message) {
    this.status.textContent = "Cannot reach the recogniser right now: " + message;
  }

  // The answer's input, ink bright, as the network received it: predict's rows of numbers, or
  // explain's input layer (base64 bytes with their shape).
  drawInput(answer) {
    const pixels = inputOf(answer);
    if (!pixels) return;
    this.preview.canvas.width = pixels.cols;
    this.preview.canvas.height = pixels.rows;
    const img = this.preview.createImageData(pixels.cols, pixels.rows);
    for (let i = 0; i < pixels.rows * pixels.cols; i++) {
      const v = pixels.values[i];
      img.data.set([v, v, v, 255], i * 4);
    }
    this.preview.putImageData(img, 0, 0);
  }

  // One line in the footer: what the network is and how good it is.
  showModel(info) {
    const m = info.metrics || {};
    if (!m.test_accuracy) return;
    const hidden = info.architecture.hidden;
    const same = hidden.every((n) => n === hidden[0]);
    const layers = same
      ? `${hidden.length} layers of ${hidden[0].toLocaleString("en")} parts each`
      : `${hidden.length} layers of ${hidden.map((n) => n.toLocaleString("en")).join(", ")} parts`;
    this.modelInfo.textContent =
      `The network: ${layers}. It reads ${(m.test_accuracy * 100).toFixed(1)}% of ` +
      "10,000 test digits right. More under “About the network”.";
  }
}

// A finger cannot aim at a bar's digit: on touch screens the words point to the big buttons only.
function wrongText() {
  return matchMedia("(pointer: coarse)").matches
    ? "Wrong?"
    : "Wrong? Tap the right digit (or press its key), or";
}

// Where the writer's own examples decided the answer, the status says so.
function yours(answer) {
  const leaning = answer.personal;
  if (!leaning || !leaning.decided) return "";
  const what = answer.verdict === "not_a_digit" ? "“not a digit”" : answer.digit;
  return ` Read as your ${what}.`;
}

function yoursInNumber(answer) {
  const decided = answer.digits
    .map((d, k) =>
      d.personal && d.personal.decided
        ? `digit ${k + 1} as your ${d.digit ?? "“not a digit”"}`
        : null,
    )
    .filter(Boolean);
  return decided.length ? ` Read ${decided.join(", ")}.` : "";
}

function fillBar(li, p) {
  li.querySelector(".fill").style.width = (p * 100).toFixed(1) + "%";
  li.querySelector(".pct").textContent = (p * 100).toFixed(p < 0.1 ? 1 : 0) + "%";
}

// {rows, cols, values (flat, row by row)} of an answer's input, or null where it has none.
function inputOf(answer) {
  if (answer.input) {
    return { rows: answer.input.length, cols: answer.input[0].length, values: answer.input.flat() };
  }
  const layer = answer.layers && answer.layers[0];
  if (!layer) return null;
  const raw = atob(layer.values);
  const values = Uint8Array.from(raw, (c) => c.charCodeAt(0));
  return { rows: layer.shape[0], cols: layer.shape[1], values };
}
