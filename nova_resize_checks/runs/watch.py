# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.


"""The one watch-and-kill loop: run a process, read its pipes, bound it.

The process runs in a new session; everything it starts is killed with it
(and, confined, its pid namespace dies with its first process).  It is
killed when it shows no progress (no new result bytes) for ``allowance``
seconds, when it runs past ``deadline`` seconds in all, or when it writes
more than ``max_bytes`` of results.  Its stderr is drained and only its
tail kept.
"""

import dataclasses
import os
import selectors
import subprocess
import time

from nova_resize_checks import children

MAX_RESULT_BYTES = 16 * 1024 ** 2
STDERR_TAIL = 16 * 1024


@dataclasses.dataclass
class Finished:
    data: bytes
    stderr: str
    returncode: int
    timed_out: bool = False
    flooded: bool = False
    seconds: float = 0.0


def _kill(proc):
    children.kill(proc)


def run(argv, allowance, deadline=None, env=None, cwd=None, pass_fds=(),
        preexec_fn=None, max_bytes=MAX_RESULT_BYTES, on_progress=None,
        stdin_data=None):
    """Run ``argv`` to its end under the bounds above; returns Finished.

    ``stdin_data`` (bytes, small) is the process's whole stdin; without
    it, stdin is /dev/null.  Raises :class:`children.Interrupted` when the
    user interrupted the command (before the start, or while it ran: it is
    killed then).
    """
    start = time.monotonic()
    proc = children.start(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL if stdin_data is None else subprocess.PIPE,
        env=env, cwd=cwd, pass_fds=tuple(pass_fds), preexec_fn=preexec_fn)
    if stdin_data is not None:
        try:
            proc.stdin.write(stdin_data)
        except OSError:
            pass
        finally:
            try:
                proc.stdin.close()
            except OSError:
                pass
    try:
        return _watch(proc, start, allowance, deadline, max_bytes,
                      on_progress)
    finally:
        children.finished(proc)


def _watch(proc, start, allowance, deadline, max_bytes, on_progress):
    chunks, size, tail = [], 0, b''
    timed_out = flooded = False
    last = time.monotonic()
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ, 'out')
        sel.register(proc.stderr, selectors.EVENT_READ, 'err')
        open_pipes = 2
        while open_pipes:
            if children.cancelled():
                _kill(proc)
                break
            now = time.monotonic()
            if now - last > allowance or (deadline and
                                          now - start > deadline):
                timed_out = True
                _kill(proc)
                break
            for key, _ in sel.select(timeout=0.2):
                block = os.read(key.fileobj.fileno(), 65536)
                if not block:
                    sel.unregister(key.fileobj)
                    open_pipes -= 1
                    continue
                if key.data == 'err':
                    tail = (tail + block)[-STDERR_TAIL:]
                    continue
                size += len(block)
                if size > max_bytes:
                    flooded = True
                    break
                chunks.append(block)
                last = time.monotonic()
                if on_progress is not None:
                    on_progress()
            if flooded:
                _kill(proc)
                break
    # After a kill the pipes may stay open in grandchildren for a moment;
    # the pid namespace (or process group) is gone, so wait is bounded.
    if timed_out or flooded:
        _kill(proc)
    try:
        returncode = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        _kill(proc)
        returncode = proc.wait()
    proc.stdout.close()
    proc.stderr.close()
    if children.cancelled():
        raise children.Interrupted()
    return Finished(b''.join(chunks), tail.decode('utf-8', 'replace'),
                    returncode, timed_out, flooded,
                    round(time.monotonic() - start, 3))
