// A read-only view of the page's state for browser tests and the latency benchmark; loaded only
// with ?testhook.

export function install(pad, client) {
  window.__digits = Object.freeze({
    strokes: () => JSON.parse(JSON.stringify(pad.strokes)),
    drawing: () => pad.penDown,
    version: () => client.version,
    shownVersion: () => client.shownVersion,
    state: () => client.state,
    settled: () => client.settled(),
  });
}
