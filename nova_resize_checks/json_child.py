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


"""A child Python process that answers with one JSON document.

The scenario observer and the assertion x mutant matrix run nova in a
child process of their own (importing nova's test framework patches the
process) and hand back a JSON document through a file named by
``--output``.  :func:`write` is the child's side (written atomically, so
the parent never reads half a document), :func:`run` the parent's.
"""

import json
import os
import subprocess
import sys
import tempfile
import threading
import time

from nova_resize_checks import children
from nova_resize_checks import env

# A line a child prints on its stdout to say a piece of its work is done:
# "nrc-progress NAME SECONDS".
PROGRESS = 'nrc-progress'


def progress_line(name, seconds):
    """Tell the parent (on stdout) that ``name`` took ``seconds``."""
    sys.stdout.write('%s %s %.3f\n' % (PROGRESS, name, seconds))
    sys.stdout.flush()


def write(path, document):
    """Write ``document`` to ``path`` atomically (the child's side)."""
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(document, f, indent=1, sort_keys=True)
    os.replace(tmp, path)


def _communicate(proc, timeout, on_progress):
    """Wait for ``proc``, reading its progress lines; (timed out, stderr)."""
    stderr = []
    reader = threading.Thread(target=lambda: stderr.append(
        proc.stderr.read()), daemon=True)
    reader.start()
    expired = threading.Event()

    def expire():
        expired.set()
        children.kill(proc)

    timer = threading.Timer(timeout, expire)
    timer.daemon = True
    timer.start()
    try:
        for raw in proc.stdout:
            words = raw.decode('utf-8', 'replace').split()
            if len(words) == 3 and words[0] == PROGRESS and on_progress:
                try:
                    on_progress(words[1], float(words[2]))
                except ValueError:
                    pass
        proc.wait()
    finally:
        timer.cancel()
    reader.join(5)
    return expired.is_set(), b''.join(stderr)


def run(module, args, timeout, python=None, error=RuntimeError,
        what='the child', work='its work', on_progress=None):
    """Run ``python -m module --output FILE args...``; return its document.

    ``error`` is raised when ``work`` runs out of ``timeout`` seconds or
    the child (``what``) writes no document; EnvironmentProblem when it
    cannot start or reports an ``environment_error``;
    :class:`children.Interrupted` when the user interrupted the command.
    ``on_progress(name, seconds)`` hears the child's progress lines.  The
    child runs in a session of its own (:mod:`children`); listeners hear
    ``child-done`` when it ends.
    """
    prefix = 'nrc-%s-' % module.rsplit('.', 1)[-1]
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        output = os.path.join(tmp, 'result.json')
        cmd = [python or sys.executable, '-m', module,
               '--output', output] + list(args)
        started = time.monotonic()
        try:
            proc = children.start(cmd, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, cwd=tmp)
        except OSError as exc:
            raise env.EnvironmentProblem('cannot start %s: %s'
                                         % (cmd[0], exc))
        try:
            expired, stderr = _communicate(proc, timeout, on_progress)
        finally:
            if proc.poll() is None:
                children.kill(proc)
                proc.wait()
            children.finished(proc)
            proc.stdout.close()
            proc.stderr.close()
        if children.cancelled():
            raise children.Interrupted()
        children.emit('child-done', module=module,
                      seconds=time.monotonic() - started)
        if expired:
            raise error('%s did not finish within %ss' % (work, timeout))
        if not os.path.exists(output):
            tail = stderr.decode('utf-8', 'replace').strip()
            raise error('%s exited with %s and wrote no result:\n%s'
                        % (what, proc.returncode, tail[-3000:]))
        with open(output) as f:
            document = json.load(f)
    if 'environment_error' in document:
        raise env.EnvironmentProblem(document['environment_error'])
    return document
