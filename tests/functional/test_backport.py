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


"""``nova-resize-checks backport`` against the nova installed here.

With NOVA_SOURCE=/path tox -e functional this judges that checkout: the
static check reads its finish_resize and the scenario runs against it.
"""

import json
import os
import subprocess
import sys

import testtools

from nova_resize_checks import env


class TestBackportInstalledNova(testtools.TestCase):

    def _backport(self, *args):
        proc = subprocess.run(
            [sys.executable, '-m', 'nova_resize_checks.cli', 'backport',
             '--format', 'json'] + list(args),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL, timeout=900)
        self.assertIn(proc.returncode, (0, 1), proc.stderr.decode())
        return proc.returncode, json.loads(proc.stdout.decode())

    def test_installed_nova_static_and_dynamic_agree(self):
        code, report = self._backport()
        self.assertTrue(report['installed'])
        self.assertTrue(report['dynamic']['run'], report['dynamic'])
        self.assertTrue(report['agree'], report['reason'])
        self.assertEqual(env.distribution_version('nova'),
                         report['nova_version'])
        # Nova 20.0.0 and later carry the fix (change I52c8d038); every
        # nova this environment can run the scenario with is that new.
        self.assertEqual('fixed', report['verdict'])
        self.assertEqual('delete-allocation-after-move',
                         report['static']['shape'])
        self.assertEqual({'source': 'none', 'dest': 'flavor2'},
                         report['dynamic']['usage'])
        self.assertEqual(0, code)

    def test_naming_the_installed_tree_is_recognised(self):
        tree = os.path.dirname(env._nova_package_dir())
        code, report = self._backport('--nova-source', tree,
                                      '--static-only')
        self.assertTrue(report['installed'])
        self.assertEqual('fixed', report['static']['verdict'])
        self.assertEqual('not run: --static-only',
                         report['dynamic']['reason'])
