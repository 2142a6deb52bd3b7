// Which pointer may draw: one at a time, a pen before a finger, and never a palm.
//
// A pen in range reports events before it touches (hover) and for a moment after; while it does,
// touches are a resting hand, not drawing. A contact larger than a fingertip is a palm or the side
// of a hand.

// contacts wider or taller than this (about 13 mm) are not a fingertip
export const PALM_CSS_PX = 48;
export const PEN_GRACE_MS = 1000; // touches are ignored this long after the pen was last seen

export class PointerPolicy {
  constructor({ palm = PALM_CSS_PX, penGrace = PEN_GRACE_MS, now = () => performance.now() } = {}) {
    this.palm = palm;
    this.penGrace = penGrace;
    this.now = now;
    this.penSeen = -Infinity;
  }

  // Every pointer event passes here first, so a hovering pen counts as "in use".
  seen(e) {
    if (e.pointerType === "pen") this.penSeen = this.now();
  }

  isPalm(e) {
    return e.pointerType === "touch" && Math.max(e.width || 0, e.height || 0) > this.palm;
  }

  penInUse() {
    return this.now() - this.penSeen < this.penGrace;
  }

  // May this pointer start a stroke? activeType: the pointer type drawing now, or null.
  mayStart(e, activeType) {
    if (e.pointerType === "mouse" && e.button !== 0) return false;
    if (this.isPalm(e)) return false;
    if (e.pointerType === "touch" && this.penInUse()) return false;
    if (activeType === null) return true;
    // a pen takes over from a finger or a mouse
    return e.pointerType === "pen" && activeType !== "pen";
  }
}
