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

"""A backport whose test hunks need an earlier change: the verdict is
about nova's code.

The repository built here tells upstream's story in small: a release
(1.0.0) without the regression test, the change that recreates the bug
(adds the test and a FIXME to test_servers.py), then the fix, which
changes nova's manager, both tests and adds a release note.  The fix's
``git format-patch`` on 1.0.0 is what a packager carries on a release.
"""

import io
import os
import subprocess

import fixtures
import jsonschema
import testtools

from nova_resize_checks.backport import gitrefs
from nova_resize_checks.backport import hunks
from nova_resize_checks.backport import patch
from nova_resize_checks.backport import patch_files
from nova_resize_checks.backport import patch_input
from nova_resize_checks import cli
from nova_resize_checks import schemas
from tests.unit.backport import minirepo

REGRESSION = 'nova/tests/functional/regressions/test_bug_1825537.py'
SERVERS = 'nova/tests/functional/test_servers.py'
NOTE = 'releasenotes/notes/bug-1825537-0123456789abcdef.yaml'
RECREATE = 'Add functional recreate test for regression bug 1825537'
FIXME = '# FIXME(mriedem): This is wrong for the _finish_resize case.'


def _write(root, path, text):
    full = os.path.join(root, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, 'w') as handle:
        handle.write(text)


def _servers(assertion, flavor):
    return ('class ServerMovingTests(object):\n\n'
            '    def _test_resize_to_same_host_instance_fails(self):\n'
            '        source_rp_uuid = self._get_provider_uuid_by_host(h)\n'
            '%s'
            '        self.assertFlavorMatchesUsage(source_rp_uuid, %s)\n'
            '\n'
            '    def test_resize_to_same_host_prep_resize_fails(self):\n'
            '        pass\n' % (assertion, flavor))


def build(root):
    """The repository; {name: commit} of the release, recreate and fix."""
    minirepo.git(root, 'init', '-q', '-b', 'master')
    minirepo.affected_tree(root)
    _write(root, SERVERS, _servers('', 'self.flavor1'))
    minirepo.git(root, 'add', '-A')
    minirepo.git(root, 'commit', '-q', '-m', 'Release')
    minirepo.git(root, 'tag', '1.0.0')
    commits = {'release': minirepo.git(root, 'rev-parse', 'HEAD')}
    _write(root, REGRESSION, 'class FinishResizeErrorAllocationCleanup'
           'TestCase(object):\n    def test_it(self):\n'
           '        # FIXME(mriedem): This is bug 1825537\n'
           '        self.assertEqual(no_usage, dest_rp_usages)\n')
    _write(root, SERVERS, _servers('        %s\n' % FIXME, 'self.flavor1'))
    minirepo.git(root, 'add', '-A')
    minirepo.git(root, 'commit', '-q', '-m', RECREATE)
    commits['recreate'] = minirepo.git(root, 'rev-parse', 'HEAD')
    minirepo.git(root, 'apply', minirepo.FIX_PATCH)
    _write(root, REGRESSION, 'class FinishResizeErrorAllocationCleanup'
           'TestCase(object):\n    def test_it(self):\n'
           '        self.assertEqual(no_usage, source_rp_usages)\n')
    _write(root, SERVERS, _servers('', 'self.flavor2'))
    _write(root, NOTE, '---\nfixes:\n  - Bug 1825537.\n')
    minirepo.git(root, 'add', '-A')
    minirepo.git(root, 'commit', '-q', '-m',
                 'Drop source node allocations if finish_resize fails\n\n'
                 'Change-Id: I52c8d038118c858004e17e71b2fba9e9e2714815')
    commits['fix'] = minirepo.git(root, 'rev-parse', 'HEAD')
    return commits


class TestFileKinds(testtools.TestCase):

    def test_kinds(self):
        for path, kind in [
                ('nova/compute/manager.py', patch_files.CODE),
                ('nova/tests/functional/test_servers.py', patch_files.TEST),
                ('nova/tests/unit/compute/test_compute_mgr.py',
                 patch_files.TEST),
                ('placement/test_thing.py', patch_files.TEST),
                ('releasenotes/notes/bug-1825537-x.yaml',
                 patch_files.RELEASE_NOTE),
                ('doc/source/admin/migration.rst', patch_files.DOC),
                ('api-ref/source/servers.inc', patch_files.DOC),
                ('README.rst', patch_files.DOC),
                ('nova/conf/compute.py', patch_files.CODE),
                ('setup.cfg', patch_files.CODE),
                ('nova/virt/fake.py', patch_files.CODE)]:
            self.assertEqual(kind, patch_files.file_kind(path), path)


class TestSplit(testtools.TestCase):

    def setUp(self):
        super(TestSplit, self).setUp()
        self.repo = self.useFixture(fixtures.TempDir()).path
        self.commits = build(self.repo)
        self.text = minirepo.git(self.repo, 'format-patch', '-1',
                                 '--stdout', self.commits['fix']) + '\n'

    def test_parts_in_order_each_applies_on_its_own(self):
        parts = patch_files.split(self.text)
        self.assertEqual(
            [('nova/compute/manager.py', patch_files.CODE),
             (REGRESSION, patch_files.TEST), (SERVERS, patch_files.TEST),
             (NOTE, patch_files.RELEASE_NOTE)],
            [(path, kind) for path, kind, _text in parts])
        tree = os.path.join(self.useFixture(fixtures.TempDir()).path, 't')
        minirepo.git(self.repo, 'worktree', 'add', '-q', '--detach', tree,
                     self.commits['recreate'])
        for path, _kind, text in parts:
            single = os.path.join(tree, '..', 'one.patch')
            with open(single, 'w') as handle:
                handle.write(text)
            minirepo.git(tree, 'apply', '--check', os.path.abspath(single))

    def test_missing_lines_longest_first(self):
        tree = os.path.join(self.useFixture(fixtures.TempDir()).path, 't')
        minirepo.git(self.repo, 'worktree', 'add', '-q', '--detach', tree,
                     '1.0.0')
        servers = [text for path, _kind, text in patch_files.split(self.text)
                   if path == SERVERS][0]
        self.assertEqual([FIXME], hunks.missing_lines(tree, servers))
        # A file the tree does not have gives no lines (it is missing as
        # a whole).
        regression = [text for path, _kind, text
                      in patch_files.split(self.text)
                      if path == REGRESSION][0]
        self.assertEqual([], hunks.missing_lines(tree, regression))

    def test_patch_commit_and_earlier_change(self):
        self.assertEqual(self.commits['fix'],
                         gitrefs.patch_commit(self.text))
        self.assertIsNone(gitrefs.patch_commit('--- a/x\n+++ b/x\n'))
        git_dir = os.path.join(self.repo, '.git')
        want = [(self.commits['recreate'], RECREATE)]
        # From the commit the patch was made from: exactly its parent's
        # history.
        self.assertEqual(want, gitrefs.earlier_change(
            git_dir, REGRESSION, start=self.commits['fix']))
        self.assertEqual(want, gitrefs.earlier_change(
            git_dir, SERVERS, FIXME, start=self.commits['fix']))
        # Without it: every ref; the fix, which removes the line, is not
        # the change that added it.
        self.assertEqual(want, gitrefs.earlier_change(git_dir, SERVERS,
                                                      FIXME))
        self.assertEqual(want, gitrefs.earlier_change(git_dir, REGRESSION,
                                                      start='0' * 40))
        self.assertEqual([], gitrefs.earlier_change(git_dir, 'no/such.py'))


class TestCarriedOnARelease(testtools.TestCase):
    """check_patch with the fix's format-patch on release 1.0.0."""

    def setUp(self):
        super(TestCarriedOnARelease, self).setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.repo = os.path.join(self.tmp, 'repo')
        os.makedirs(self.repo)
        self.commits = build(self.repo)
        self.patch = os.path.join(self.tmp, 'fix.patch')
        minirepo.git(self.repo, 'format-patch', '-1', '-o', self.tmp,
                     self.commits['fix'])
        made = [name for name in os.listdir(self.tmp)
                if name.endswith('.patch')]
        os.rename(os.path.join(self.tmp, made[0]), self.patch)
        # The release as a packager has it: a plain directory, no git.
        self.tarball = os.path.join(self.tmp, 'release')
        os.makedirs(self.tarball)
        archive = subprocess.run(
            ['git', '-C', self.repo, 'archive', '1.0.0'],
            stdout=subprocess.PIPE, check=True).stdout
        subprocess.run(['tar', '-x', '-C', self.tarball], input=archive,
                       check=True)

    def _records(self, report):
        return {record['file']: record for record in report['not_applied']}

    def test_git_ref_fixes_with_test_hunks_listed(self):
        report = patch.check_patch(self.patch, nova_git=self.repo,
                                   ref='1.0.0', run=False)
        self.assertEqual(patch.FIXES, report['outcome'], report['reason'])
        self.assertEqual(0, report['exit_code'])
        self.assertEqual(['nova/compute/manager.py', NOTE],
                         report['applied'])
        records = self._records(report)
        self.assertEqual({REGRESSION, SERVERS}, set(records))
        self.assertTrue(records[REGRESSION]['file_missing'])
        self.assertEqual('test', records[REGRESSION]['kind'])
        self.assertFalse(records[SERVERS]['file_missing'])
        self.assertEqual(FIXME, records[SERVERS]['line'])
        for record in records.values():
            self.assertEqual([{'commit': self.commits['recreate'],
                               'subject': RECREATE}],
                             record['earlier_change'])
            self.assertIn(self.commits['recreate'][:10], record['cause'])
        self.assertIn('adds it', records[REGRESSION]['cause'])
        self.assertIn('not applied (tests, not nova\'s code', report['reason'])
        self.assertIn(REGRESSION, report['reason'])
        # The hunks that applied to files the tree has are located; the
        # skipped ones are not (nor is a new file: it has no place).
        self.assertEqual(['nova/compute/manager.py'],
                         [h['file'] for h in report['hunks']])
        self.assertEqual('fixed', report['static_after']['verdict'])
        # The document is valid, and the schema holds the records to it.
        document = dict(schemas.stamp(report), concurrency='eventlet')
        schema = schemas.load('backport-patch')
        jsonschema.validate(document, schema)
        bad = dict(records[REGRESSION], kind='code')
        self.assertRaises(jsonschema.ValidationError, jsonschema.validate,
                          dict(document, not_applied=[bad]), schema)
        bad = dict(records[REGRESSION], earlier_change=[{'commit': 'HEAD',
                                                         'subject': 'x'}])
        self.assertRaises(jsonschema.ValidationError, jsonschema.validate,
                          dict(document, not_applied=[bad]), schema)

    def test_tree_without_git_names_the_cause_and_how_to_find_it(self):
        report = patch.check_patch(self.patch, nova_source=self.tarball,
                                   run=False)
        self.assertEqual(patch.FIXES, report['outcome'], report['reason'])
        records = self._records(report)
        self.assertEqual([], records[REGRESSION]['earlier_change'])
        self.assertIn('depends on an earlier change that adds it',
                      records[REGRESSION]['cause'])
        self.assertIn('give --nova-git DIR', records[REGRESSION]['cause'])
        self.assertIn(FIXME, records[SERVERS]['cause'])

    def test_tree_without_git_and_history_from_nova_git(self):
        report = patch.check_patch(self.patch, nova_source=self.tarball,
                                   nova_git=self.repo, run=False)
        self.assertEqual(patch.FIXES, report['outcome'], report['reason'])
        self.assertEqual(
            self.commits['recreate'],
            self._records(report)[REGRESSION]['earlier_change'][0]['commit'])

    def test_tree_with_the_earlier_change_applies_whole(self):
        report = patch.check_patch(self.patch, nova_git=self.repo,
                                   ref=self.commits['recreate'], run=False)
        self.assertEqual(patch.FIXES, report['outcome'], report['reason'])
        self.assertEqual([], report['not_applied'])
        self.assertEqual(4, len(report['applied']))

    def test_code_hunk_that_does_not_apply_still_cannot_tell(self):
        manager = os.path.join(self.tarball, 'nova', 'compute', 'manager.py')
        with open(manager) as handle:
            text = handle.read()
        with open(manager, 'w') as handle:
            handle.write(text.replace('self._revert_allocation(context, '
                                      'instance, migration)',
                                      'self._revert_allocation(context, '
                                      'instance, mig)'))
        report = patch.check_patch(self.patch, nova_source=self.tarball,
                                   run=False)
        self.assertEqual(patch.CANNOT_TELL, report['outcome'])
        self.assertIn('nova/compute/manager.py', report['apply_error'])
        self.assertIsNone(report['static_after'])

    def test_code_hunk_with_reduced_context_still_cannot_tell(self):
        manager = os.path.join(self.tarball, 'nova', 'compute', 'manager.py')
        with open(manager) as handle:
            text = handle.read()
        with open(manager, 'w') as handle:
            handle.write(text.replace('image)', 'image_meta)'))
        report = patch.check_patch(self.patch, nova_source=self.tarball,
                                   run=False)
        self.assertEqual(patch.CANNOT_TELL, report['outcome'])
        self.assertIn('context cut', report['apply_error'])
        # The tests that did not apply are still reported.
        self.assertEqual({REGRESSION, SERVERS},
                         set(self._records(report)))

    def test_only_tests_that_do_not_apply_change_no_code(self):
        only_tests = os.path.join(self.tmp, 'tests-only.diff')
        with open(only_tests, 'w') as handle:
            handle.write(''.join(text for path, _kind, text
                                 in patch_files.split(open(self.patch).read())
                                 if path == REGRESSION))
        report = patch.check_patch(only_tests, nova_source=self.tarball,
                                   run=False)
        self.assertEqual(patch.DOES_NOT_FIX, report['outcome'])
        self.assertEqual([], report['applied'])
        self.assertEqual([REGRESSION], list(self._records(report)))

    def test_text_report_lists_what_was_not_applied(self):
        out = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', out))
        code = cli.main(['backport', '--patch', self.patch, '--nova-git',
                         self.repo, '--ref', '1.0.0', '--static-only'])
        self.assertEqual(0, code)
        text = ' '.join(out.getvalue().split())
        self.assertIn('not applied (test): %s: the file is not in the tree'
                      % REGRESSION, text)
        self.assertEqual(1, text.count('not applied (test): %s' % SERVERS))


class TestSparseCopy(testtools.TestCase):
    """Without the scenario only the files it needs are copied.

    That is manager.py and the patch's files (a release tree has
    thousands of files).
    """

    def test_only_named_files_inside_the_tree(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        source = minirepo.affected_tree(os.path.join(tmp, 'src'))
        _write(source, SERVERS, 'x = 1\n')
        _write(source, 'nova/other.py', 'y = 2\n')
        _write(tmp, 'outside.py', 'z = 3\n')
        with open(minirepo.FIX_PATCH) as handle:
            paths = patch_input._patch_paths(handle.read())
        self.assertEqual(['a/nova/compute/manager.py',
                          'nova/compute/manager.py',
                          'b/nova/compute/manager.py',
                          'nova/compute/manager.py'], paths)
        copy = os.path.join(tmp, 'copy')
        patch_input._copy_files(source, copy, paths + [
            SERVERS, '../outside.py', 'no/such.py'])
        found = sorted(os.path.relpath(os.path.join(top, name), copy)
                       for top, _dirs, names in os.walk(copy)
                       for name in names)
        self.assertEqual(['nova/compute/manager.py', SERVERS], found)


class TestMisplacedTestHunk(testtools.TestCase):

    def test_reported_but_does_not_decide(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        tree = minirepo.affected_tree(os.path.join(tmp, 'tree'))
        _write(tree, SERVERS, 'class T(object):\n\n'
               '    def test_a(self):\n        x = 1\n        y = 2\n'
               '        z = 3\n\n    def test_b(self):\n        pass\n')
        with open(minirepo.FIX_PATCH) as handle:
            code = ''.join(text for _path, kind, text in patch_files.split(
                handle.read()) if kind == patch_files.CODE)
        # Meant for test_b (its header says so), lands in test_a.
        test_hunk = ('--- a/%s\n+++ b/%s\n@@ -4,3 +4,3 @@ def test_b(self):'
                     '\n         x = 1\n-        y = 2\n+        y = 4\n'
                     '         z = 3\n' % (SERVERS, SERVERS))
        path = os.path.join(tmp, 'both.diff')
        with open(path, 'w') as handle:
            handle.write(code + test_hunk)
        report = patch.check_patch(path, nova_source=tree, run=False)
        self.assertEqual(patch.FIXES, report['outcome'], report['reason'])
        placed = {record['file']: record['placed']
                  for record in report['hunks']}
        self.assertEqual({'nova/compute/manager.py': True, SERVERS: False},
                         placed)
