// The requests to /api/predict as one small state machine: throttled, one in flight, stale answers
// dropped.
//
// States: "idle" (nothing timed, nothing in flight), "waiting" (a send is timed to keep to the
// throttle), "sending" (one request in flight; changes meanwhile are sent when it returns). Every
// change of the drawing bumps `version`. An answer is shown only if it is newer than the one shown
// and not for a drawing from before the last undo or clear. A failed request shows its error and
// keeps the drawing; the next change sends again. With no connection at all the client is offline:
// changes are not sent (no stream of failures while the pen moves), it asks once after a pause
// that doubles each time it fails (1 s to 30 s), and at once when the browser says it is back
// online; the one ask that gets through is for the drawing as it is then.

export const THROTTLE_MS = 80; // at most one request this often while a stroke goes on
export const RETRY_MS = [1000, 30000]; // offline: the first pause before asking again, the longest

export class PredictClient {
  constructor({
    snapshot,
    view,
    throttleMs = THROTTLE_MS,
    post = postStrokes,
    retryMs = RETRY_MS,
  }) {
    this.snapshot = snapshot; // () => ({ strokes, penDown })
    // { show(answer, drawing asked about), showEmpty(), showError(message, code) }
    this.view = view;
    this.throttleMs = throttleMs;
    this.post = post;
    this.state = "idle";
    this.version = 0; // bumps at every change of the drawing
    this.oldestValid = 0; // answers for versions before this (pre-undo/clear) are stale
    this.shownVersion = -1;
    this.sentVersion = -1;
    this.lastSent = -Infinity;
    this.timer = null;
    this.retryMs = retryMs;
    this.offline = false; // the last ask found no connection: changes wait for the next retry
    this.pause = retryMs[0];
    this.retryTimer = null;
  }

  // The browser says the connection is back: if offline, ask now rather than at the next retry.
  online() {
    if (!this.offline) return;
    clearTimeout(this.retryTimer);
    this.retry();
  }

  goOffline() {
    this.offline = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.retry(), this.pause);
    this.pause = Math.min(this.pause * 2, this.retryMs[1]);
  }

  // Ask once for the drawing as it is now (the last ask for it failed).
  retry() {
    this.retryTimer = null;
    this.offline = false;
    this.sentVersion = -1;
    this.sendNow();
  }

  // The pen went down or moved: send at most once per throttle period.
  edited() {
    this.version++;
    if (this.state === "idle") this.wait();
  }

  // A stroke ended: its answer is asked for at once.
  strokeEnded() {
    this.version++;
    this.sendNow();
  }

  // A stroke was taken away: what was asked before is stale.
  undone() {
    this.version++;
    this.oldestValid = this.version;
    this.sendNow();
  }

  // What is asked changed (the "how it sees" view opened): ask again for the drawing as it is.
  refresh(post) {
    if (post) this.post = post;
    this.version++;
    this.sendNow();
  }

  // The pad was cleared: nothing to ask, and every answer still coming is stale.
  cleared() {
    this.version++;
    this.oldestValid = this.version;
    this.stopWaiting();
    this.showEmpty();
  }

  settled() {
    return this.state === "idle" && !this.snapshot().penDown && this.shownVersion === this.version;
  }

  wait() {
    this.state = "waiting";
    const delay = Math.max(0, this.throttleMs - (performance.now() - this.lastSent));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.state = "idle";
      this.sendNow();
    }, delay);
  }

  stopWaiting() {
    if (this.state !== "waiting") return;
    clearTimeout(this.timer);
    this.timer = null;
    this.state = "idle";
  }

  sendNow() {
    this.stopWaiting();
    // the arrival sends what is newer; offline, the next retry does
    if (this.offline || this.state === "sending" || this.sentVersion === this.version) return;
    const drawing = this.snapshot();
    if (drawing.strokes.length === 0) {
      this.showEmpty();
      return;
    }
    this.send(drawing, this.version);
  }

  showEmpty() {
    this.shownVersion = this.version;
    this.view.showEmpty();
  }

  async send(drawing, v) {
    this.state = "sending";
    this.sentVersion = v;
    this.lastSent = performance.now();
    try {
      const answer = await this.post(drawing);
      this.pause = this.retryMs[0];
      if (v >= this.oldestValid && v > this.shownVersion) {
        this.shownVersion = v;
        this.view.show(answer, drawing);
      }
    } catch (err) {
      this.view.showError(err.message, err.code);
      if (err.offline) this.goOffline();
    } finally {
      this.state = "idle";
      if (this.sentVersion !== this.version) {
        if (this.snapshot().penDown) this.wait();
        else this.sendNow();
      }
    }
  }
}

// POST the strokes to /api/predict; resolves to the answer, or rejects with the API's own error
// message.
export function postStrokes(drawing) {
  return postDrawing("/api/predict", drawing);
}

// penDown: the last stroke is still being drawn, so the server judges that digit as half drawn
// ("writing"); its answer is a guess so far, not the finished read.
// personal: the writer's own examples (personal.js), sent with every read.
export async function postDrawing(url, { strokes, penDown, personal }, extra = {}) {
  const writing = penDown ? { writing: true } : {};
  if (personal) extra = { ...extra, personal };
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ strokes, ...writing, ...extra }),
    });
  } catch {
    const offline = new Error(
      "no connection to the server. Your drawing is kept and read as soon as it is back.",
    );
    offline.offline = true;
    throw offline;
  }
  let answer = null;
  try {
    answer = await response.json();
  } catch {
    /* not JSON: a proxy's error page, say */
  }
  if (!response.ok || answer === null) {
    const error = new Error(
      (answer && answer.error && answer.error.message) || `the server answered ${response.status}`,
    );
    error.code = answer && answer.error && answer.error.code;
    throw error;
  }
  return answer;
}
