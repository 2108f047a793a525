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


"""Progress on stderr, for every command that runs things.

It counts what really runs: the pool and the matrix announce an upper
bound (``plan``), and the bound shrinks as runs turn out not to be
needed (``skipped``: a version failed against real nova or a mutant
survived) or another invocation ran them (``cached``).  The ETA is the
runs still to do times the mean measured run time, over the parallel
jobs, less the time since the last run ended; there is none before the
first run is measured.  On a terminal one
line is rewritten in place; off a terminal (CI logs, ``--format json``
piped) a line is written every :data:`EVERY` runs or every
:data:`INTERVAL` seconds, whichever comes first, so a log never goes
quiet for long.  stdout is never touched.
"""

import threading
import time

from nova_resize_checks.report import safe

INTERVAL = 10.0
EVERY = 10


def _clock(seconds):
    seconds = int(round(seconds))
    if seconds >= 3600:
        return '%dh%02dm' % (seconds // 3600, seconds % 3600 // 60)
    if seconds >= 60:
        return '%dm%02ds' % (seconds // 60, seconds % 60)
    return '%ds' % seconds


class Progress(object):

    def __init__(self, stream, what='run', jobs=1, enabled=True,
                 interval=INTERVAL, every=EVERY):
        self.stream = stream
        self.what = what
        self.jobs = max(1, jobs or 1)
        self.enabled = enabled
        try:
            self.tty = stream.isatty()
        except (AttributeError, ValueError):
            self.tty = False
        self.interval = interval
        self.every = every
        self.total = 0
        self.done = 0
        self.cached = 0
        self.measured = []
        self.last = ''
        self.start = time.monotonic()
        self._printed_at = self.start
        self._printed_done = 0
        self._last_done = self.start
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker = None
        if enabled:
            self._ticker = threading.Thread(target=self._tick, daemon=True)
            self._ticker.start()

    # Events (from any thread).
    def __call__(self, event, **kw):
        if not self.enabled:
            return
        with self._lock:
            if event == 'plan':
                self.total += kw.get('total', 0)
                self.cached += kw.get('cached', 0)
            elif event == 'done':
                self.done += 1
                self._last_done = time.monotonic()
                if kw.get('seconds'):
                    self.measured.append(float(kw['seconds']))
                self.last = '%s vs %s: %s' % (
                    safe.line(kw.get('version', '')), kw.get('variant', ''),
                    kw.get('outcome', ''))
            elif event == 'skipped':
                self.total -= kw.get('count', 0)
            elif event == 'cached':
                self.total -= kw.get('count', 0)
                self.cached += kw.get('count', 0)
            else:
                return
            due = self.tty or (self.done - self._printed_done >= self.every)
        if due:
            self._print()

    def child_done(self, event, **kw):
        """A children listener: every child that ends counts as a run."""
        if event == 'child-done':
            self('done', version=kw.get('module', '').rsplit('.', 1)[-1],
                 variant='', outcome='done', seconds=kw.get('seconds'))

    def eta(self):
        """Seconds still to go, or None before the first measured run."""
        if not self.measured:
            return None
        left = max(0, self.total - self.done)
        mean = sum(self.measured) / len(self.measured)
        # Runs in flight since the last one ended have used some of it.
        since = time.monotonic() - self._last_done
        return max(1.0, left * mean / max(1, min(self.jobs, left or 1)) -
                   since) if left else 0.0

    def line(self):
        with self._lock:
            elapsed = time.monotonic() - self.start
            if self.total > 0:
                done = '%d/%d %s(s)' % (min(self.done, self.total),
                                        self.total, self.what)
            else:
                done = '%d %s(s)' % (self.done, self.what)
            parts = [done]
            if self.cached:
                parts.append('%d from cache' % self.cached)
            parts.append('%s elapsed' % _clock(elapsed))
            eta = self.eta()
            if eta is not None and self.total > self.done:
                parts.append('ETA %s' % _clock(eta))
            text = ', '.join(parts)
            if self.last:
                text += '; last: %s' % self.last
            return text

    def _print(self):
        text = self.line()
        with self._lock:
            self._printed_at = time.monotonic()
            self._printed_done = self.done
            if self.tty:
                self.stream.write('\r\x1b[K' + text[:200])
            else:
                self.stream.write(text + '\n')
            self.stream.flush()

    def _tick(self):
        step = 1.0 if self.tty else min(1.0, self.interval)
        while not self._stop.wait(step):
            if self.tty or (time.monotonic() - self._printed_at >=
                            self.interval):
                self._print()

    def close(self):
        if not self.enabled:
            return
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(2)
        with self._lock:
            if self.tty:
                self.stream.write('\r\x1b[K')
                self.stream.flush()
            elif self.done:
                self.stream.write('%d %s(s) done in %s\n' % (
                    self.done, self.what,
                    _clock(time.monotonic() - self.start)))
                self.stream.flush()
