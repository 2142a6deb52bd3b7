"""What every answer of the API looks like from outside: JSON, and errors in the one shape."""

import json


def keeps_api_shape(status, content_type, body):
    """Whether a response is JSON and, for an error status, exactly the one error shape:
    {"error": {"code": ..., "message": ...}}."""
    if (content_type or "").split(";")[0].strip() != "application/json":
        return False
    answer = json.loads(body)
    if status < 400:
        return True
    if not isinstance(answer, dict) or set(answer) != {"error"}:
        return False
    return isinstance(answer["error"], dict) and set(answer["error"]) == {"code", "message"}
