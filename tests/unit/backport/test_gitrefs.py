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

"""backport.gitrefs and "backport --nova-git" on a small git repository."""

import io
import json

import fixtures
import testtools

from nova_resize_checks.backport import gitrefs
from nova_resize_checks import cli
from tests.unit.backport import minirepo


class TestGitRefs(testtools.TestCase):

    def setUp(self):
        super(TestGitRefs, self).setUp()
        self.repo = self.useFixture(fixtures.TempDir()).path
        self.commits = minirepo.build(self.repo)
        self.git_dir = gitrefs.resolve_git_dir(self.repo)

    def _rows(self, *refs):
        return {row.ref: row for row in gitrefs.judge_refs(self.git_dir,
                                                           refs)}

    def test_branches_and_tags(self):
        self.assertEqual(['unmaintained/mid', 'stable/old'],
                         gitrefs.branches(self.git_dir))
        self.assertEqual(['1.0.0', '1.0.1'],
                         gitrefs.tags(self.git_dir, '1.0.*'))
        self.assertEqual([], gitrefs.tags(self.git_dir, '2.*'))

    def test_tags_put_pre_releases_before_their_release(self):
        # git's version:refname alone gives 1.0.0 before 1.0.0.0b1.
        for name in ('1.0.0.0b1', '1.0.0.0rc1', '1.0.0a0', 'old-eol'):
            minirepo.git(self.repo, 'tag', name, self.commits['A'])
        self.assertEqual(['1.0.0a0', '1.0.0.0b1', '1.0.0.0rc1', '1.0.0',
                          '1.0.1'], gitrefs.tags(self.git_dir, '1.*'))
        self.assertEqual(['1.0.0a0', '1.0.0.0b1', '1.0.0.0rc1', '1.0.0',
                          '1.0.1', 'old-eol'],
                         gitrefs.tags(self.git_dir, '*'))

    def test_version_order_keeps_names_that_are_not_versions(self):
        self.assertEqual(
            ['16.0.0.0b1', 'pike-eol', '16.0.0', '2023.2-eol', '17.0.0'],
            gitrefs.version_order(['16.0.0', 'pike-eol', '16.0.0.0b1',
                                   '2023.2-eol', '17.0.0']))

    def test_verdicts_and_history(self):
        rows = self._rows('1.0.0', '1.0.1', 'stable/old',
                          'unmaintained/mid', 'master')
        self.assertEqual('affected', rows['1.0.0'].verdict)
        self.assertEqual('revert-allocation', rows['1.0.0'].shape)
        self.assertFalse(rows['1.0.0'].fix_in_history)
        self.assertTrue(rows['1.0.0'].consistent)
        self.assertEqual('fixed', rows['1.0.1'].verdict)
        self.assertEqual('delete-allocation-after-move', rows['1.0.1'].shape)
        self.assertEqual(self.commits['B'], rows['1.0.1'].fix_commit)
        self.assertEqual('1.0.1:nova/compute/manager.py', rows['1.0.1'].path)
        self.assertEqual(39, rows['1.0.1'].line)
        self.assertEqual('affected', rows['stable/old'].verdict)
        self.assertFalse(rows['stable/old'].fix_in_history)
        # The cherry-pick is a different commit with the same Change-Id.
        self.assertEqual('fixed', rows['unmaintained/mid'].verdict)
        self.assertEqual(self.commits['D'],
                         rows['unmaintained/mid'].fix_commit)
        self.assertEqual(self.commits['B'], rows['master'].commit)

    def test_missing_ref_is_an_error_row(self):
        row = self._rows('no-such-ref')['no-such-ref']
        self.assertEqual('error', row.verdict)
        self.assertIn('no such ref', row.detail)
        self.assertIsNone(row.commit)

    def test_select_refs_dedupes_and_rejects_empty_patterns(self):
        self.assertEqual(
            ['1.0.0', 'unmaintained/mid', 'stable/old', '1.0.1'],
            gitrefs.select_refs(self.git_dir, ['1.0.0'], True, '1.0.*'))
        self.assertRaises(gitrefs.GitError, gitrefs.select_refs,
                          self.git_dir, (), False, 'nothing*')

    def test_not_a_repository(self):
        plain = self.useFixture(fixtures.TempDir()).path
        self.assertRaises(gitrefs.GitError, gitrefs.resolve_git_dir, plain)


class TestBackportRefsCommand(testtools.TestCase):

    def setUp(self):
        super(TestBackportRefsCommand, self).setUp()
        self.repo = self.useFixture(fixtures.TempDir()).path
        minirepo.build(self.repo)
        self.out = self.useFixture(fixtures.MonkeyPatch(
            'sys.stdout', io.StringIO())).new_value
        self.err = self.useFixture(fixtures.MonkeyPatch(
            'sys.stderr', io.StringIO())).new_value

    def test_json_for_branches_and_tags(self):
        code = cli.main(['backport', '--nova-git', self.repo, '--branches',
                         '--tags', '1.0.*', '--format', 'json'])
        document = json.loads(self.out.getvalue())
        verdicts = {row['ref']: row['verdict'] for row in document['refs']}
        self.assertEqual({'stable/old': 'affected',
                          'unmaintained/mid': 'fixed',
                          '1.0.0': 'affected', '1.0.1': 'fixed'}, verdicts)
        self.assertEqual('I52c8d038118c858004e17e71b2fba9e9e2714815',
                         document['fix_change'])
        self.assertEqual(1, code)

    def test_text_table_all_fixed_exits_zero(self):
        code = cli.main(['backport', '--nova-git', self.repo, '1.0.1',
                         'unmaintained/mid'])
        text = self.out.getvalue()
        self.assertIn('delete-allocation-after-move', text)
        self.assertIn('nova/compute/manager.py:39', text)
        self.assertEqual(0, code)

    def test_refs_without_git_is_a_usage_error(self):
        code = cli.main(['backport', '1.0.1'])
        self.assertEqual(2, code)
        self.assertIn('need --nova-git', self.err.getvalue())

    def test_no_refs_is_a_usage_error(self):
        code = cli.main(['backport', '--nova-git', self.repo])
        self.assertEqual(2, code)
        self.assertIn('--nova-git needs refs', self.err.getvalue())

    def test_not_a_repository_is_a_usage_error(self):
        plain = self.useFixture(fixtures.TempDir()).path
        code = cli.main(['backport', '--nova-git', plain, 'master'])
        self.assertEqual(2, code)
        self.assertIn('not a git repository', self.err.getvalue())

    def test_mistyped_ref_is_a_usage_error_before_any_judging(self):
        code = cli.main(['backport', '--nova-git', self.repo, 'master',
                         '1.0.l'])
        self.assertEqual(2, code)
        self.assertIn('no such ref (branch, tag or commit)',
                      self.err.getvalue())
        self.assertIn('1.0.l', self.err.getvalue())
        self.assertEqual('', self.out.getvalue())
