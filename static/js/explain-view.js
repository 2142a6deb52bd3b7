// "How it sees": the 28x28 input (as pixels and as numbers), which pixels mattered, every hidden
// layer's activations, the outputs, and what one first-layer unit looks for, in plain words with
// the technical ones behind "for the curious". Loaded only when opened. The first layer's units
// are 8 pixels wide: a tap chooses one and shows a zoomed grid around it, whose squares a finger
// can aim at, with the chosen unit's pattern beside it.
import {
  cellAt,
  decodeBytes,
  paintGrey,
  paintNumbers,
  paintSigned,
  paintTiles,
  paintZoom,
} from "./explain-draw.js";
import { fetchUnitTemplate } from "./explain-client.js";
import { unpackInput } from "./personal.js";

const TEMPLATE = `
  <h2>How it sees your drawing</h2>
  <ol class="stages">
    <li>
      <h3>1. Your drawing as numbers</h3>
      <canvas class="pixels" width="28" height="28" tabindex="0" role="img"></canvas>
      <p class="note pixel-count"></p>
      <p class="readout note" aria-live="polite">Point at a pixel, or tap it, to see its number.</p>
      <button type="button" class="show-numbers" aria-pressed="false">Show all the numbers</button>
      <div class="numbers-scroll" hidden tabindex="0" role="region" aria-label="All the numbers">
        <canvas class="numbers" role="img"></canvas>
      </div>
      <p class="note numbers-hint" hidden>Slide the numbers sideways to see every column.</p>
    </li>
    <li>
      <h3>2. Which pixels pushed toward the answer</h3>
      <canvas class="saliency" width="28" height="28" role="img"></canvas>
      <p class="note saliency-caption"></p>
    </li>
    <li class="layers">
      <h3>3. Inside the network: which parts lit up</h3>
      <p class="note layers-intro"></p>
      <div class="first-layer">
        <figure class="zoom-figure">
          <canvas class="zoom" role="img"
                  aria-label="A closer look at part of layer 1: tap a square to choose it"></canvas>
          <figcaption>Closer up: tap a square to see what that part looks for.</figcaption>
        </figure>
        <div class="unit" hidden>
          <h4 class="unit-title"></h4>
          <div class="unit-maps">
            <figure><canvas class="template" width="28" height="28" role="img"
                    aria-label="What this part looks for"></canvas>
              <figcaption>What it looks for: blue, ink here lights it up; orange, ink here
                holds it back.</figcaption></figure>
            <figure><canvas class="pushes" width="28" height="28" role="img"
                    aria-label="How your drawing lit up this part"></canvas>
              <figcaption>Your drawing: blue pixels lit it up, orange ones held it
                back.</figcaption></figure>
          </div>
        </div>
      </div>
      <details class="curious">
        <summary>For the curious: the technical words</summary>
        <p>Each part is a <em>unit</em> (an artificial neuron) of a <em>fully connected</em>
          layer: it multiplies every number of the layer before it by a weight of its own, adds
          them up, and passes the sum on if it is positive (a <em>ReLU</em>). A square's brightness
          is that output, scaled to the brightest in its layer. "What it looks for" shows a
          first-layer unit's 784 weights, one per pixel. "Which pixels pushed toward the answer"
          is <em>gradient &times; input</em>: how much each pixel's ink changed the score of that
          digit. The last layer's scores become chances through a <em>softmax</em>,
          <em>calibrated</em> on digits it never trained on, so that "90% sure" is right about 9
          times in 10.</p>
      </details>
    </li>
    <li>
      <h3>4. The answer</h3>
      <p class="note outputs"></p>
      <div class="yours" hidden>
        <p class="note yours-intro"></p>
        <ul class="yours-list"></ul>
      </div>
    </li>
  </ol>`;

const TAP_A_SQUARE = "Tap it (or use the arrow keys) to look closer at one part.";
const ZOOM = 6; // the zoomed grid shows 6 x 6 units: squares of 44 CSS pixels or more

export class ExplainView {
  // personal: the writer's examples (personal.js), to show the ones that weighed in.
  constructor(root, { fetchUnit = fetchUnitTemplate, personal = null } = {}) {
    this.root = root;
    this.personal = personal;
    this.fetchUnit = fetchUnit;
    root.innerHTML = TEMPLATE;
    this.$ = (sel) => root.querySelector(sel);
    this.answer = null;
    this.cursor = 0; // the pixel read out by keyboard
    this.selected = -1; // the first-layer unit shown
    this.view = null; // the square of first-layer units the zoomed grid shows
    this.layerCanvases = [];
    this.bindPixels();
    this.$(".show-numbers").addEventListener("click", () => this.toggleNumbers());
    this.bindZoom();
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
    if (!this.$(".numbers-scroll").hidden) this.paintAllNumbers();
    const saliency = decodeBytes(answer.saliency.values, true);
    paintSigned(this.$(".saliency"), saliency, ...answer.saliency.shape, this.input);
    const target = answer.target;
    this.$(".saliency-caption").textContent =
      `Your drawing in grey. Blue: ink there pushed the network toward ${target}. ` +
      `Orange: ink there pushed it away from ${target}.`;
    this.$(".saliency").setAttribute(
      "aria-label",
      `Which pixels pushed toward ${target} and which against it`,
    );
    this.showLayers(answer);
    this.$(".outputs").textContent = describeOutputs(answer);
    showYours(this, answer);
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
    this.$(".readout").textContent = "Point at a pixel, or tap it, to see its number.";
  }

  clear() {
    this.answer = null;
    for (const sel of [".pixels", ".saliency", ".zoom"]) {
      const canvas = this.$(sel);
      canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
    }
    this.$(".outputs").textContent = "Draw a digit to see how the network reads it.";
    this.$(".yours").hidden = true;
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
      if (k > 0) paintTiles(entry.canvas, entry.bytes, rows, cols, marked);
    });
    // The zoomed grid starts around the first layer's unit that mattered most.
    const first = answer.top_units.find((u) => u.layer === 1);
    if (!this.view) this.zoomTo(this.selected >= 0 ? this.selected : first ? first.unit : 0);
    this.paintFirstLayer();
  }

  // The first layer's grid with the zoomed square outlined, and the zoomed grid itself.
  paintFirstLayer() {
    const entry = this.layerCanvases[0];
    if (!entry || !entry.bytes) return;
    const [rows, cols] = entry.shape;
    paintTiles(entry.canvas, entry.bytes, rows, cols, entry.marked, this.selected, this.view);
    paintZoom(this.$(".zoom"), entry.bytes, cols, this.view, entry.marked, this.selected);
  }

  // Centre the zoomed grid on a unit, kept inside the layer.
  zoomTo(unit) {
    const entry = this.layerCanvases[0];
    if (!entry) return;
    const [rows, cols] = entry.shape;
    const size = Math.min(ZOOM, rows, cols);
    const clamp = (v, n) => Math.max(0, Math.min(n - size, v - Math.floor(size / 2)));
    this.view = {
      row: clamp(Math.floor(unit / cols), rows),
      col: clamp(unit % cols, cols),
      size,
    };
  }

  bindZoom() {
    const zoom = this.$(".zoom");
    zoom.addEventListener("click", (e) => {
      const entry = this.layerCanvases[0];
      if (!this.view || !entry) return;
      const cell = cellAt(zoom, e, this.view.size, this.view.size);
      if (cell < 0) return;
      const row = this.view.row + Math.floor(cell / this.view.size);
      const col = this.view.col + (cell % this.view.size);
      this.showUnit(row * entry.shape[1] + col, { keepZoom: true });
    });
  }

  // The first layer's grid goes beside its zoomed grid and the chosen unit; the others after.
  buildLayers(hidden) {
    const holder = this.$(".layers");
    holder.querySelectorAll(".layer").forEach((f) => f.remove());
    const sizes = hidden.map((layer) => layer.size.toLocaleString("en"));
    this.$(".layers-intro").textContent =
      `The network passes the numbers through ${hidden.length} layers of small parts ` +
      `(${sizes.join(", ")}). Each square below is one part: the brighter it is, the more ` +
      "that part lit up for your drawing. Ringed in blue: the parts that mattered most for " +
      "the answer.";
    this.layerCanvases = hidden.map((layer, k) => {
      const figure = document.createElement("figure");
      figure.className = "layer";
      const first = k === 0;
      figure.innerHTML = `<canvas class="tiles" role="img"${first ? ' tabindex="0"' : ""}></canvas>
        <figcaption>Layer ${k + 1}: ${sizes[k]} parts. ${first ? TAP_A_SQUARE : ""}
        </figcaption>`;
      if (first) this.$(".first-layer").prepend(figure);
      else holder.insertBefore(figure, this.$(".curious"));
      const canvas = figure.querySelector("canvas");
      canvas.setAttribute(
        "aria-label",
        `Layer ${k + 1}: how much each of its ${layer.size} parts lit up` +
          (first ? ". Arrow keys choose a part, Enter shows what it looks for." : ""),
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

  // keepZoom: the unit was tapped in the zoomed grid, which stays where it is.
  async showUnit(unit, { keepZoom = false } = {}) {
    this.selected = unit;
    const entry = this.layerCanvases[0];
    if (!keepZoom) this.zoomTo(unit);
    this.paintFirstLayer();
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
    const how = fired > 0 ? `lit up at ${strength}% of the layer's brightest` : "did not light up";
    this.$(".unit-title").textContent = `Part ${unit + 1} of layer 1 ${how} for your drawing`;
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
    const holder = this.$(".numbers-scroll");
    const button = this.$(".show-numbers");
    holder.hidden = !holder.hidden;
    button.setAttribute("aria-pressed", String(!holder.hidden));
    button.textContent = holder.hidden ? "Show all the numbers" : "Hide the numbers";
    if (holder.hidden) this.$(".numbers-hint").hidden = true;
    else this.paintAllNumbers();
  }

  // Readable at any size: where the grid is wider than the screen, it scrolls, and says so.
  paintAllNumbers() {
    if (!this.input) return;
    const holder = this.$(".numbers-scroll");
    paintNumbers(this.$(".numbers"), this.input, ...this.shape);
    this.$(".numbers-hint").hidden = holder.scrollWidth <= holder.clientWidth;
  }
}

// The writer's own examples that weighed in on this answer: their 28x28, what they said it was,
// and how alike the network finds the two. Learning from examples, shown.
function showYours(view, answer) {
  const leaning = answer.personal;
  const box = view.$(".yours");
  const kept = view.personal ? view.personal.examples : [];
  const shown = leaning ? leaning.examples.filter((e) => kept[e.index]) : [];
  box.hidden = shown.length === 0;
  if (box.hidden) return;
  const without = leaning.without;
  const before = without.verdict === "not_a_digit" ? "“not a digit”" : `${without.digit}`;
  view.$(".yours-intro").textContent = leaning.decided
    ? `Your corrections changed the answer: without them it would say ${before}. ` +
      "It compares your drawing with the ones you corrected; the closer one is, " +
      "the more it pulls " +
      "toward what you said it was."
    : "Your corrections that are close to this drawing pulled toward what you said they were; " +
      "they did not change the answer.";
  const doc = view.root.ownerDocument;
  view.$(".yours-list").replaceChildren(
    ...shown.map((e) => {
      const item = doc.createElement("li");
      const canvas = doc.createElement("canvas");
      canvas.width = canvas.height = 28;
      canvas.className = "yours-input";
      canvas.setAttribute("role", "img");
      const said = e.label === "not_a_digit" ? "not a digit" : `a ${e.label}`;
      canvas.setAttribute("aria-label", `One of your drawings, which you said is ${said}`);
      const input = kept[e.index].input;
      if (input) paintGrey(canvas, unpackInput(input), 28, 28);
      const caption = doc.createElement("span");
      caption.textContent = `You said ${said}: ${Math.round(e.similarity * 100)}% alike`;
      item.append(canvas, caption);
      return item;
    }),
  );
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
