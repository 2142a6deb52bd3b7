// "What did you write?": a sheet of big buttons (0 to 9, "not a digit") that slides over the
// bottom of the screen, so that a finger can correct the network: the bars' digits are a text
// line tall. Fixed over the page, it moves nothing on it.

export class CorrectSheet {
  // onChoose(label): 0-9 or "not_a_digit".
  constructor(doc, onChoose) {
    this.doc = doc;
    const sheet = (this.sheet = doc.createElement("div"));
    sheet.className = "correct-sheet";
    sheet.hidden = true;
    sheet.setAttribute("role", "dialog");
    sheet.setAttribute("aria-label", "What did you write?");
    sheet.innerHTML =
      '<p class="sheet-title">What did you write?</p><div class="sheet-keys"></div>';
    const keys = sheet.querySelector(".sheet-keys");
    const labels = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, "not_a_digit"];
    for (const label of labels) {
      const button = doc.createElement("button");
      button.type = "button";
      button.dataset.label = String(label);
      button.textContent = label === "not_a_digit" ? "Not a digit" : String(label);
      if (label === "not_a_digit") button.className = "wide";
      button.addEventListener("click", () => {
        this.close();
        onChoose(label);
      });
      keys.appendChild(button);
    }
    const cancel = doc.createElement("button");
    cancel.type = "button";
    cancel.className = "cancel";
    cancel.textContent = "Cancel";
    cancel.addEventListener("click", () => this.close());
    keys.appendChild(cancel);
    doc.body.appendChild(sheet);
  }

  get isOpen() {
    return !this.sheet.hidden;
  }

  // chosen: the label kept for this drawing, marked.
  open(chosen = null) {
    for (const button of this.sheet.querySelectorAll("[data-label]"))
      button.setAttribute("aria-pressed", String(button.dataset.label === String(chosen)));
    this.opener = this.doc.activeElement;
    this.sheet.hidden = false;
    this.sheet.querySelector("[data-label]").focus();
  }

  close() {
    if (this.sheet.hidden) return;
    this.sheet.hidden = true;
    if (this.opener && this.opener.isConnected) this.opener.focus();
  }
}
