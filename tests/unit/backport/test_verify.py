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


"""backport.verify and the backport command on synthetic trees.

Trees other than the installed nova are judged statically only; the
dynamic half against the installed nova is covered by the functional
tests.
"""

import io
import json
import os

import fixtures
import testtools

from nova_resize_checks.backport import verify
from nova_resize_checks import cli
from tests.unit.backport import test_static


def _tree(root, source, version=None):
    path = os.path.join(root, 'nova', 'compute')
    os.makedirs(path)
    with open(os.path.join(path, 'manager.py'), 'w') as f:
        f.write(source)
    if version:
        with open(os.path.join(root, 'PKG-INFO'), 'w') as f:
            f.write('Metadata-Version: 1.1\nName: nova\nVersion: %s\n'
                    % version)
    return root


class VerifyTreeTestCase(testtools.TestCase):

    def setUp(self):
        super(VerifyTreeTestCase, self).setUp()
        self.root = self.useFixture(fixtures.TempDir()).path

    def test_affected_tree_not_installed_is_static_only(self):
        tree = _tree(self.root, test_static.REVERT, '18.2.1')
        report = verify.verify(tree)
        self.assertEqual('affected', report['verdict'])
        self.assertEqual('18.2.1', report['nova_version'])
        self.assertFalse(report['installed'])
        self.assertFalse(report['dynamic']['run'])
        reason = report['dynamic']['reason']
        self.assertIn('is not the nova installed', reason)
        # Neither "pip install -e" nor tox -e functional can run nova 18:
        # the release matrix environment can.
        self.assertNotIn('pip install -e', reason)
        self.assertNotIn('NOVA_SOURCE=', reason)
        self.assertIn('tox -e matrix-rocky-18.2.1', reason)
        self.assertIn('--nova-source %s --python '
                      '.tox/matrix-rocky-18.2.1/bin/python' % tree, reason)
        self.assertEqual(1, verify.exit_code(report))

    def test_newer_tree_not_installed_suggests_installing_it(self):
        tree = _tree(self.root, test_static.REVERT, '31.0.0')
        report = verify.verify(tree)
        self.assertFalse(report['installed'])
        self.assertIn('pip install -e %s' % tree, report['dynamic']['reason'])
        self.assertIn('NOVA_SOURCE=%s' % tree, report['dynamic']['reason'])

    def test_fixed_and_predates_exit_zero(self):
        for name, source, want in (
                ('fixed', test_static.AFTER_MOVE, 'fixed'),
                ('inline', test_static.INLINE_DROP, 'fixed'),
                ('old', test_static.QUOTA_ROLLBACK, 'predates-regression')):
            report = verify.verify(_tree(os.path.join(self.root, name),
                                         source))
            self.assertEqual(want, report['verdict'], name)
            self.assertEqual(0, verify.exit_code(report), name)

    def test_disagreement(self):
        tree = _tree(self.root, test_static.AFTER_MOVE)
        self.useFixture(fixtures.MockPatchObject(
            verify, '_same_tree', return_value=True))
        self.useFixture(fixtures.MockPatchObject(
            verify, '_dynamic', return_value={
                'run': True, 'verdict': 'affected', 'outcome': 'affected',
                'reason': 'reverted'}))
        report = verify.verify(tree)
        self.assertEqual('disagreement', report['verdict'])
        self.assertFalse(report['agree'])
        self.assertIn('static analysis says fixed', report['reason'])
        self.assertEqual(1, verify.exit_code(report))


class BackportCommandTestCase(testtools.TestCase):

    def setUp(self):
        super(BackportCommandTestCase, self).setUp()
        self.root = self.useFixture(fixtures.TempDir()).path
        self.out = io.StringIO()
        self.err = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', self.out))
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', self.err))

    def test_json(self):
        tree = _tree(self.root, test_static.REVERT)
        self.assertEqual(1, cli.main(['backport', '--nova-source', tree,
                                      '--format', 'json']))
        doc = json.loads(self.out.getvalue())
        self.assertEqual('affected', doc['verdict'])
        self.assertEqual('revert-allocation', doc['static']['shape'])
        self.assertTrue(doc['static']['line'])

    def test_text(self):
        tree = _tree(self.root, test_static.AFTER_MOVE)
        self.assertEqual(0, cli.main(['backport', '--nova-source', tree]))
        self.assertIn('verdict: fixed', self.out.getvalue())
        self.assertIn('dynamic: not run', self.out.getvalue())

    def test_missing_directory(self):
        self.assertEqual(2, cli.main(['backport', '--nova-source',
                                      os.path.join(self.root, 'nope')]))
        self.assertIn('no such directory', self.err.getvalue())

    def test_not_a_nova_tree(self):
        self.assertEqual(2, cli.main(['backport', '--nova-source',
                                      self.root]))
        self.assertIn('is it a nova source tree', self.err.getvalue())
        self.assertNotIn('Traceback', self.err.getvalue())

    def test_syntax_error_tree(self):
        tree = _tree(self.root, 'class ComputeManager(:\n')
        self.assertEqual(2, cli.main(['backport', '--nova-source', tree]))
        self.assertNotIn('Traceback', self.err.getvalue())


class ScenarioWithoutOutcomeTestCase(testtools.TestCase):

    def test_crashed_scenario_is_unknown_not_disagreement(self):
        root = self.useFixture(fixtures.TempDir()).path
        tree = _tree(root, test_static.AFTER_MOVE)
        self.useFixture(fixtures.MockPatchObject(
            verify, '_same_tree', return_value=True))
        self.useFixture(fixtures.MockPatchObject(
            verify, '_dynamic', return_value={
                'run': True, 'verdict': 'unknown',
                'reason': 'the scenario failed: boom'}))
        report = verify.verify(tree)
        self.assertEqual('unknown', report['verdict'])
        self.assertIn('gave no outcome: the scenario failed: boom',
                      report['reason'])
        self.assertEqual(1, verify.exit_code(report))
