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

"""The command at the terminal, end to end: Ctrl-C and shared runs.

One class, one private cache: a cold ``review`` interrupted while its
runs go (it must stop within 2 s with exit 130, kill every process it
started and cache nothing), then two invocations at once on the same
cold cache (each run is done by one of them only), then a warm one that
answers everything from the cache.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import testtools

HERE = os.path.dirname(os.path.abspath(__file__))
REVIEW = os.path.join(os.path.dirname(HERE), 'samples', 'reviews',
                      'line_change_breaks.txt')


def _start(cache, *args):
    env = dict(os.environ, XDG_CACHE_HOME=cache)
    return subprocess.Popen(
        [sys.executable, '-m', 'nova_resize_checks.cli', 'review'] +
        list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL, env=env)


def _descendants(pid):
    """Every live process below ``pid`` (new sessions included)."""
    parents = {}
    for name in os.listdir('/proc'):
        if not name.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % name) as f:
                fields = f.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        if fields[0] != 'Z':
            parents.setdefault(int(fields[1]), []).append(int(name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _alive(pids):
    alive = []
    for pid in pids:
        try:
            with open('/proc/%d/stat' % pid) as f:
                if f.read().rsplit(')', 1)[1].split()[0] != 'Z':
                    alive.append(pid)
        except OSError:
            pass
    return alive


def _entries(cache):
    return sorted(os.path.join(root, name)
                  for root, _dirs, names in os.walk(cache)
                  for name in names if name.endswith('.json') and
                  os.sep + 'prepared' + os.sep not in root + os.sep)


class TestTerminal(testtools.TestCase):

    @classmethod
    def setUpClass(cls):
        super(TestTerminal, cls).setUpClass()
        cls._tmp = tempfile.TemporaryDirectory(prefix='nrc-terminal-')
        cache = cls._tmp.name
        # Interrupted once the canonical run and the matrix are going.
        proc = _start(cache, '--format', 'json', REVIEW)
        # The window with four or more processes below the command is
        # the canonical run beside the matrix children (a few seconds on
        # an idle machine): interrupt inside it, as soon as it is seen.
        deadline = time.monotonic() + 300
        cls.before = []
        while time.monotonic() < deadline and len(cls.before) < 4:
            time.sleep(0.2)
            cls.before = _descendants(proc.pid)
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        cls.interrupt = (proc.returncode, time.monotonic() - sent,
                         err.decode(), out)
        # SIGKILL was sent to every session before the exit; on a loaded
        # machine (load 7 to 24 on 2 cores in CI) a killed process may
        # wait seconds to be scheduled and torn down, so the kernel is
        # given 15 s to finish what the tool started.
        gone_by = time.monotonic() + 15
        cls.left = _alive(cls.before)
        while cls.left and time.monotonic() < gone_by:
            time.sleep(0.2)
            cls.left = _alive(cls.before)
        cls.after_interrupt = _entries(cache)
        # Two at once on the same cold cache, then a warm one.
        first = _start(cache, '--format', 'json', REVIEW)
        second = _start(cache, '--format', 'json', REVIEW)
        cls.pair = [(p.returncode, json.loads(out.decode() or '{}'),
                     err.decode()) for p, (out, err) in
                    [(p, p.communicate(timeout=1800))
                     for p in (first, second)]]
        warm = _start(cache, '--format', 'json', REVIEW)
        out, err = warm.communicate(timeout=600)
        cls.warm = (warm.returncode, json.loads(out.decode() or '{}'),
                    err.decode())

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()
        super(TestTerminal, cls).tearDownClass()

    def test_ctrl_c_stops_at_once(self):
        code, seconds, err, out = self.interrupt
        self.assertGreaterEqual(len(self.before), 4, err)
        self.assertEqual(130, code, err)
        self.assertLess(seconds, 2.0, err)
        self.assertIn('interrupted', err)
        self.assertNotIn('Traceback', err)
        self.assertEqual(b'', out)

    def test_ctrl_c_leaves_no_process_and_no_cache_entry(self):
        self.assertEqual([], self.left)
        self.assertEqual([], self.after_interrupt)

    def test_two_invocations_share_their_runs(self):
        for code, doc, err in self.pair:
            self.assertEqual(1, code, err)
            self.assertEqual(['breaks'],
                             [r['verdict'] for r in doc['reviews']])
        code, warm, err = self.warm
        self.assertEqual(1, code, err)
        self.assertEqual(0, warm['runs']['runs'])
        # Every run the warm invocation needed was done exactly once by
        # one of the pair.
        self.assertEqual(warm['runs']['cached'],
                         sum(doc['runs']['runs'] for _c, doc, _e in
                             self.pair))
