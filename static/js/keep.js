// The drawing outlives a reload (a pull-to-refresh, a tab the browser put to sleep): kept per tab
// in sessionStorage as the pad's strokes and size, and scaled to the pad's size when it comes back.
const KEY = "digits.drawing";

export function keep(pad) {
  try {
    if (pad.strokes.length === 0) {
      sessionStorage.removeItem(KEY);
      return;
    }
    sessionStorage.setItem(
      KEY,
      JSON.stringify({
        strokes: pad.strokes,
        width: pad.canvas.clientWidth,
        height: pad.canvas.clientHeight,
      }),
    );
  } catch {
    /* storage full or refused (private mode): the drawing just is not kept */
  }
}

// The kept strokes fitted to a pad of this size, or null if none were kept (or what is there is not
// ours).
export function kept(width, height) {
  let saved;
  try {
    saved = JSON.parse(sessionStorage.getItem(KEY));
  } catch {
    return null;
  }
  if (!saved || !Array.isArray(saved.strokes) || !(saved.width > 0) || !(saved.height > 0))
    return null;
  const scale = Math.min(width / saved.width, height / saved.height);
  const strokes = saved.strokes.filter(
    (s) =>
      Array.isArray(s) &&
      s.length > 0 &&
      s.every((p) => Array.isArray(p) && p.length === 2 && p.every(Number.isFinite)),
  );
  return strokes.length ? strokes.map((s) => s.map(([x, y]) => [x * scale, y * scale])) : null;
}
