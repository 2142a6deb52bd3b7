// The explain view's requests: a drawing to /api/explain, a first-layer unit's template from
// /api/units.
import { postDrawing } from "./predict-client.js";

// POST the strokes to /api/explain (drawing.digit: which digit of a number; else the last). The
// answer's 28x28 is its first layer, "input", with the shape the server gives.
export async function postExplain(drawing) {
  const which = drawing.digit == null ? {} : { digit: drawing.digit };
  return postDrawing("/api/explain", drawing, which);
}

export async function fetchUnitTemplate(unit) {
  const response = await fetch(`/api/units/${unit}`);
  if (!response.ok) throw new Error(`the server answered ${response.status}`);
  return response.json();
}
