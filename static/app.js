// Draw-a-digit page: pointer input on #pad, live requests to /api/predict, results.
"use strict";

(function () {
  const THROTTLE_MS = 80;      // at most one request this often while a stroke goes on
  const UNSURE_BELOW = 0.6;    // confidence under this shows the "not sure" state

  const pad = document.getElementById("pad");
  const ctx = pad.getContext("2d");
  const prediction = document.getElementById("prediction");
  const statusLine = document.getElementById("status");
  const announce = document.getElementById("announce");
  const probs = document.getElementById("probs");
  const preview = document.getElementById("model-input");
  const previewCtx = preview.getContext("2d");
  const undoButton = document.getElementById("undo");
  const clearButton = document.getElementById("clear");

  const strokes = [];          // each stroke: array of [x, y] in CSS pixels of the pad
  let current = null;          // the stroke being drawn, or null
  let activePointer = null;
  let version = 0;             // bumps at every change of the drawing
  let oldestValid = 0;         // answers for versions before this (pre-undo/clear) are stale
  let shownVersion = -1;
  let inFlight = false;
  let sentVersion = -1;
  let lastSent = 0;
  let timer = null;

  // --- bars -----------------------------------------------------------------
  const bars = [];
  for (let d = 0; d < 10; d++) {
    const li = document.createElement("li");
    li.dataset.digit = String(d);
    li.innerHTML = '<span class="digit"></span><span class="track"><span class="fill"></span></span><span class="pct"></span>';
    li.querySelector(".digit").textContent = String(d);
    probs.appendChild(li);
    bars.push(li);
  }

  // --- canvas sizing: crisp on high-DPI screens --------------------------------
  function penWidth() { return Math.max(6, pad.clientWidth / 22); }

  function resize() {
    const ratio = window.devicePixelRatio || 1;
    const w = Math.round(pad.clientWidth * ratio), h = Math.round(pad.clientHeight * ratio);
    if (pad.width !== w || pad.height !== h) {
      pad.width = w;
      pad.height = h;
      redraw();
    }
  }

  function redraw() {
    const ratio = window.devicePixelRatio || 1;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, pad.clientWidth, pad.clientHeight);
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#1b1b1b";
    ctx.fillStyle = "#1b1b1b";
    ctx.lineWidth = penWidth();
    for (const s of strokes) drawStroke(s);
    if (current) drawStroke(current);
  }

  // Smooth strokes: quadratic curves through the midpoints of successive points.
  function drawStroke(s) {
    if (s.length === 1) {
      ctx.beginPath();
      ctx.arc(s[0][0], s[0][1], ctx.lineWidth / 2, 0, 2 * Math.PI);
      ctx.fill();
      return;
    }
    ctx.beginPath();
    ctx.moveTo(s[0][0], s[0][1]);
    for (let i = 1; i < s.length - 1; i++) {
      const mx = (s[i][0] + s[i + 1][0]) / 2, my = (s[i][1] + s[i + 1][1]) / 2;
      ctx.quadraticCurveTo(s[i][0], s[i][1], mx, my);
    }
    const last = s[s.length - 1];
    ctx.lineTo(last[0], last[1]);
    ctx.stroke();
  }

  // --- pointer input: mouse, touch and pen alike ---------------------------------
  function pointOf(e) {
    const r = pad.getBoundingClientRect();
    return [Math.round((e.clientX - r.left) * 10) / 10, Math.round((e.clientY - r.top) * 10) / 10];
  }

  function addPoint(p) {
    const last = current[current.length - 1];
    if (last && Math.abs(last[0] - p[0]) < 0.5 && Math.abs(last[1] - p[1]) < 0.5) return false;
    current.push(p);
    return true;
  }

  pad.addEventListener("pointerdown", (e) => {
    if (activePointer !== null || (e.pointerType === "mouse" && e.button !== 0)) return;
    e.preventDefault();
    activePointer = e.pointerId;
    pad.setPointerCapture(e.pointerId);
    current = [pointOf(e)];
    changed();
    redraw();
  });

  pad.addEventListener("pointermove", (e) => {
    if (e.pointerId !== activePointer || !current) return;
    e.preventDefault();
    const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [e];
    let added = false;
    for (const ce of (events.length ? events : [e])) added = addPoint(pointOf(ce)) || added;
    if (added) {
      changed();
      redraw();
    }
  });

  function endStroke(e) {
    if (e.pointerId !== activePointer) return;
    activePointer = null;
    if (current) {
      strokes.push(current);
      current = null;
      changed();
      redraw();
      flush(true);   // every stroke's end gets its answer at once
    }
  }
  pad.addEventListener("pointerup", endStroke);
  pad.addEventListener("pointercancel", endStroke);
  // Belt and braces for browsers that would still scroll or zoom on touch.
  pad.addEventListener("touchstart", (e) => e.preventDefault(), { passive: false });
  pad.addEventListener("touchmove", (e) => e.preventDefault(), { passive: false });
  pad.addEventListener("contextmenu", (e) => e.preventDefault());

  // --- requests: throttled, one in flight, stale answers dropped -------------------
  function drawing() {
    return current ? strokes.concat([current]) : strokes.slice();
  }

  function changed() {
    version++;
    updateButtons();
    schedule();
  }

  function schedule() {
    if (timer !== null) return;
    const wait = Math.max(0, THROTTLE_MS - (performance.now() - lastSent));
    timer = setTimeout(() => { timer = null; flush(false); }, wait);
  }

  function flush(now) {
    if (now && timer !== null) { clearTimeout(timer); timer = null; }
    if (inFlight || sentVersion === version) return;   // the answer's arrival sends what is newer
    const all = drawing();
    if (all.length === 0) { showEmpty(); return; }
    send(all, version);
  }

  async function send(all, v) {
    inFlight = true;
    sentVersion = v;
    lastSent = performance.now();
    try {
      const response = await fetch("/api/predict", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ strokes: all, width: pad.clientWidth, height: pad.clientHeight }),
      });
      const answer = await response.json();
      if (!response.ok) throw new Error((answer.error && answer.error.message) || response.statusText);
      if (v >= oldestValid && v > shownVersion) show(answer, v);
    } catch (err) {
      statusLine.textContent = "Cannot reach the recogniser right now: " + err.message;
    } finally {
      inFlight = false;
      if (sentVersion !== version) {
        if (current) schedule(); else flush(true);
      }
    }
  }

  // --- showing the answer ------------------------------------------------------
  function showEmpty() {
    shownVersion = version;
    prediction.textContent = "";
    prediction.dataset.digit = "";
    prediction.classList.remove("unsure");
    statusLine.textContent = "Draw a digit to start.";
    announce.textContent = "";
    for (const li of bars) {
      li.classList.remove("top", "unsure");
      li.querySelector(".fill").style.width = "0";
      li.querySelector(".pct").textContent = "";
    }
    previewCtx.clearRect(0, 0, 28, 28);
  }

  function show(answer, v) {
    shownVersion = v;
    if (answer.empty) { showEmpty(); return; }
    const unsure = answer.confidence < UNSURE_BELOW;
    const ranked = answer.probabilities.map((p, d) => [p, d]).sort((a, b) => b[0] - a[0]);
    prediction.textContent = String(answer.digit);
    prediction.dataset.digit = String(answer.digit);
    prediction.classList.toggle("unsure", unsure);
    const pct = Math.round(answer.confidence * 100);
    statusLine.textContent = unsure
      ? `Not sure: ${ranked[0][1]} or ${ranked[1][1]}?`
      : `Looks like ${answer.digit} (${pct}% sure)`;
    if (!current) announce.textContent = statusLine.textContent;   // announce settled answers only
    answer.probabilities.forEach((p, d) => {
      const li = bars[d];
      li.classList.toggle("top", d === answer.digit);
      li.classList.toggle("unsure", d === answer.digit && unsure);
      li.querySelector(".fill").style.width = (p * 100).toFixed(1) + "%";
      li.querySelector(".pct").textContent = (p * 100).toFixed(p < 0.1 ? 1 : 0) + "%";
    });
    drawPreview(answer.input);
  }

  function drawPreview(rows) {
    const img = previewCtx.createImageData(28, 28);
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        const i = (y * 28 + x) * 4, value = rows[y][x];
        img.data[i] = img.data[i + 1] = img.data[i + 2] = value;
        img.data[i + 3] = 255;
      }
    }
    previewCtx.putImageData(img, 0, 0);
  }

  // --- undo and clear: buttons and keys ---------------------------------------------
  function undo() {
    if (current || strokes.length === 0) return;
    strokes.pop();
    version++;
    oldestValid = version;
    redraw();
    updateButtons();
    flush(true);
  }

  function clear() {
    if (current) return;
    strokes.length = 0;
    version++;
    oldestValid = version;
    redraw();
    updateButtons();
    showEmpty();
  }

  function updateButtons() {
    const nothing = strokes.length === 0 && !current;
    undoButton.disabled = nothing;
    clearButton.disabled = nothing;
  }

  undoButton.addEventListener("click", undo);
  clearButton.addEventListener("click", clear);
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") { e.preventDefault(); clear(); }
    else if ((e.ctrlKey || e.metaKey) && !e.shiftKey && e.key.toLowerCase() === "z") { e.preventDefault(); undo(); }
  });

  // Read-only view of the page's state, for tests and the latency benchmark.
  window.__digits = Object.freeze({
    strokes: () => JSON.parse(JSON.stringify(strokes)),
    drawing: () => current !== null,
    version: () => version,
    shownVersion: () => shownVersion,
    settled: () => !current && !inFlight && timer === null && shownVersion === version,
  });

  // --- start ------------------------------------------------------------------------
  new ResizeObserver(resize).observe(pad);
  window.addEventListener("resize", resize);
  resize();
  updateButtons();
  showEmpty();
  fetch("/api/model").then((r) => r.json()).then((info) => {
    const m = info.metrics || {};
    if (m.test_accuracy) {
      document.getElementById("model-info").textContent =
        `Model: a fully connected network (${info.architecture.hidden.join("-")} hidden units), ` +
        `${(m.test_accuracy * 100).toFixed(2)}% right on the 10,000 MNIST test digits.`;
    }
  }).catch(() => {});
})();
