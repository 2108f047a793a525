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


"""The run cache under SIGKILL and concurrent writers.

Writers are real processes killed with SIGKILL at arbitrary moments; every
entry left behind must read back whole (or not at all) for its own key.
"""

import glob
import os
import random
import signal
import subprocess
import sys
import time

import fixtures
import testtools

from nova_resize_checks.runs import cache as runs_cache

WRITER = '''
import sys
from nova_resize_checks.runs import cache as runs_cache
from nova_resize_checks.runs import results
cache = runs_cache.Cache(sys.argv[1])
n = 0
while True:
    key = '%064x' % (n % 40)
    cache.put(key, results.RunResult('real', 'fail', n, 'x' * (n % 5000)))
    n += 1
'''


class TestCacheDurability(testtools.TestCase):

    def setUp(self):
        super(TestCacheDurability, self).setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path

    def _writer(self):
        proc = subprocess.Popen([sys.executable, '-c', WRITER, self.dir],
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        # Kill it only once it writes: a loaded machine may take seconds
        # to start Python.
        deadline = time.monotonic() + 120
        while not glob.glob(os.path.join(self.dir, '*', '*.json')):
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                self.fail('the writer wrote nothing (exit %s)'
                          % proc.poll())
            time.sleep(0.05)
        return proc

    def _check_entries(self):
        cache = runs_cache.Cache(self.dir)
        entries = glob.glob(os.path.join(self.dir, '*', '*.json'))
        self.assertTrue(entries)
        for path in entries:
            key = os.path.basename(path)[:-len('.json')]
            result = cache.get(key)
            self.assertIsNotNone(result, path)
            self.assertEqual('x' * (int(result.seconds) % 5000),
                             result.evidence)
        return len(entries)

    def test_sigkill_at_random_moments(self):
        rng = random.Random(1825537)
        for _ in range(8):
            proc = self._writer()
            time.sleep(rng.uniform(0.3, 0.8))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        self.assertGreater(self._check_entries(), 0)

    def test_concurrent_writers(self):
        procs = [self._writer() for _ in range(3)]
        time.sleep(1.5)
        for proc in procs:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        self.assertEqual(40, self._check_entries())
