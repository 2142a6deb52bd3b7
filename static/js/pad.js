// The drawing pad: pointer input (mouse, touch and pen alike) into strokes, drawn crisp on any
// screen.
import { PointerPolicy } from "./pointer-policy.js";

export class Pad {
  // onEdit: the pen went down or moved; onStrokeEnd: the pen was lifted; onRescale: the pad changed
  // size and the drawing was scaled into it (it is to be read again).
  constructor(canvas, { onEdit, onStrokeEnd, onRescale = () => {} }) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.onEdit = onEdit;
    this.onStrokeEnd = onStrokeEnd;
    this.onRescale = onRescale;
    this.frame = null; // the pad's CSS size when the drawing began: [width, height]
    this.scale = 1; // the drawing's scale now against that size
    this.strokes = []; // each stroke: array of [x, y] in CSS pixels of the pad
    this.boxes = []; // light boxes around the digits of a number read: [x0, y0, x1, y1]
    this.picked = -1;
    this.current = null; // the stroke being drawn, or null
    this.cleared = []; // drawings taken away by Clear (or Esc), newest last: Undo brings them back
    this.outsideAt = null; // the last point of a pen that left the pad while still down, or null
    this.activePointer = null;
    this.activeType = null;
    this.policy = new PointerPolicy();
    this.listen();
    new ResizeObserver(() => this.resize()).observe(canvas);
    window.addEventListener("resize", () => this.resize());
    this.resize();
  }

  get penDown() {
    return this.current !== null;
  }
  get isEmpty() {
    return this.strokes.length === 0 && !this.current;
  }

  // What to send: every finished stroke, and the one being drawn.
  snapshot() {
    return {
      strokes: this.current ? this.strokes.concat([this.current]) : this.strokes.slice(),
      penDown: this.penDown,
      width: this.canvas.clientWidth,
      height: this.canvas.clientHeight,
    };
  }

  // Take the last stroke away, or, on an empty pad, bring back what the last Clear took; false if
  // there was nothing to undo (or a stroke is under way).
  undo() {
    if (!this.canUndo) return false;
    if (this.strokes.length > 0) this.strokes.pop();
    else this.strokes = this.cleared.pop();
    this.redraw();
    return true;
  }

  get canUndo() {
    return !this.current && (this.strokes.length > 0 || this.cleared.length > 0);
  }

  // Strokes from elsewhere (a drawing kept over a reload) replace the pad's.
  load(strokes) {
    this.strokes = strokes;
    this.cleared = [];
    this.redraw();
  }

  // forget: the drawing cannot be brought back (a kiosk clearing for the next visitor).
  clear({ forget = false } = {}) {
    if (this.current) return false;
    if (forget) this.cleared = [];
    else if (this.strokes.length > 0) this.cleared.push(this.strokes);
    this.strokes = [];
    this.boxes = [];
    this.redraw();
    return true;
  }

  penWidth() {
    return Math.max(6, this.canvas.clientWidth / 22);
  }

  resize() {
    const ratio = window.devicePixelRatio || 1;
    const w = Math.round(this.canvas.clientWidth * ratio),
      h = Math.round(this.canvas.clientHeight * ratio);
    const rescaled = this.rescale(this.canvas.clientWidth, this.canvas.clientHeight);
    if (this.canvas.width !== w || this.canvas.height !== h || rescaled) {
      this.canvas.width = w;
      this.canvas.height = h;
      this.redraw();
    }
    if (rescaled) this.onRescale();
  }

  // The pad is now width x height CSS px: every stroke (those Undo may bring back too) is scaled by
  // one factor, from the top left, so that what was on the pad is all on it still and keeps its
  // shape (a phone turned sideways never cuts a digit off). The factor is taken from the size the
  // drawing began at, so a pad that shrinks and grows back gives the drawing back as it was. True
  // if there was a drawing to scale.
  rescale(width, height) {
    const nothing = this.isEmpty && this.cleared.length === 0;
    if (!width || !height) return false;
    if (!this.frame || nothing) {
      this.frame = [width, height]; // the size the drawing is measured against
      this.scale = 1;
      return false;
    }
    const scale = Math.min(width / this.frame[0], height / this.frame[1]);
    if (scale === this.scale) return false;
    const k = scale / this.scale;
    this.scale = scale;
    const scaled = (stroke) => stroke.map(([x, y]) => [x * k, y * k]);
    this.strokes = this.strokes.map(scaled);
    this.cleared = this.cleared.map((drawing) => drawing.map(scaled));
    if (this.current) this.current = scaled(this.current);
    if (this.outsideAt) this.outsideAt = [this.outsideAt[0] * k, this.outsideAt[1] * k];
    this.boxes = []; // the last answer's boxes are of the drawing as it was
    return true;
  }

  redraw() {
    const ctx = this.ctx,
      ratio = window.devicePixelRatio || 1;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, this.canvas.clientWidth, this.canvas.clientHeight);
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = ctx.fillStyle = "#1b1b1b";
    ctx.lineWidth = this.penWidth();
    for (const s of this.strokes) this.drawStroke(s);
    if (this.current) this.drawStroke(this.current);
    this.drawBoxes();
  }

  // Boxes around each digit of the number read (none for a single digit); the picked one stronger.
  setBoxes(boxes, picked = -1) {
    this.boxes = boxes;
    this.picked = picked;
    this.redraw();
  }

  drawBoxes() {
    const ctx = this.ctx,
      pad = this.penWidth() * 0.8;
    ctx.save();
    this.boxes.forEach(([x0, y0, x1, y1], k) => {
      ctx.strokeStyle = k === this.picked ? "rgba(0, 114, 178, 0.85)" : "rgba(0, 114, 178, 0.35)";
      ctx.lineWidth = k === this.picked ? 3 : 2;
      ctx.setLineDash(k === this.picked ? [] : [6, 5]);
      ctx.strokeRect(x0 - pad, y0 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad);
    });
    ctx.restore();
  }

  // Smooth strokes: quadratic curves through the midpoints of successive points.
  drawStroke(s) {
    const ctx = this.ctx;
    ctx.beginPath();
    if (s.length === 1) {
      ctx.arc(s[0][0], s[0][1], ctx.lineWidth / 2, 0, 2 * Math.PI);
      ctx.fill();
      return;
    }
    ctx.moveTo(s[0][0], s[0][1]);
    for (let i = 1; i < s.length - 1; i++) {
      ctx.quadraticCurveTo(
        s[i][0],
        s[i][1],
        (s[i][0] + s[i + 1][0]) / 2,
        (s[i][1] + s[i + 1][1]) / 2,
      );
    }
    const last = s[s.length - 1];
    ctx.lineTo(last[0], last[1]);
    ctx.stroke();
  }

  pointOf(e) {
    // From the drawing surface's corner, inside the pad's border, where the ink is drawn.
    const r = this.canvas.getBoundingClientRect();
    const x = e.clientX - r.left - this.canvas.clientLeft,
      y = e.clientY - r.top - this.canvas.clientTop;
    return [Math.round(x * 10) / 10, Math.round(y * 10) / 10];
  }

  addPoint(p) {
    const last = this.current[this.current.length - 1];
    if (last && Math.abs(last[0] - p[0]) < 0.5 && Math.abs(last[1] - p[1]) < 0.5) return false;
    this.current.push(p);
    return true;
  }

  // A pen that is down moved to p. Only the ink the visitor sees is kept: a stroke leaving the pad
  // ends at its edge, and one coming back starts a new stroke where it crosses in. True if the
  // stroke grew ("added", for the caller to redraw once per batch of points), "ended" at the edge
  // (drawn and told already), or "none".
  follow(p) {
    const inside = this.contains(p);
    if (this.current && inside) return this.addPoint(p) ? "added" : "none";
    if (this.current) {
      this.addPoint(this.edgeOf(this.current[this.current.length - 1], p));
      this.outsideAt = p;
      this.endStroke();
      return "ended";
    }
    if (!this.outsideAt) return "none";
    if (!inside) {
      this.outsideAt = p;
      return "none";
    }
    this.current = [this.edgeOf(p, this.outsideAt)];
    this.outsideAt = null;
    this.addPoint(p);
    return "added";
  }

  contains([x, y]) {
    return x >= 0 && y >= 0 && x <= this.canvas.clientWidth && y <= this.canvas.clientHeight;
  }

  // Where the line from a point inside the pad to one outside crosses the pad's edge.
  edgeOf(inside, outside) {
    const w = this.canvas.clientWidth,
      h = this.canvas.clientHeight;
    const [x0, y0] = inside,
      dx = outside[0] - x0,
      dy = outside[1] - y0;
    let t = 1;
    if (dx > 0) t = Math.min(t, (w - x0) / dx);
    if (dx < 0) t = Math.min(t, -x0 / dx);
    if (dy > 0) t = Math.min(t, (h - y0) / dy);
    if (dy < 0) t = Math.min(t, -y0 / dy);
    const at = (v) => Math.round(v * 10) / 10;
    return [at(x0 + t * dx), at(y0 + t * dy)];
  }

  // Strokes drawn by code (the kiosk's demo) take the same path as a pointer's.
  startStroke(p) {
    this.current = [p];
    this.redraw();
    this.onEdit();
  }

  extendStroke(p) {
    if (this.current && this.addPoint(p)) {
      this.redraw();
      this.onEdit();
    }
  }

  endStroke() {
    if (!this.current) return;
    this.strokes.push(this.current);
    this.current = null;
    this.redraw();
    this.onStrokeEnd();
  }

  // Drop the stroke under way (a palm came down, or a pen took over): it never happened.
  abandon() {
    if (this.activePointer !== null && this.canvas.hasPointerCapture(this.activePointer)) {
      this.canvas.releasePointerCapture(this.activePointer);
    }
    this.activePointer = this.activeType = null;
    if (!this.current) return;
    this.current = null;
    this.redraw();
    this.onEdit();
  }

  listen() {
    const pad = this.canvas;
    pad.addEventListener("pointerover", (e) => this.policy.seen(e));
    pad.addEventListener("pointerdown", (e) => {
      this.policy.seen(e);
      if (!this.policy.mayStart(e, this.activeType)) return;
      e.preventDefault();
      if (this.activePointer !== null) this.abandon();
      this.activePointer = e.pointerId;
      this.activeType = e.pointerType;
      pad.setPointerCapture(e.pointerId);
      this.startStroke(this.pointOf(e));
    });
    pad.addEventListener("pointermove", (e) => {
      this.policy.seen(e);
      if (e.pointerId !== this.activePointer) return;
      e.preventDefault();
      if (this.policy.isPalm(e)) {
        this.abandon();
        return;
      } // a fingertip that spread into a palm
      const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [];
      let added = false;
      for (const ce of events.length ? events : [e]) {
        const change = this.follow(this.pointOf(ce));
        // A stroke that ended at the edge was drawn and sent as it ended.
        if (change === "ended") added = false;
        else added = change === "added" || added;
      }
      if (added) {
        this.redraw();
        this.onEdit();
      }
    });
    const end = (e) => {
      if (e.pointerId !== this.activePointer) return;
      this.activePointer = this.activeType = null;
      this.outsideAt = null;
      this.endStroke();
    };
    pad.addEventListener("pointerup", end);
    pad.addEventListener("pointercancel", end);
    // Belt and braces for browsers that would still scroll or zoom on touch.
    pad.addEventListener("touchstart", (e) => e.preventDefault(), { passive: false });
    pad.addEventListener("touchmove", (e) => e.preventDefault(), { passive: false });
    pad.addEventListener("contextmenu", (e) => e.preventDefault());
  }
}
