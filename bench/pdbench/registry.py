"""A registry for the push rows: Debian's docker-registry on 127.0.0.1 and a free port, its storage
in a temporary folder, started on first use and stopped when the bench ends.

Every push command starts by emptying the storage (the registry keeps no cache of its own here),
so neither ours nor skopeo finds a blob already there: both send the whole layer every run.
"""

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
import time

_state = {}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start():
    home = tempfile.mkdtemp(prefix="pdbench-registry-")
    port = _free_port()
    config = os.path.join(home, "config.yml")
    with open(config, "w") as f:
        f.write(f"version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n"
                f"storage:\n  filesystem:\n    rootdirectory: {home}/data\n  delete:\n    enabled: true\n"
                f"http:\n  addr: 127.0.0.1:{port}\n  secret: pdbench\n")
    proc = subprocess.Popen(["docker-registry", "serve", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                raise SystemExit("bench: docker-registry did not start (apt install docker-registry)")
            time.sleep(0.05)

    def stop():
        proc.kill()
        proc.wait()
        shutil.rmtree(home, ignore_errors=True)

    atexit.register(stop)
    _state.update(address=f"127.0.0.1:{port}", storage=os.path.join(home, "data"), pid=proc.pid)


def address() -> str:
    if not _state:
        _start()
    return _state["address"]


def storage() -> str:
    if not _state:
        _start()
    return _state["storage"]


def pid() -> int:
    """The registry's process, whose CPU the cluster bench reads to cost a blob (cluster_bench.py)."""
    if not _state:
        _start()
    return _state["pid"]


def empty():
    """Removes every repository, so the next push sends every blob (Debian's registry keeps no other cache)."""
    shutil.rmtree(os.path.join(storage(), "docker"), ignore_errors=True)
