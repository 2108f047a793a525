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


import io
import json

import fixtures
import testtools

from nova_resize_checks import cli
from nova_resize_checks import env
from nova_resize_checks import inputs
from nova_resize_checks import mutants
from nova_resize_checks import reproduce
from tests.unit import test_outcome


class CliTestCase(testtools.TestCase):

    def setUp(self):
        super(CliTestCase, self).setUp()
        self.stdout = io.StringIO()
        self.stderr = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', self.stdout))
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', self.stderr))

    def _reproduce_returns(self, observation, mutant=None):
        report = {'versions': {'nova': '34.0.0',
                               'openstack-placement': '16.0.0',
                               'python': '3.11.7'},
                  'mutant': mutant, 'seconds': 1.0,
                  'observation': observation}
        from nova_resize_checks import outcome
        report['verdict'], report['reasons'] = outcome.classify(observation)
        report['usage'] = outcome.usage_summary(observation)
        report['concurrency'] = 'native threading'
        self.useFixture(fixtures.MockPatchObject(
            reproduce, 'reproduce', return_value=report))


class TestUsage(CliTestCase):

    def test_no_command(self):
        self.assertEqual(2, cli.main([]))
        self.assertIn('a command is required', self.stderr.getvalue())
        self.assertNotIn('Traceback', self.stderr.getvalue())

    def test_unknown_mutant(self):
        self.assertEqual(2, cli.main(['reproduce', '--mutant', 'nope']))
        self.assertIn("invalid choice: 'nope'", self.stderr.getvalue())

    def test_reviewed_version_problems_are_usage_errors(self):
        self.assertEqual(2, cli.main(['review', '--reviewed',
                                      '/nonexistent/test.py', 'x.md']))
        self.assertIn('--reviewed /nonexistent/test.py: No such file',
                      self.stderr.getvalue())
        self.assertEqual(2, cli.main(['review', '--nova-git', '/tmp',
                                      'x.md']))
        self.assertIn('--nova-git needs --reviewed REF',
                      self.stderr.getvalue())
        binary = self.useFixture(fixtures.TempDir()).path + '/t.py'
        with open(binary, 'wb') as f:
            f.write(b'\xff\xfe\x00bad')
        self.assertEqual(2, cli.main(['review', '--reviewed', binary,
                                      'x.md']))
        self.assertIn('not UTF-8 text', self.stderr.getvalue())
        self.assertNotIn('Traceback', self.stderr.getvalue())

    def test_reviewed_version_from_a_git_ref(self):
        import os

        from tests.unit.backport import minirepo

        root = self.useFixture(fixtures.TempDir()).path
        path = os.path.join(root, 'nova', 'tests', 'functional',
                            'regressions')
        os.makedirs(path)
        with open(os.path.join(path, 'test_bug_1825537.py'), 'w') as f:
            f.write('# the reviewed version\n')
        minirepo.git(root, 'init', '-q', '-b', 'master')
        minirepo.git(root, 'add', '-A')
        minirepo.git(root, 'commit', '-q', '-m', 'test')
        minirepo.git(root, 'tag', 'v1')
        self.assertEqual('# the reviewed version\n',
                         inputs.reviewed_source('v1', root))
        error = self.assertRaises(inputs.InputError, inputs.reviewed_source,
                                  'nosuchref', root)
        self.assertIn('--reviewed nosuchref:', str(error))

    def test_bad_format(self):
        self.assertEqual(2, cli.main(['reproduce', '--format', 'xml']))

    def test_mutants_json(self):
        self.assertEqual(0, cli.main(['mutants', '--format', 'json']))
        names = [m['name'] for m in
                 json.loads(self.stdout.getvalue())['mutants']]
        self.assertEqual(list(mutants.MUTANTS), names)

    def test_mutants_text(self):
        self.assertEqual(0, cli.main(['mutants']))
        for name in mutants.MUTANTS:
            self.assertIn(name, self.stdout.getvalue())


class TestReproduce(CliTestCase):

    def test_fixed_exits_zero(self):
        self._reproduce_returns(test_outcome.FIXED)
        self.assertEqual(0, cli.main(['reproduce']))
        out = self.stdout.getvalue()
        self.assertIn('nova 34.0.0', out)
        self.assertIn('openstack-placement 16.0.0', out)
        self.assertIn('verdict: fixed', out)
        self.assertIn('flavor2', out)
        self.assertIn('nova concurrency: native threading', out)

    def test_affected_exits_one(self):
        self._reproduce_returns(test_outcome.AFFECTED, 'bug-1825537')
        self.assertEqual(1, cli.main(['reproduce', '--mutant',
                                      'bug-1825537']))
        self.assertIn('verdict: affected', self.stdout.getvalue())

    def test_unexpected_json(self):
        self._reproduce_returns(test_outcome.NO_CLEANUP)
        self.assertEqual(1, cli.main(['reproduce', '--format', 'json']))
        doc = json.loads(self.stdout.getvalue())
        self.assertEqual('unexpected', doc['verdict'])
        self.assertEqual({'source': 'flavor1', 'dest': 'flavor2'},
                         doc['usage'])

    def test_environment_problem_exits_two(self):
        self.useFixture(fixtures.MockPatchObject(
            reproduce, 'reproduce',
            side_effect=env.EnvironmentProblem('nova is not installed')))
        self.assertEqual(2, cli.main(['reproduce']))
        self.assertIn('environment problem: nova is not installed',
                      self.stderr.getvalue())
        self.assertNotIn('Traceback', self.stderr.getvalue())

    def test_scenario_error_exits_two(self):
        self.useFixture(fixtures.MockPatchObject(
            reproduce, 'reproduce',
            side_effect=reproduce.ScenarioError('did not finish')))
        self.assertEqual(2, cli.main(['reproduce']))
        self.assertIn('did not finish', self.stderr.getvalue())
