"""Browser tests: the real server, the page in headless Chromium, input as real pointer events."""
