// The draw-a-digit page: wires the pad, the prediction requests and the result view together.
import { Pad } from "./pad.js";
import { PredictClient } from "./predict-client.js";
import { ResultView } from "./result-view.js";

const view = new ResultView();
const undoButton = document.getElementById("undo");
const clearButton = document.getElementById("clear");
let client = null;

const pad = new Pad(document.getElementById("pad"), {
  onEdit: () => { client.edited(); updateButtons(); },
  onStrokeEnd: () => { client.strokeEnded(); updateButtons(); },
});
client = new PredictClient({
  snapshot: () => pad.snapshot(),
  view: {
    show: (answer) => view.show(answer, pad.penDown),
    showEmpty: () => view.showEmpty(),
    showError: (message) => view.showError(message),
  },
});

function updateButtons() {
  undoButton.disabled = clearButton.disabled = pad.isEmpty;
}

function undo() {
  if (pad.undo()) { client.undone(); updateButtons(); }
}

function clear() {
  if (pad.clear()) { client.cleared(); updateButtons(); }
}

undoButton.addEventListener("click", undo);
clearButton.addEventListener("click", clear);
document.addEventListener("keydown", (e) => {
  if (e.key === "Escape") { e.preventDefault(); clear(); }
  else if ((e.ctrlKey || e.metaKey) && !e.shiftKey && e.key.toLowerCase() === "z") { e.preventDefault(); undo(); }
});

updateButtons();
view.showEmpty();
fetch("/api/model").then((r) => r.json()).then((info) => view.showModel(info)).catch(() => {});

// Tests and the latency benchmark ask for a read-only view of the state with ?testhook.
if (new URLSearchParams(location.search).has("testhook")) {
  import("./test-hook.js").then((hook) => hook.install(pad, client));
}
