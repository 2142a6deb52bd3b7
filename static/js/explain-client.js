// The explain view's requests: a drawing to /api/explain, a first-layer unit's template from /api/units.
import { decodeBytes } from "./explain-draw.js";
import { postDrawing } from "./predict-client.js";

// POST the strokes to /api/explain (drawing.digit: which digit of a number; else the last); the answer
// gains `input` as rows, as /api/predict gives it.
export async function postExplain(drawing) {
  const answer = await postDrawing("/api/explain", drawing, drawing.digit == null ? {} : { digit: drawing.digit });
  if (answer.layers && answer.layers.length) {
    const bytes = decodeBytes(answer.layers[0].values);
    answer.input = Array.from({ length: 28 }, (_, y) => Array.from(bytes.subarray(y * 28, y * 28 + 28)));
  }
  return answer;
}

export async function fetchUnitTemplate(unit) {
  const response = await fetch(`/api/units/${unit}`);
  if (!response.ok) throw new Error(`the server answered ${response.status}`);
  return response.json();
}
