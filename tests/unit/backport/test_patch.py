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

"""backport.patch and "backport --patch" on the cut-down trees.

The trees here have no nova version, so the scenario is not run; the
report must say so.  The scenario before and after a patch against the
installed nova is covered by tests/functional/test_backport.py.
"""

import io
import json
import os

import fixtures
import testtools

from nova_resize_checks.backport import patch
from nova_resize_checks.backport import patch_apply
from nova_resize_checks.backport import patch_evidence
from nova_resize_checks import cli
from tests.unit.backport import minirepo


def _read(path):
    with open(path) as handle:
        return handle.read()


class TestDecide(testtools.TestCase):

    def test_table(self):
        cases = [
            (('affected', None), ('fixed', None), patch.FIXES),
            (('affected', None), ('affected', None), patch.DOES_NOT_FIX),
            (('affected', None), ('predates-regression', None),
             patch.DOES_NOT_FIX),
            (('affected', None), ('unknown', 'x'), patch.CANNOT_TELL),
            (('fixed', None), ('fixed', None), patch.ALREADY_FIXED),
            (('predates-regression', None), ('predates-regression', None),
             patch.ALREADY_FIXED),
            (('fixed', None), ('affected', None), patch.DOES_NOT_FIX),
            (('unknown', 'x'), ('fixed', None), patch.CANNOT_TELL),
        ]
        for before, after, want in cases:
            self.assertEqual(want, patch.decide(before, after)[0],
                             (before, after))

    def test_observed_non_fixed_outcome_decides(self):
        outcome, reason = patch.decide(
            ('affected', None), ('unknown', 'TypeError at run time'), None,
            {'run': True, 'outcome': 'unexpected', 'verdict': 'unknown',
             'reason': 'source provider holds flavor1, expected none'})
        self.assertEqual(patch.DOES_NOT_FIX, outcome)
        self.assertIn('source provider holds flavor1', reason)
        self.assertIn('TypeError at run time', reason)

    def test_not_applying(self):
        self.assertEqual(patch.ALREADY_FIXED, patch.decide(
            ('fixed', None), None, 'hunk failed')[0])
        outcome, reason = patch.decide(('affected', None), None,
                                       'hunk failed')
        self.assertEqual(patch.CANNOT_TELL, outcome)
        self.assertIn('hunk failed', reason)

    def test_disagreeing_evidence_is_unknown(self):
        verdict, note = patch_evidence._combined(
            {'verdict': 'fixed'},
            {'run': True, 'verdict': 'affected', 'outcome': 'affected',
             'reason': 'bug 1825537'})
        self.assertEqual('unknown', verdict)
        self.assertIn('scenario says affected', note)


class TestWhyNotDynamic(testtools.TestCase):

    def test_branch_tip_runs_with_the_release_it_descends_from(self):
        # git describe of stable/stein just before the fix.
        self.assertIsNone(patch_evidence._why_not_dynamic(
            '19.0.1-5-geaa1fc6159', '19.0.1'))
        self.assertIsNone(patch_evidence._why_not_dynamic('19.0.1', '19.0.1'))

    def test_other_release_names_its_matrix_environment(self):
        why = patch_evidence._why_not_dynamic('17.0.11-3-g1bb555c4c9',
                                              '17.0.12')
        self.assertIn('nova 17.0.11 needs its own dependencies', why)
        self.assertIn('tox -e matrix-queens-17.0.11', why)
        why = patch_evidence._why_not_dynamic('19.0.2', '19.0.1')
        self.assertIn('.tox/matrix-stein-19.0.2/bin/python', why)


class TestApplyErrors(testtools.TestCase):

    def test_rungs_with_one_error_are_said_once(self):
        self.assertEqual(
            'git apply -p1, -p1 -C1: patch failed: m.py:4; '
            'git apply -p0, -p0 -C1: a/m.py: No such file or directory',
            patch_apply._rung_errors([
                ('-p1', 'patch failed: m.py:4'),
                ('-p0', 'a/m.py: No such file or directory'),
                ('-p1 -C1', 'patch failed: m.py:4'),
                ('-p0 -C1', 'a/m.py: No such file or directory')]))


class TestPatchCommand(testtools.TestCase):

    def setUp(self):
        super(TestPatchCommand, self).setUp()
        self.out = self.useFixture(fixtures.MonkeyPatch(
            'sys.stdout', io.StringIO())).new_value
        self.err = self.useFixture(fixtures.MonkeyPatch(
            'sys.stderr', io.StringIO())).new_value
        self.tree = minirepo.affected_tree(
            self.useFixture(fixtures.TempDir()).path)
        self.manager = os.path.join(self.tree, 'nova', 'compute',
                                    'manager.py')

    def _run(self, *args):
        code = cli.main(['backport', '--format', 'json'] + list(args))
        text = self.out.getvalue()
        self.out.seek(0)
        self.out.truncate()
        return code, json.loads(text) if text else None

    def test_fix_on_affected_tree(self):
        before = _read(self.manager)
        code, report = self._run('--patch', minirepo.FIX_PATCH,
                                 '--nova-source', self.tree)
        self.assertEqual(0, code, report)
        self.assertEqual('fixes', report['outcome'])
        self.assertEqual('git format-patch', report['patch_format'])
        self.assertEqual('affected', report['static_before']['verdict'])
        self.assertEqual('fixed', report['static_after']['verdict'])
        self.assertEqual(['-p1'], report['apply_options'])
        self.assertIn('version of the tree is unknown',
                      report['dynamic_before']['reason'])
        # The user's tree is never written.
        self.assertEqual(before, _read(self.manager))

    def test_log_only_diff_does_not_fix(self):
        code, report = self._run('--patch', minirepo.LOG_ONLY_DIFF,
                                 '--nova-source', self.tree)
        self.assertEqual(1, code)
        self.assertEqual('does-not-fix', report['outcome'])
        self.assertEqual('unified diff', report['patch_format'])
        self.assertEqual('affected', report['static_after']['verdict'])

    def test_already_fixed_tree(self):
        minirepo.git(self.tree, 'init', '-q')
        minirepo.git(self.tree, 'apply', minirepo.FIX_PATCH)
        code, report = self._run('--patch', minirepo.FIX_PATCH,
                                 '--nova-source', self.tree)
        self.assertEqual(3, code)
        self.assertEqual('already-fixed', report['outcome'])
        self.assertIn('does not apply', report['reason'])

    def test_unrecognised_tree_cannot_tell(self):
        with open(self.manager, 'w') as handle:
            handle.write('class ComputeManager(object):\n'
                         '    def finish_resize(self):\n'
                         '        try:\n'
                         '            pass\n'
                         '        except Exception:\n'
                         '            self.reportclient.move_allocs()\n')
        code, report = self._run('--patch', minirepo.LOG_ONLY_DIFF,
                                 '--nova-source', self.tree)
        self.assertEqual(4, code)
        self.assertEqual('cannot-tell', report['outcome'])

    def test_git_ref_targets(self):
        repo = self.useFixture(fixtures.TempDir()).path
        minirepo.build(repo)
        head = minirepo.git(repo, 'rev-parse', 'HEAD')
        code, report = self._run('--patch', minirepo.FIX_PATCH,
                                 '--nova-git', repo, '--ref', '1.0.0')
        self.assertEqual(0, code, report)
        self.assertEqual('1.0.0', report['nova_version'])
        code, report = self._run('--patch', minirepo.FIX_PATCH,
                                 '--nova-git', repo, '--ref',
                                 'unmaintained/mid')
        self.assertEqual(3, code, report)
        # Nothing was checked out in the user's repository.
        self.assertEqual(head, minirepo.git(repo, 'rev-parse', 'HEAD'))
        self.assertEqual('', minirepo.git(repo, 'status', '--porcelain'))

    def test_apply_error_is_printed_once(self):
        # The line the patch removes is not there: no rung applies.
        text = _read(self.manager)
        with open(self.manager, 'w') as handle:
            handle.write(text.replace(
                'self._revert_allocation(context, instance, migration)',
                'self._revert_allocation(context, instance, mig)'))
        code, report = self._run('--patch', minirepo.FIX_PATCH,
                                 '--nova-source', self.tree)
        self.assertEqual(4, code, report)
        self.assertEqual('cannot-tell', report['outcome'])
        self.assertIn('git apply -p1, -p1 -C1: ', report['apply_error'])
        self.assertEqual(1, report['apply_error'].count('-p1 -C1'))
        self.assertNotIn(report['apply_error'], report['reason'])
        self.assertIn('see "apply error"', report['reason'])
        code = cli.main(['backport', '--patch', minirepo.FIX_PATCH,
                         '--nova-source', self.tree])
        self.assertEqual(4, code)
        text = self.out.getvalue()
        self.assertEqual(1, text.count(report['apply_error']), text)
        self.assertEqual(1, text.count('patch failed'), text)

    def test_git_ref_versions_come_from_release_tags(self):
        repo = self.useFixture(fixtures.TempDir()).path
        commits = minirepo.build(repo)
        # An annotated end-of-series tag on the release's commit is what
        # plain "git describe --tags" prefers (nova's pike-em on 16.1.8).
        minirepo.git(repo, 'tag', '-a', '-m', 'end of series', 'old-em',
                     commits['A'])
        code, report = self._run('--patch', minirepo.FIX_PATCH,
                                 '--nova-git', repo, '--ref', '1.0.0')
        self.assertEqual('1.0.0', report['nova_version'])
        # stable/old is one commit after 1.0.0: a branch tip.
        code, report = self._run('--patch', minirepo.FIX_PATCH,
                                 '--nova-git', repo, '--ref', 'stable/old')
        self.assertRegex(report['nova_version'], r'^1\.0\.0-1-g[0-9a-f]+$')
        self.assertIn('the tree is nova %s but' % report['nova_version'],
                      report['dynamic_before']['reason'])

    def test_text_output_names_the_outcome(self):
        code = cli.main(['backport', '--patch', minirepo.FIX_PATCH,
                         '--nova-source', self.tree])
        self.assertEqual(0, code)
        text = self.out.getvalue()
        self.assertIn('outcome: fixes (exit 0)', text)
        self.assertIn('static before : affected', text)

    def test_bad_inputs_are_usage_errors(self):
        empty = os.path.join(self.tree, 'empty.diff')
        with open(empty, 'w') as handle:
            handle.write('just prose, no diff\n')
        for args, message in [
                (['--patch', empty, '--nova-source', self.tree],
                 'no file changes'),
                (['--patch', minirepo.FIX_PATCH], 'needs one tree'),
                (['--patch', minirepo.FIX_PATCH, '--nova-git', self.tree],
                 'or --nova-git DIR with --ref REF'),
                (['--patch', minirepo.FIX_PATCH, '--nova-source', self.tree,
                  '--nova-release', '19.0.1'],
                 '(not --nova-source and --nova-release)'),
                (['--patch', minirepo.FIX_PATCH, '--nova-release', '19.x'],
                 'not a nova release number'),
                (['--patch', minirepo.FIX_PATCH, '--nova-source', self.tree,
                  '--ref', '1.0.0'], '--ref needs --nova-git'),
                (['--patch', '/nonexistent.patch', '--nova-source',
                  self.tree], 'cannot read'),
                (['--patch', minirepo.FIX_PATCH, '--nova-source', self.tree,
                  '--python', '/nonexistent/python'], 'no such interpreter'),
                (['--nova-source', self.tree, '--python', 'python3'],
                 '--python and --nova-release are for --patch'),
                (['--nova-release', '19.0.1'],
                 '--python and --nova-release are for --patch')]:
            code, _report = self._run(*args)
            self.assertEqual(2, code, args)
            self.assertIn(message, self.err.getvalue())
