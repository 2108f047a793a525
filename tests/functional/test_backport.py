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

import glob
import json
import os
import shutil
import subprocess
import sys

import fixtures
import testtools

from nova_resize_checks import env
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
