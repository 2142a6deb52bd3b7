"""The test suite: unit tests of the core and the app, and browser tests against the real server."""
