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


"""Every child process the tool starts, so that Ctrl-C ends them all.

Runs, the matrix children and the scenario observer start in sessions
of their own (a terminal's Ctrl-C does not reach them, and killing the
session kills everything they started).  They are started through
:func:`start`, which records them; :func:`cancel` (the command line's
SIGINT handler calls it) kills every recorded session at once, and from
then on :func:`start` refuses to start another, so a pool stops within
moments instead of running its queue out.  Callers that cache results
ask :func:`cancelled` first: a run cut short by a cancel is never
cached.

:func:`listen` lets a progress display hear :func:`emit`'s events from
wherever children are started.
"""

import contextlib
import os
import signal
import subprocess
import threading


class Interrupted(KeyboardInterrupt):
    """The user interrupted the command: nothing more is started."""


# Reentrant: the SIGINT handler calls cancel() in the main thread, which
# may be inside start() holding it.
_lock = threading.RLock()
_live = set()
_cancelled = threading.Event()
_listeners = []


def start(argv, **kwargs):
    """Start ``argv`` in a new session, recorded until :func:`finished`.

    ``subprocess.Popen(argv, start_new_session=True, **kwargs)``; raises
    Interrupted after a cancel.
    """
    with _lock:
        if _cancelled.is_set():
            raise Interrupted()
        proc = subprocess.Popen(argv, start_new_session=True, **kwargs)
        _live.add(proc)
    return proc


def finished(proc):
    with _lock:
        _live.discard(proc)


def kill(proc):
    """SIGKILL ``proc``'s whole session."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        proc.kill()
    except OSError:
        pass


def cancel():
    """Kill every recorded child now and start no other."""
    with _lock:
        _cancelled.set()
        live = list(_live)
    for proc in live:
        kill(proc)


def cancelled():
    return _cancelled.is_set()


def reset():
    """Forget a cancel (a new command in the same process)."""
    with _lock:
        _cancelled.clear()


def live():
    with _lock:
        return len(_live)


def emit(event, **kw):
    for listener in list(_listeners):
        listener(event, **kw)


@contextlib.contextmanager
def listen(callback):
    _listeners.append(callback)
    try:
        yield
    finally:
        _listeners.remove(callback)
