"""One JSON error shape for the whole API: {"error": {"code": ..., "message": ...}}."""

import json

from flask import jsonify, request
from werkzeug.exceptions import HTTPException

# HTTP status -> the code word clients can switch on; 403, 414, 417, 431 and 501 are gunicorn's
# own, for requests it refuses before the app sees them (webapp.worker); 408 is the server
# worker's, for a body that does not arrive in time (webapp.worker).
CODES = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    413: "too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    417: "expectation_failed",
    429: "too_many_requests",
    431: "headers_too_large",
    500: "internal_error",
    501: "not_implemented",
    503: "unavailable",
    507: "store_full",
}


class ApiError(Exception):
    """An error the API answers with: status, code word and a message for people."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_body(code, message):
    """The one error shape."""
    return {"error": {"code": code, "message": message}}


def server_error(status, message):
    """(body, headers) of an error the server writes itself, outside Flask: gunicorn's refusals
    and the worker's 408 (both in webapp.worker). The one shape, with the headers every
    response of the app carries.
    """
    from . import CONTENT_SECURITY_POLICY, SECURITY_HEADERS

    body = json.dumps(error_body(CODES.get(status, "http_error"), message)).encode()
    headers = [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body))),
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        *SECURITY_HEADERS.items(),
    ]
    return body, headers


def error_response(status, code, message):
    """The one place the app builds an error response."""
    response = jsonify(error_body(code, message))
    response.status_code = status
    return response


# A body refused as too large is still read off the connection, up to this many bytes, so that a
# keep-alive client's next request is not parsed out of its tail (and the connection dropped).
DRAIN_LIMIT = 16 * 1024 * 1024


def drain_body(environ, limit=DRAIN_LIMIT):
    """Read and drop what is left of the request's body (at most limit bytes); whether it ended
    within them.
    """
    stream = environ.get("wsgi.input")
    if stream is None:
        return True
    left = limit
    while left > 0:
        chunk = stream.read(min(64 * 1024, left))
        if not chunk:
            return True
        left -= len(chunk)
    return False


def _is_api():
    return request.path == "/api" or request.path.startswith("/api/")


def register(app):
    """JSON errors for everything under /api; the pages keep Flask's own error pages."""

    @app.errorhandler(ApiError)
    def api_error(exc):
        return error_response(exc.status, exc.code, exc.message)

    @app.errorhandler(HTTPException)
    def http_error(exc):
        if exc.code == 413:
            drain_body(request.environ)
        if not _is_api():
            return exc
        response = error_response(exc.code, CODES.get(exc.code, "http_error"), exc.description)
        # What the error says besides its body: Allow on a 405, Retry-After where there is one.
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unexpected(exc):
        app.logger.exception("unhandled error on %s", request.path)
        if not _is_api():
            return "Internal server error", 500
        return error_response(500, "internal_error", "the server failed to handle this request")
