"""The production server's worker: requests are read on an event loop, the app runs in threads.

gunicorn's thread worker gives each connection a thread from the moment its first byte arrives,
so a few clients that send their headers or body a byte a second hold every thread and the
server stops answering. Here each connection is a greenlet (gevent), which costs a little memory
and nothing else while it waits: a request's headers, then its whole body, are read there under
a time limit. Only a complete request is handed to a thread, where the Flask app (and the model,
which releases the GIL) runs as it did under the thread worker; its answer comes back to the
greenlet, which writes it to the client however slowly that one reads.

gevent patches the standard library's sockets, so reading and writing yield to the event loop.
It does not patch threads here: the app's threads are the operating system's, with their own
locks, as the app and numpy expect.
"""

import io
import time

import gevent
from gevent import monkey
from gevent.threadpool import ThreadPool
from gunicorn import util as gunicorn_util
from gunicorn.workers.ggevent import GeventWorker

from .errors import drain_body, server_error
from .observe import server_answered

READ_CHUNK = 64 * 1024


class BodyTooSlow(Exception):
    """The client did not send its whole body within READ_TIMEOUT."""


class EventLoopWorker(GeventWorker):
    """gunicorn's gevent worker, with the app called in a pool of native threads."""

    def patch(self):
        # gunicorn's own patch() patches everything, threads included; the app's threads must stay
        # native. Its second half (the listening sockets rewrapped for gevent) is repeated here.
        monkey.patch_all(thread=False)
        self.sockets = [
            gevent.socket.socket(s.FAMILY, gevent.socket.SOCK_STREAM, fileno=s.sock.detach())
            for s in self.sockets
        ]

    def init_process(self):
        self.pool = ThreadPool(self.cfg.threads)
        self.flask_app = self.app.wsgi()
        self.read_timeout = self.flask_app.config["READ_TIMEOUT"]
        self.max_body = self.flask_app.config["MAX_CONTENT_LENGTH"]
        # What handle_error knew of each request gunicorn refuses (its parsed part, if any, and
        # the client's address), by the client's socket, for write_error.
        self.refusing = {}
        # gunicorn writes its own refusals (a request line or header it cannot parse, one too
        # long) through this one function of its util module.
        gunicorn_util.write_error = self.write_error
        super().init_process()

    def handle_error(self, req, client, addr, exc):
        self.refusing[id(client)] = (req, addr)
        try:
            super().handle_error(req, client, addr, exc)
        finally:
            self.refusing.pop(id(client), None)

    def write_error(self, sock, status, reason, message):
        """What gunicorn writes for a request it cannot parse: the API's one error shape with
        the headers every response of the app carries, instead of gunicorn's HTML page, and the
        request log's line and count, as for the app's own answers."""
        req, addr = self.refusing.get(id(sock), (None, None))
        sent = [v for k, v in getattr(req, "headers", ()) if k.upper() == "X-REQUEST-ID"]
        request_id = server_answered(
            self.flask_app,
            status,
            getattr(req, "method", None),
            getattr(req, "path", None),
            address=addr[0] if addr else None,
            sent=sent[0] if sent else "",
        )
        body, headers = server_error(status, message)
        headers = [("Connection", "close"), ("X-Request-Id", request_id), *headers]
        head = f"HTTP/1.1 {status} {reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers)
        gunicorn_util.write_nonblock(sock, head.encode("latin-1") + b"\r\n" + body)

    def timeout_ctx(self):
        # Around the wait for a request and the reading of its headers: a connection that does
        # not complete its headers in time is closed (gunicorn's own worker uses the keep-alive
        # time here).
        return gevent.Timeout(self.read_timeout, False)

    def load_wsgi(self):
        super().load_wsgi()
        self.wsgi = self.buffered(self.wsgi)

    def buffered(self, app):
        """app as a WSGI callable that reads the whole body first and runs app in a thread."""

        def call(environ, start_response):
            started = time.perf_counter()
            try:
                body, over = self.read_body(environ)
            except BodyTooSlow:
                return self.refuse_slow_body(environ, start_response, time.perf_counter() - started)
            inner = dict(environ, **{"wsgi.input": io.BytesIO(body)})
            inner.pop("wsgi.file_wrapper", None)
            status, headers, chunks = self.pool.spawn(run_app, app, inner).get()
            if over and not self.drain(environ):
                force_close(start_response)
            start_response(status, headers)
            return chunks

        return call

    def read_body(self, environ):
        """(body, over): the request's body as bytes, at most max_body + 1 of them (more and the
        app answers 413), and whether there was more than max_body.
        """
        stream = environ["wsgi.input"]
        declared = environ.get("CONTENT_LENGTH")
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if not chunked and declared in (None, "", "0"):
            return b"", False
        if not chunked and declared.isdigit() and int(declared) > self.max_body:
            return b"", True  # refused unread; drained after the answer
        parts = []
        size = 0
        with gevent.Timeout(self.read_timeout, BodyTooSlow):
            while size <= self.max_body:
                chunk = stream.read(min(READ_CHUNK, self.max_body + 1 - size))
                if not chunk:
                    break
                parts.append(chunk)
                size += len(chunk)
        return b"".join(parts), size > self.max_body

    def drain(self, environ):
        """Read what is left of a refused body off the connection (errors.drain_body, within
        READ_TIMEOUT), so that a keep-alive client's next request is not parsed out of its tail.
        False if it could not be: the connection is then closed after the answer.
        """
        try:
            with gevent.Timeout(self.read_timeout, BodyTooSlow):
                return drain_body(environ)
        except BodyTooSlow:
            return False

    def refuse_slow_body(self, environ, start_response, seconds):
        """408 in the API's one error shape, and the connection closed: its body is still coming.
        Logged and counted as the app's answers are: the app never saw the request."""
        request_id = server_answered(
            self.flask_app,
            408,
            environ["REQUEST_METHOD"],
            environ.get("PATH_INFO"),
            seconds,
            environ.get("REMOTE_ADDR"),
            environ.get("HTTP_X_REQUEST_ID", ""),
        )
        body, headers = server_error(
            408, f"the request's body did not arrive within {self.read_timeout} s"
        )
        force_close(start_response)
        start_response("408 Request Timeout", [("X-Request-Id", request_id), *headers])
        return [body]


def run_app(app, environ):
    """In a thread: call the WSGI app and collect its whole answer (status, headers, chunks)."""
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, headers

    result = app(environ, start_response)
    try:
        chunks = list(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return answer["status"], answer["headers"], chunks


def force_close(start_response):
    """Close the connection after this answer. gunicorn drops a Connection header that the app
    sets, so it is asked directly: its start_response is a method of its response object.
    """
    response = getattr(start_response, "__self__", None)
    if hasattr(response, "force_close"):
        response.force_close()
