// Corrections: "Wrong? Tap the right digit". The strokes of the digit shown, the right digit, the
// network's answer and the SHA-256 of its weights go to /api/corrections, with a key of the page's
// own choosing so that a retry is stored once; nothing about the person.

// POST one correction; {ok, message} for the page to say.
export async function sendCorrection(correction) {
  let response;
  try {
    response = await fetch("/api/corrections", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ...correction, key: newKey() }),
    });
  } catch {
    return { ok: false, message: "the server cannot be reached (offline?)" };
  }
  if (response.ok) return { ok: true, message: "" };
  const body = await response.json().catch(() => null);
  if (response.status === 429) return { ok: false, message: "too many corrections; wait a minute" };
  return { ok: false, message: body?.error?.message || `the server answered ${response.status}` };
}

// A random key: crypto.randomUUID where the page is served securely, random bytes elsewhere.
function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
