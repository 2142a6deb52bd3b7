"""Process-level tests: the production server, its command line, the deployed topology and its
soak measures."""
