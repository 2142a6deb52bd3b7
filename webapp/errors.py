"""One JSON error shape for the whole API: {"error": {"code": ..., "message": ...}}."""

from flask import jsonify, request
from werkzeug.exceptions import HTTPException

# HTTP status -> the code word clients can switch on.
CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    500: "internal_error",
}


class ApiError(Exception):
    """An error the API answers with: status, code word and a message for people."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_response(status, code, message):
    """The one place that builds an error response."""
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def _is_api():
    return request.path == "/api" or request.path.startswith("/api/")


def register(app):
    """JSON errors for everything under /api; the pages keep Flask's own error pages."""

    @app.errorhandler(ApiError)
    def api_error(exc):
        return error_response(exc.status, exc.code, exc.message)

    @app.errorhandler(HTTPException)
    def http_error(exc):
        if not _is_api():
            return exc
        return error_response(exc.code, CODES.get(exc.code, "http_error"), exc.description)

    @app.errorhandler(Exception)
    def unexpected(exc):
        app.logger.exception("unhandled error on %s", request.path)
        if not _is_api():
            return "Internal server error", 500
        return error_response(500, "internal_error", "the server failed to handle this request")
