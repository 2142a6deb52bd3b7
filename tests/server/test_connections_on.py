"""The soak's count of a process's client connections (harness.topology.connections_on): the
connections accepted on a port that the process holds, not its own outgoing ones."""

import os
import socket

from harness.topology import connections_on


def test_counts_the_connections_a_process_accepted_on_the_port():
    pid = os.getpid()
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
        accepted = [server.accept()[0] for _ in clients]
        try:
            # The clients' own sockets are this process's too, but their local port is another.
            assert connections_on(port, [pid]) == {pid: 3}
            accepted.pop().close()
            clients.pop().close()
            assert connections_on(port, [pid]) == {pid: 2}
        finally:
            for each in clients + accepted:
                each.close()


def test_a_process_that_is_gone_holds_none():
    gone = 2**22 + 12345
    assert connections_on(80, [gone]) == {gone: 0}
