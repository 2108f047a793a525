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


"""The run cache: results on disk, written by the parent only.

Runs never see the cache (it is hidden inside their confinement) and never
write it: the parent stores a result after it has read it from the run's
channel.  Entries are keyed by content (version, variant, environment);
unreadable or foreign entries are ignored, never trusted.
"""

import fcntl
import json
import os
import tempfile
import time

from nova_resize_checks import children
from nova_resize_checks.runs import results

FORMAT = 6


def default_dir():
    base = os.environ.get('XDG_CACHE_HOME') or os.path.join(
        os.path.expanduser('~'), '.cache')
    return os.path.join(base, 'nova-resize-checks', 'runs')


class JsonStore(object):
    """JSON documents on disk, one file per key.

    Writes go to a temporary file in the same directory and are renamed
    into place, so readers never see half an entry; an entry is only
    returned for the key and format it was written for.
    """

    def __init__(self, directory, fmt=FORMAT):
        self.directory = directory
        self.format = fmt

    def _path(self, key):
        return os.path.join(self.directory, key[:2], key + '.json')

    def read(self, key):
        try:
            with open(self._path(key)) as f:
                data = json.load(f)
        except (OSError, ValueError, RecursionError):
            return None
        if not isinstance(data, dict) or data.get(
                'format') != self.format or data.get('key') != key:
            return None
        return data.get('payload')

    def write(self, key, payload):
        path = self._path(key)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path),
                                       suffix='.tmp')
            try:
                with os.fdopen(fd, 'w') as f:
                    json.dump({'format': self.format, 'key': key,
                               'payload': payload}, f)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, path)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        except (OSError, TypeError, ValueError):
            # A cache that cannot be written only costs time.
            pass


class Lock(object):
    """An exclusive ``flock`` on a file of the cache, for one work unit.

    The kernel drops it when its holder exits, however it exits, so a
    killed invocation never leaves a stale lock.  ``waited`` tells whether
    another holder had it first (its results may be in the cache now).
    """

    POLL = 0.2

    def __init__(self, path, interrupted=None):
        self.waited = False
        self._fd = None
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC,
                               0o600)
        except OSError:
            # No lock where the cache cannot be written: runs may repeat,
            # which only costs time.
            return
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                self.waited = True
            if interrupted is not None and interrupted():
                self.release()
                raise children.Interrupted()
            time.sleep(self.POLL)

    def release(self):
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class Cache(JsonStore):
    """Run results, one entry per (version, variant, environment)."""

    def get(self, key):
        try:
            result = results.RunResult.from_dict(self.read(key))
        except (TypeError, ValueError):
            return None
        result.cached = True
        return result

    def put(self, key, result):
        self.write(key, result.to_dict())

    def lock(self, key, interrupted=None):
        """Wait for and take the lock of work unit ``key``; a :class:`Lock`.

        ``interrupted()``, polled while waiting, ends the wait with
        :class:`children.Interrupted` when it returns true.
        """
        return Lock(os.path.join(self.directory, 'locks', key[:2],
                                 key + '.lock'), interrupted)
