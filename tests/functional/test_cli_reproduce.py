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


"""``nova-resize-checks reproduce`` end to end, as a user runs it."""

import json
import subprocess
import sys

import jsonschema
import testtools

from nova_resize_checks import env
from nova_resize_checks import schemas


def _run(*args):
    proc = subprocess.run(
        [sys.executable, '-m', 'nova_resize_checks.cli', 'reproduce'] +
        list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL, timeout=600)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


class TestReproduceCommand(testtools.TestCase):

    def test_real_nova_json(self):
        code, out, err = _run('--format', 'json')
        self.assertEqual(0, code, err)
        doc = json.loads(out)
        jsonschema.validate(doc, schemas.load('reproduce'))
        self.assertEqual(schemas.FORMAT_VERSION, doc['format_version'])
        self.assertEqual(env.concurrency(), doc['concurrency'])
        self.assertEqual('fixed', doc['verdict'])
        self.assertIsNotNone(doc['versions']['nova'])
        self.assertIsNotNone(doc['versions']['openstack-placement'])
        dest = doc['observation']['providers']['dest']
        self.assertEqual({'VCPU': 1, 'MEMORY_MB': 2048, 'DISK_GB': 20},
                         dest['usages'])

    def test_bug_mutant_text(self):
        code, out, err = _run('--mutant', 'bug-1825537')
        self.assertEqual(1, code, err)
        self.assertIn('verdict: affected', out)
        self.assertIn('nova ', out)
        self.assertIn('flavor1', out)
