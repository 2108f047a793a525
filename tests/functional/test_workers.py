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


"""The stestr worker file puts every functional test on one worker.

stestr runs a test only when a worker's regex matches it and runs it once
per matching worker: a test no regex names would silently not run.
"""

import os
import re
import unittest

import testtools
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))


class TestWorkerFile(testtools.TestCase):

    def test_every_test_runs_on_exactly_one_worker(self):
        with open(os.path.join(HERE, 'workers.yaml')) as f:
            workers = [[re.compile(r) for r in w['worker']]
                       for w in yaml.safe_load(f)]
        suite = unittest.TestLoader().discover(HERE, top_level_dir=TOP)
        ids = [t.id() for t in testtools.iterate_tests(suite)]
        self.assertGreater(len(ids), 100)
        self.assertIn(self.id(), ids)
        counts = [0] * len(workers)
        for test_id in ids:
            on = [n for n, regexes in enumerate(workers)
                  if any(r.search(test_id) for r in regexes)]
            self.assertEqual(1, len(on), '%s runs on workers %s'
                             % (test_id, on))
            counts[on[0]] += 1
        self.assertNotIn(0, counts, 'a worker with no test')
