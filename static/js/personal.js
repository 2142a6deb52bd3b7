// The writer's own examples: each correction keeps what the network made of that drawing (the
// answer's "feature", 64 bytes) with the right label, and every request sends them back, so that
// drawings close to one lean to its label. They stay on this device (localStorage), for the model
// that made them; the kiosk keeps them in memory only, until its idle reset. Each also keeps the
// 28x28 the network saw, only to show the writer which of their examples weighed in.
const KEY = "digits.personal";
export const LIMIT = 100; // the server's bound: the oldest go first

export class PersonalExamples {
  // storage: localStorage, or null to keep them in memory only (the kiosk).
  constructor(storage) {
    this.storage = storage;
    this.model = null;
    this.examples = []; // { label: 0-9 | "not_a_digit", feature, input (base64 of 784 bytes) }
    this.load();
  }

  load() {
    if (!this.storage) return;
    try {
      const saved = JSON.parse(this.storage.getItem(KEY));
      if (saved && typeof saved.model === "string" && Array.isArray(saved.examples)) {
        this.model = saved.model;
        this.examples = saved.examples.filter(
          (e) =>
            e &&
            typeof e.feature === "string" &&
            (Number.isInteger(e.label) || e.label === "not_a_digit"),
        );
      }
    } catch {
      /* nothing kept, or not ours */
    }
  }

  save() {
    if (!this.storage) return;
    try {
      if (this.examples.length === 0) this.storage.removeItem(KEY);
      else
        this.storage.setItem(KEY, JSON.stringify({ model: this.model, examples: this.examples }));
    } catch {
      /* storage full or refused: they last as long as the page */
    }
  }

  // The weights answering now: examples another model made mean nothing to it.
  useModel(sha) {
    if (this.model !== sha) {
      this.examples = [];
      this.model = sha;
      this.save();
    }
  }

  get count() {
    return this.examples.length;
  }

  // A correction: the digit's feature and 28x28 (rows of numbers), with the right label. Returns
  // the example, to take it back if the writer changes their mind.
  add(label, feature, rows) {
    const example = { label, feature, input: rows ? packRows(rows) : null };
    this.examples = [...this.examples, example].slice(-LIMIT);
    this.save();
    return example;
  }

  remove(example) {
    this.examples = this.examples.filter((e) => e !== example);
    this.save();
  }

  forget() {
    this.examples = [];
    this.save();
  }

  // What each request carries: the model and the examples (none yet still asks for features).
  request() {
    if (!this.model) return null;
    return {
      model: this.model,
      examples: this.examples.map(({ label, feature }) => ({ label, feature })),
    };
  }
}

// 28x28 rows of 0..255 as base64: 1 KB a picture, kept beside the example, never sent.
function packRows(rows) {
  return btoa(String.fromCharCode(...rows.flat()));
}

export function unpackInput(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
