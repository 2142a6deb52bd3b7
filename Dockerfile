# The app as deploy/digits@.service runs it, in a container (compose.yaml runs the whole
# topology). Containers cannot run on the project's test machines: tests/test_deploy.py holds
# this file to the tested setup (the same command, the files the app reads, /api/ready).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /opt/digits

# The serving set only, locked and hashed: no torch (the server reads the weights with
# safetensors into numpy), nothing that only training or the tests need.
COPY requirements/serve.txt requirements/serve.txt
RUN pip install --no-cache-dir --require-hashes -r requirements/serve.txt

# What the server reads: the recognition core, the web layer, the page, the shipped model.
COPY recognition recognition
COPY webapp webapp
COPY static static
COPY templates templates
COPY models models

RUN useradd --system --home-dir /opt/digits digits && mkdir instance && chown digits instance
USER digits

HEALTHCHECK --interval=10s --timeout=3s --start-period=30s \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('DIGITS_PORT', '8000') + '/api/ready', timeout=2)"

CMD ["python", "-m", "webapp"]
