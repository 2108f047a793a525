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
Patch mode on a real release tree uses nova 19.0.1's sdist from PyPI
(``--nova-release``, downloaded once into the XDG cache), static only.
"""

import ast
import difflib
import glob
import json
import os
import shutil
import subprocess
import sys

import fixtures
import jsonschema
import testtools

from nova_resize_checks.backport import release
from nova_resize_checks import env
from nova_resize_checks import schemas
from tests.unit.backport import minirepo

SAMPLES = minirepo.SAMPLES


class _Command(testtools.TestCase):

    def _backport(self, *args, codes=(0, 1)):
        proc = subprocess.run(
            [sys.executable, '-m', 'nova_resize_checks.cli', 'backport',
             '--format', 'json'] + list(args),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL, timeout=900)
        self.assertIn(proc.returncode, codes, proc.stderr.decode())
        return proc.returncode, json.loads(proc.stdout.decode())


class TestBackportInstalledNova(_Command):

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


class TestBackportGitRefs(_Command):
    """The command on a small git repository built by the test."""

    def test_branches_tags_and_history(self):
        repo = self.useFixture(fixtures.TempDir()).path
        commits = minirepo.build(repo)
        code, document = self._backport('--nova-git', repo, '--branches',
                                        '--tags', '1.*', 'master')
        rows = {row['ref']: row for row in document['refs']}
        # Named refs first, then branches, then tags in version order.
        self.assertEqual(['master', 'unmaintained/mid', 'stable/old',
                          '1.0.0', '1.0.1'], [r['ref'] for r in
                                              document['refs']])
        self.assertEqual('affected', rows['stable/old']['verdict'])
        self.assertFalse(rows['stable/old']['fix_in_history'])
        self.assertEqual(commits['D'],
                         rows['unmaintained/mid']['fix_commit'])
        self.assertEqual('fixed', rows['master']['verdict'])
        self.assertEqual(37, rows['1.0.0']['line'])
        self.assertEqual(1, code)


class TestBackportPatchInstalledNova(_Command):
    """--patch on a copy of the installed nova.

    The scenario runs before and after: the copy is the installed version.
    """

    def setUp(self):
        super(TestBackportPatchInstalledNova, self).setUp()
        package = env._nova_package_dir()
        version = env.distribution_version('nova')
        if version != '34.0.0':
            self.fail('the sample patches are written against nova 34.0.0 '
                      '(upper-constraints.txt); nova %s is installed'
                      % version)
        self.tree = self.useFixture(fixtures.TempDir()).path
        shutil.copytree(package, os.path.join(self.tree, 'nova'),
                        ignore=shutil.ignore_patterns('__pycache__'))
        site = os.path.dirname(package)
        for info in glob.glob(os.path.join(site, 'nova-*.dist-info')):
            shutil.copytree(info, os.path.join(self.tree,
                                               os.path.basename(info)))

    def test_fix_patch_fixes_an_affected_tree(self):
        minirepo.git(self.tree, 'apply', os.path.join(
            SAMPLES, 'nova-34.0.0-reintroduce-bug.diff'))
        code, report = self._backport(
            '--patch', os.path.join(SAMPLES, 'nova-34.0.0-fix.patch'),
            '--nova-source', self.tree)
        self.assertEqual('fixes', report['outcome'], report['reason'])
        self.assertEqual(0, code)
        self.assertEqual('affected', report['dynamic_before']['verdict'])
        self.assertEqual({'source': 'flavor1', 'dest': 'none'},
                         report['dynamic_before']['usage'])
        self.assertEqual('fixed', report['dynamic_after']['verdict'])
        self.assertEqual({'source': 'none', 'dest': 'flavor2'},
                         report['dynamic_after']['usage'])

    def test_other_interpreter_runs_the_matrix_script(self):
        # --python takes the matrix's scenario script path (the one old
        # releases use); this interpreter stands in for a matrix env's.
        minirepo.git(self.tree, 'apply', os.path.join(
            SAMPLES, 'nova-34.0.0-reintroduce-bug.diff'))
        code, report = self._backport(
            '--patch', os.path.join(SAMPLES, 'nova-34.0.0-fix.patch'),
            '--nova-source', self.tree, '--python', sys.executable)
        self.assertEqual('fixes', report['outcome'], report['reason'])
        self.assertEqual(sys.executable, report['scenario_python'])
        self.assertEqual('affected', report['dynamic_before']['verdict'])
        self.assertEqual('fixed', report['dynamic_after']['verdict'])
        self.assertEqual(0, code)

    def test_reintroducing_patch_does_not_fix(self):
        code, report = self._backport(
            '--patch', os.path.join(SAMPLES,
                                    'nova-34.0.0-reintroduce-bug.diff'),
            '--nova-source', self.tree)
        self.assertEqual('does-not-fix', report['outcome'], report['reason'])
        self.assertEqual(1, code)
        self.assertEqual('fixed', report['dynamic_before']['verdict'])
        self.assertEqual('affected', report['dynamic_after']['verdict'])
        self.assertEqual('affected', report['static_after']['verdict'])


class TestLegacyScenarioOnInstalledNova(testtools.TestCase):
    """The matrix's scenario script, run as a script on the nova here."""

    def test_fixed_outcome_and_new_helper_api_detected(self):
        from nova_resize_checks.backport import legacy_scenario
        from nova_resize_checks import outcome

        out = os.path.join(self.useFixture(fixtures.TempDir()).path,
                           'observation.json')
        proc = subprocess.run(
            [sys.executable, legacy_scenario.__file__, '--output', out],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, timeout=600)
        with open(out) as f:
            document = json.load(f)
        self.assertEqual(0, proc.returncode,
                         document.get('scenario_error'))
        self.assertIn('_wait_for_state_change(server, ...)',
                      document['adaptations'])
        verdict, reasons = outcome.classify(document['observation'])
        self.assertEqual('fixed', verdict, reasons)
        self.assertEqual(env.distribution_version('nova'),
                         document['versions']['nova'])


RELEASE = '19.0.1'
MANAGER = 'nova/compute/manager.py'
REGRESSION = 'nova/tests/functional/regressions/test_bug_1825537.py'
NOTE = 'releasenotes/notes/bug-1825537-finish-resize-allocations.yaml'
# A hunk of upstream's fix to the regression test as a packager would
# carry it (written here, not copied): 19.0.1 does not ship the test,
# which came with the change that recreated the bug.
TEST_HUNK = """--- a/%s
+++ b/%s
@@ -72,3 +72,3 @@
         dest_rp_uuid = self._get_provider_uuid_by_host('host2')
-        self.assertEqual(no_usage, dest_rp_usages)
+        self.assertEqual(no_usage, source_rp_usages)
         self.assertFlavorMatchesAllocation(
""" % (REGRESSION, REGRESSION)
NOTE_HUNK = """--- /dev/null
+++ b/%s
@@ -0,0 +1,3 @@
+---
+fixes:
+  - Source node allocations are dropped when finish_resize fails.
""" % NOTE


def _release_tree():
    try:
        return release.release_tree(RELEASE)[0]
    except release.ReleaseError as exc:
        raise AssertionError('these tests need nova %s\'s sdist from PyPI '
                             '(downloaded once, then cached): %s'
                             % (RELEASE, exc))


def _fix_hunks(tree):
    """The fix's code hunk for this tree, made from the tree itself.

    In ComputeManager.finish_resize's except handler the call to
    _revert_allocation becomes _delete_allocation_after_move (the fix's
    shape); difflib writes the hunk with three lines of context.
    """
    with open(os.path.join(tree, MANAGER)) as handle:
        lines = handle.readlines()
    module = ast.parse(''.join(lines))
    manager = [node for node in module.body
               if getattr(node, 'name', None) == 'ComputeManager'][0]
    method = [node for node in manager.body
              if getattr(node, 'name', None) == 'finish_resize'][0]
    calls = [node for node in ast.walk(method)
             if isinstance(node, ast.Call) and
             getattr(node.func, 'attr', None) == '_revert_allocation']
    index = calls[0].lineno - 1
    fixed = list(lines)
    fixed[index] = lines[index].replace('_revert_allocation(',
                                        '_delete_allocation_after_move(')
    return ''.join(difflib.unified_diff(lines, fixed, 'a/' + MANAGER,
                                        'b/' + MANAGER))


class TestBackportPatchOnRelease(_Command):
    """--patch --nova-release on nova 19.0.1's sdist: no git, static."""

    def setUp(self):
        super(TestBackportPatchOnRelease, self).setUp()
        self.tree = _release_tree()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.code = _fix_hunks(self.tree)

    def _patch(self, *parts):
        path = os.path.join(self.tmp, 'backport.diff')
        with open(path, 'w') as handle:
            handle.write(''.join(parts))
        code, report = self._backport('--patch', path, '--nova-release',
                                      RELEASE, '--static-only',
                                      codes=(0, 1, 3, 4))
        jsonschema.validate(report, schemas.load('backport-patch'))
        self.assertEqual(code, report['exit_code'])
        return report

    def test_code_fix_carried_with_a_test_hunk_that_cannot_apply(self):
        report = self._patch(self.code, TEST_HUNK, NOTE_HUNK)
        self.assertEqual('fixes', report['outcome'], report['reason'])
        self.assertEqual(RELEASE, report['nova_version'])
        self.assertEqual('nova-%s.tar.gz' % RELEASE,
                         report['nova_release']['sdist'])
        self.assertEqual(self.tree, report['nova_release']['tree'])
        self.assertEqual(('affected', 'revert-allocation'),
                         (report['static_before']['verdict'],
                          report['static_before']['shape']))
        self.assertEqual(('fixed', 'delete-allocation-after-move'),
                         (report['static_after']['verdict'],
                          report['static_after']['shape']))
        self.assertEqual([MANAGER, NOTE], report['applied'])
        [record] = report['not_applied']
        self.assertEqual((REGRESSION, 'test', True),
                         (record['file'], record['kind'],
                          record['file_missing']))
        self.assertIn('depends on an earlier change that adds it',
                      record['cause'])
        self.assertIn(REGRESSION, report['reason'])
        self.assertEqual([True], [h['placed'] for h in report['hunks']])

    def test_code_hunk_that_does_not_apply_cannot_tell(self):
        broken = self.code.replace('-                self._revert_'
                                   'allocation(context, instance, '
                                   'migration)',
                                   '-                self._revert_'
                                   'allocation(ctxt, instance, migration)')
        self.assertNotEqual(self.code, broken)
        report = self._patch(broken, TEST_HUNK)
        self.assertEqual('cannot-tell', report['outcome'], report['reason'])
        self.assertIn(MANAGER, report['apply_error'])
        # git's messages are said once, in apply_error.
        self.assertNotIn(report['apply_error'], report['reason'])
        self.assertEqual(1, report['apply_error'].count('patch failed'))
        self.assertIsNone(report['static_after'])

    def test_a_change_outside_the_failure_path_does_not_fix(self):
        # A code change that leaves finish_resize's failure handling as
        # the release has it (a comment at the top of the module).
        with open(os.path.join(self.tree, MANAGER)) as handle:
            lines = handle.readlines()
        changed = list(lines)
        changed.insert(0, '# Carried by the distribution.\n')
        comment_only = ''.join(difflib.unified_diff(
            lines, changed, 'a/' + MANAGER, 'b/' + MANAGER))
        report = self._patch(comment_only, TEST_HUNK)
        self.assertEqual('does-not-fix', report['outcome'],
                         report['reason'])
        self.assertEqual('affected', report['static_after']['verdict'])
        self.assertEqual([REGRESSION],
                         [r['file'] for r in report['not_applied']])
