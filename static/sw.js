// The service worker: the app keeps working offline after its first load.
//
// Every same-origin GET goes to the network first, and a good answer refreshes the cached copy, so
// an online visitor always gets the current page; offline, the cached copy answers. The API's POSTs
// are never cached: offline, the page says the recogniser cannot be reached and keeps the drawing.
const CACHE = "digits-v4";
const SHELL = [
  "/",
  "/model",
  "/static/style.css",
  "/static/kiosk/demo-digits.json",
  ...[
    "main",
    "keep",
    "pad",
    "pointer-policy",
    "predict-client",
    "result-view",
    "number-view",
    "explain-view",
    "explain-draw",
    "explain-client",
    "kiosk",
    "corrections",
    "personal",
    "correct-sheet",
  ].map((name) => `/static/js/${name}.js`),
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (
    request.method !== "GET" ||
    url.origin !== self.location.origin ||
    url.pathname.startsWith("/api/")
  )
    return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(() =>
        caches
          .match(request, { ignoreSearch: url.pathname === "/" })
          .then((cached) => cached || Response.error()),
      ),
  );
});
