// "How it sees": the 28x28 input (as pixels and as numbers), which pixels mattered, every hidden
// layer's activations, the outputs, and what one first-layer unit looks for. Loaded only when
// opened.
import {
  cellAt,
  decodeBytes,
  paintGrey,
  paintNumbers,
  paintSigned,
  paintTiles,
} from "./explain-draw.js";
import { fetchUnitTemplate } from "./explain-client.js";

const TEMPLATE = `
  <h2>How it sees your drawing</h2>
  <ol class="stages">
    <li>
      <h3>1. Your drawing as numbers</h3>
      <canvas class="pixels" width="28" height="28" tabindex="0" role="img"></canvas>
      <canvas class="numbers" hidden role="img"></canvas>
      <p class="note pixel-count"></p>
      <p class="readout note" aria-live="polite">Point at a pixel to see its number.</p>
      <button type="button" class="show-numbers" aria-pressed="false">Show all the numbers</button>
    </li>
    <li>
      <h3>2. Which pixels mattered</h3>
      <canvas class="saliency" width="28" height="28" role="img"></canvas>
      <p class="note saliency-caption"></p>
    </li>
    <li class="layers"><h3>3. Inside the network</h3>
      <div class="unit" hidden>
        <h3 class="unit-title"></h3>
        <div class="unit-maps">
          <figure><canvas class="template" width="28" height="28" role="img"
                  aria-label="What this unit looks for"></canvas>
            <figcaption>What it looks for: blue, ink here makes it fire; orange, ink here
              holds it back.</figcaption></figure>
          <figure><canvas class="pushes" width="28" height="28" role="img"
                  aria-label="How your drawing pushed this unit"></canvas>
            <figcaption>Your drawing: blue pixels pushed it up, orange pulled it
              down.</figcaption></figure>
        </div>
      </div>
    </li>
    <li>
      <h3>4. The answer</h3>
      <p class="note outputs"></p>
    </li>
  </ol>`;

const TAP_A_SQUARE =
  "Tap a square (or use the arrow keys and Enter) to see what that unit looks for.";

export class ExplainView {
  constructor(root, { fetchUnit = fetchUnitTemplate } = {}) {
    this.root = root;
    this.fetchUnit = fetchUnit;
    root.innerHTML = TEMPLATE;
    this.$ = (sel) => root.querySelector(sel);
    this.answer = null;
    this.cursor = 0; // the pixel read out by keyboard
    this.selected = -1; // the first-layer unit shown
    this.layerCanvases = [];
    this.bindPixels();
    this.$(".show-numbers").addEventListener("click", () => this.toggleNumbers());
  }

  show(answer) {
    this.answer = answer;
    if (!answer.layers || answer.layers.length === 0) {
      this.clear();
      return;
    }
    const first = answer.layers[0];
    this.input = decodeBytes(first.values);
    this.shape = first.shape;
    this.describeInput(first);
    paintGrey(this.$(".pixels"), this.input, ...this.shape);
    if (!this.$(".numbers").hidden) paintNumbers(this.$(".numbers"), this.input, ...this.shape);
    const saliency = decodeBytes(answer.saliency.values, true);
    paintSigned(this.$(".saliency"), saliency, ...answer.saliency.shape, this.input);
    const target = answer.target;
    this.$(".saliency-caption").textContent =
      `Your drawing (grey) with colour on top: blue pixels pushed the network toward ${target}, ` +
      `orange pixels pushed against ${target}. ` +
      "(Measured by gradient × input: how much each pixel's ink changed the score " +
      "for that digit.)";
    this.$(".saliency").setAttribute(
      "aria-label",
      `Which pixels pushed toward ${target} and which against it`,
    );
    this.showLayers(answer);
    this.$(".outputs").textContent = describeOutputs(answer);
    if (this.selected >= 0) this.showUnit(this.selected);
  }

  // The input's size in words, from the shape the server sends (the page knows no model's size).
  describeInput(layer) {
    const [rows, cols] = layer.shape;
    const count = layer.size.toLocaleString("en");
    this.$(".pixels").setAttribute(
      "aria-label",
      `The ${rows} by ${cols} input. ` +
        "Move over it, or use the arrow keys, to read a pixel's number.",
    );
    this.$(".numbers").setAttribute("aria-label", `All ${count} pixel numbers`);
    this.$(".pixel-count").textContent =
      `The network gets ${count} numbers, one per pixel: 0 is blank paper, 255 is full ink.`;
  }

  clear() {
    this.answer = null;
    for (const sel of [".pixels", ".saliency"]) {
      const canvas = this.$(sel);
      canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
    }
    this.$(".outputs").textContent = "Draw a digit to see how the network reads it.";
    this.$(".saliency-caption").textContent = "";
    for (const { canvas } of this.layerCanvases)
      canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
  }

  showLayers(answer) {
    const hidden = answer.layers.slice(1);
    if (this.layerCanvases.length !== hidden.length) this.buildLayers(hidden);
    hidden.forEach((layer, k) => {
      const [rows, cols] = layer.shape;
      const marked = new Set(answer.top_units.filter((u) => u.layer === k + 1).map((u) => u.unit));
      const entry = this.layerCanvases[k];
      entry.bytes = decodeBytes(layer.values);
      entry.marked = marked;
      paintTiles(entry.canvas, entry.bytes, rows, cols, marked, k === 0 ? this.selected : -1);
    });
  }

  buildLayers(hidden) {
    const holder = this.$(".layers");
    holder.querySelectorAll(".layer").forEach((f) => f.remove());
    this.layerCanvases = hidden.map((layer, k) => {
      const figure = document.createElement("figure");
      figure.className = "layer";
      const first = k === 0;
      figure.innerHTML = `<canvas class="tiles" role="img"${first ? ' tabindex="0"' : ""}></canvas>
        <figcaption>Layer ${k + 1}: ${layer.size.toLocaleString("en")} units. Each square is
        one unit; the brighter, the more it fired for your drawing. Ringed in blue: the units
        that mattered most. ${first ? TAP_A_SQUARE : ""}
        </figcaption>`;
      holder.insertBefore(figure, this.$(".unit"));
      const canvas = figure.querySelector("canvas");
      canvas.setAttribute(
        "aria-label",
        `Layer ${k + 1}: how strongly each of its ${layer.size} units fired` +
          (first ? ". Arrow keys choose a unit, Enter shows what it looks for." : ""),
      );
      if (first) this.bindUnits(canvas, layer.shape);
      return { canvas, shape: layer.shape, bytes: null, marked: new Set() };
    });
  }

  bindUnits(canvas, [rows, cols]) {
    canvas.addEventListener("click", (e) => {
      const unit = cellAt(canvas, e, rows, cols);
      if (unit >= 0) this.showUnit(unit);
    });
    canvas.addEventListener("keydown", (e) => {
      const step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -cols, ArrowDown: cols }[e.key];
      const current = Math.max(this.selected, 0);
      if (step !== undefined) {
        e.preventDefault();
        this.showUnit(Math.min(rows * cols - 1, Math.max(0, current + step)));
      } else if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        this.showUnit(current);
      }
    });
  }

  async showUnit(unit) {
    this.selected = unit;
    const entry = this.layerCanvases[0];
    if (entry && entry.bytes)
      paintTiles(entry.canvas, entry.bytes, ...entry.shape, entry.marked, unit);
    const body = await this.fetchUnit(unit);
    if (this.selected !== unit) return; // another unit was chosen meanwhile
    const template = decodeBytes(body.template, true);
    paintSigned(this.$(".template"), template, ...body.shape);
    const pushes = new Int8Array(template.length);
    if (this.input) {
      let top = 0;
      const raw = Array.from(template, (w, i) => w * this.input[i]);
      for (const v of raw) top = Math.max(top, Math.abs(v));
      raw.forEach((v, i) => {
        pushes[i] = top ? Math.round((v / top) * 127) : 0;
      });
    }
    paintSigned(this.$(".pushes"), pushes, ...body.shape, this.input);
    const fired = entry && entry.bytes ? entry.bytes[unit] : 0;
    const strength = Math.round((fired / 255) * 100);
    const how = fired > 0 ? `fired at ${strength}% of the layer's strongest` : "did not fire";
    this.$(".unit-title").textContent = `Unit ${unit + 1} of layer 1 ${how} for your drawing`;
    this.$(".unit").hidden = false;
  }

  bindPixels() {
    const canvas = this.$(".pixels");
    const read = (i) => {
      if (i < 0 || !this.input) return;
      const cols = this.shape[1];
      this.cursor = i;
      this.$(".readout").textContent =
        `Row ${Math.floor(i / cols) + 1}, column ${(i % cols) + 1}: ${this.input[i]} of 255`;
    };
    const cell = (e) => (this.shape ? cellAt(canvas, e, ...this.shape) : -1);
    canvas.addEventListener("pointermove", (e) => read(cell(e)));
    canvas.addEventListener("pointerdown", (e) => read(cell(e)));
    canvas.addEventListener("keydown", (e) => {
      if (!this.shape) return;
      const cols = this.shape[1];
      const step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -cols, ArrowDown: cols }[e.key];
      if (step === undefined) return;
      e.preventDefault();
      read(Math.min(this.input.length - 1, Math.max(0, this.cursor + step)));
    });
  }

  toggleNumbers() {
    const numbers = this.$(".numbers");
    const button = this.$(".show-numbers");
    numbers.hidden = !numbers.hidden;
    button.setAttribute("aria-pressed", String(!numbers.hidden));
    button.textContent = numbers.hidden ? "Show all the numbers" : "Hide the numbers";
    if (!numbers.hidden && this.input) paintNumbers(numbers, this.input, ...this.shape);
  }
}

function describeOutputs(answer) {
  const ranked = answer.probabilities.map((p, d) => [p, d]).sort((a, b) => b[0] - a[0]);
  const top = ranked
    .slice(0, 3)
    .map(([p, d]) => `${d}: ${Math.round(p * 100)}%`)
    .join(", ");
  const none = answer.not_a_digit_probability;
  return (
    `The last layer gives each digit a score, turned into chances: ${top}` +
    (none === null || none === undefined ? "." : `, and "not a digit": ${Math.round(none * 100)}%.`)
  );
}
