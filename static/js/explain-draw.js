// Painting for the "how it sees" view: byte grids as tiles, signed maps in two colours, numbers in
// cells.

// Base64 of bytes -> Uint8Array (or Int8Array with signed).
export function decodeBytes(text, signed = false) {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return signed ? new Int8Array(bytes.buffer) : bytes;
}

// Blue for "pushed toward", orange for "pushed against" (Okabe-Ito: told apart with any colour
// vision).
const TOWARD = [0, 114, 178];
const AGAINST = [213, 94, 0];

function paint(canvas, rows, cols, colourOf) {
  canvas.width = cols;
  canvas.height = rows;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(cols, rows);
  for (let i = 0; i < rows * cols; i++) {
    const [r, g, b] = colourOf(i);
    img.data.set([r, g, b, 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
}

// Unsigned bytes 0..255 as grey levels, bright = high (the network's input convention: ink bright).
export function paintGrey(canvas, bytes, rows, cols) {
  paint(canvas, rows, cols, (i) => [bytes[i], bytes[i], bytes[i]]);
}

// Signed -127..127: blue where positive, orange where negative, stronger with size. Over white, or,
// with base (the 0..255 input), over the drawing itself in light grey: an overlay that shows where
// each push is.
export function paintSigned(canvas, values, rows, cols, base = null) {
  paint(canvas, rows, cols, (i) => {
    const v = values[i] / 127;
    const [r, g, b] = v >= 0 ? TOWARD : AGAINST;
    const t = Math.min(1, Math.abs(v));
    const paper = base ? 255 - 0.45 * base[i] : 255;
    return [paper + (r - paper) * t, paper + (g - paper) * t, paper + (b - paper) * t];
  });
}

// A unit's ring: orange for the one chosen, blue for those that mattered most, none otherwise.
function ringOf(unit, marked, selected) {
  if (unit === selected) return "#e69f00";
  return marked.has(unit) ? "#56b4e9" : null;
}

// Activation tiles: a layer's units on black, brighter when more active; marked units ringed; with
// view, the square of units the zoomed grid shows outlined.
export function paintTiles(
  canvas,
  bytes,
  rows,
  cols,
  marked = new Set(),
  selected = -1,
  view = null,
) {
  const cell = 8;
  canvas.width = cols * cell;
  canvas.height = rows * cell;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#000";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  for (let i = 0; i < rows * cols; i++) {
    const x = (i % cols) * cell,
      y = Math.floor(i / cols) * cell;
    const v = bytes[i];
    ctx.fillStyle = `rgb(${v},${v},${v})`;
    ctx.fillRect(x + 1, y + 1, cell - 2, cell - 2);
    const ring = ringOf(i, marked, selected);
    if (ring) {
      ctx.strokeStyle = ring;
      ctx.lineWidth = 2;
      ctx.strokeRect(x + 1, y + 1, cell - 2, cell - 2);
    }
  }
  if (view) {
    ctx.strokeStyle = "#e69f00";
    ctx.lineWidth = 2;
    ctx.strokeRect(view.col * cell, view.row * cell, view.size * cell, view.size * cell);
  }
}

// The zoomed grid: view.size x view.size units from (view.row, view.col), each a square a finger
// can aim at, drawn at the screen's pixel ratio.
export function paintZoom(canvas, bytes, cols, view, marked, selected) {
  const ratio = window.devicePixelRatio || 1;
  const side = canvas.clientWidth || 264;
  canvas.width = Math.round(side * ratio);
  canvas.height = Math.round(side * ratio);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.fillStyle = "#000";
  ctx.fillRect(0, 0, side, side);
  const cell = side / view.size;
  for (let r = 0; r < view.size; r++) {
    for (let c = 0; c < view.size; c++) {
      const i = (view.row + r) * cols + view.col + c;
      const v = bytes[i];
      ctx.fillStyle = `rgb(${v},${v},${v})`;
      ctx.fillRect(c * cell + 2, r * cell + 2, cell - 4, cell - 4);
      const ring = ringOf(i, marked, selected);
      if (ring) {
        ctx.strokeStyle = ring;
        ctx.lineWidth = i === selected ? 4 : 3;
        ctx.strokeRect(c * cell + 3, r * cell + 3, cell - 6, cell - 6);
      }
    }
  }
}

// The input (rows x cols) as numbers 0..255, one per cell, the way the MNIST lessons show it:
// cells and text sized in CSS pixels from the page's font (readable from a phone to a 4K screen)
// and drawn at the screen's pixel ratio, so that the digits are sharp.
export function paintNumbers(canvas, bytes, rows, cols) {
  const ratio = window.devicePixelRatio || 1;
  const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
  const cell = Math.max(26, Math.round(rem * 1.75));
  canvas.style.width = `${cols * cell}px`;
  canvas.style.height = `${rows * cell}px`;
  canvas.width = Math.round(cols * cell * ratio);
  canvas.height = Math.round(rows * cell * ratio);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, cols * cell, rows * cell);
  ctx.font = `${Math.round(cell * 0.42)}px system-ui, sans-serif`;
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  for (let i = 0; i < rows * cols; i++) {
    const x = (i % cols) * cell;
    const y = Math.floor(i / cols) * cell;
    const v = bytes[i];
    ctx.fillStyle = `rgb(${255 - v},${255 - v},${255 - v})`; // shaded as ink on paper
    ctx.fillRect(x, y, cell, cell);
    ctx.fillStyle = v > 110 ? "#fff" : "#1b1b1b";
    ctx.fillText(String(v), x + cell / 2, y + cell / 2);
  }
}

// The cell under a pointer on a canvas drawn as a rows x cols grid.
export function cellAt(canvas, event, rows, cols) {
  const box = canvas.getBoundingClientRect();
  const col = Math.floor(((event.clientX - box.left) / box.width) * cols);
  const row = Math.floor(((event.clientY - box.top) / box.height) * rows);
  if (row < 0 || col < 0 || row >= rows || col >= cols) return -1;
  return row * cols + col;
}
