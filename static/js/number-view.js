// A number's answer: the digits read as one large number, a button per digit to see its bars and
// 28x28, and what to say about the whole. One digit is left to the result view as it always was.

const ORDINAL = [
  "first",
  "second",
  "third",
  "fourth",
  "fifth",
  "sixth",
  "seventh",
  "eighth",
  "ninth",
  "tenth",
  "eleventh",
  "twelfth",
];

// The text shown large: each digit, "?" for a part that is no digit.
export function numberText(answer) {
  return answer.digits.map((d) => (d.digit === null ? "?" : String(d.digit))).join("");
}

// One line for people (and screen readers) about the whole number.
export function numberStatus(answer) {
  const digits = answer.digits;
  const rejected = digits.findIndex((d) => d.verdict === "not_a_digit");
  if (rejected >= 0) return `The ${ORDINAL[rejected]} part doesn't look like a digit.`;
  const unsure = digits.findIndex((d) => d.verdict === "unsure");
  if (unsure >= 0) {
    const [a, b] = digits[unsure].candidates;
    return `Reads ${answer.number}, but not sure about the ${ORDINAL[unsure]} digit: ${a} or ${b}?`;
  }
  const sure = `${Math.round(answer.confidence * 100)}% sure of all ${digits.length} digits`;
  // Each digit sure, the whole not: together they may be wrong, or the drawing may be one thing,
  // not a number.
  if (answer.verdict === "unsure") return `Maybe ${answer.number}: only ${sure} together.`;
  return `Reads ${answer.number} (${sure})`;
}

// Which digit of a number the bars and the 28x28 show: "Digit 4 of 4: 6".
export function whichDigit(answer, k) {
  const d = answer.digits[k];
  return `Digit ${k + 1} of ${answer.digits.length}: ${d.digit === null ? "?" : d.digit}`;
}

export class NumberView {
  // list: where the buttons go, inside the row (with its label) that is shown for a number only;
  // onPick(k): a digit's button was pressed.
  constructor(list, onPick) {
    this.list = list;
    this.row = list.closest(".number-digits") || list;
    this.onPick = onPick;
  }

  hide() {
    this.row.hidden = true;
    this.list.replaceChildren();
  }

  // The buttons, one per digit, the picked one pressed.
  show(answer, picked) {
    const doc = this.list.ownerDocument;
    this.row.hidden = false;
    this.list.replaceChildren(
      ...answer.digits.map((d, k) => {
        const button = doc.createElement("button");
        button.type = "button";
        button.className = "digit-pick";
        button.textContent = d.digit === null ? "?" : String(d.digit);
        button.setAttribute("aria-pressed", String(k === picked));
        button.setAttribute(
          "aria-label",
          `${ORDINAL[k]} digit: ${d.digit === null ? "not a digit" : d.digit}`,
        );
        button.addEventListener("click", () => this.onPick(k));
        return button;
      }),
    );
  }
}
