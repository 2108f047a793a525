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
The Stein backport samples are tried on nova 19.0.1 and 19.0.2 exported
from a nova clone: NOVA_GIT_DIR=/path/to/nova/.git (Zuul's checkout of
openstack/nova is found without it).
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


def _nova_git_dir():
    """A nova clone with the Stein tags: $NOVA_GIT_DIR, or Zuul's checkout.

    Fails the test with the reason when there is none.
    """
    candidates = [os.environ.get('NOVA_GIT_DIR')]
    if os.environ.get('NOVA_SOURCE'):
        candidates.append(os.path.join(os.environ['NOVA_SOURCE'], '.git'))
    candidates.append(os.path.expanduser(
        '~/src/opendev.org/openstack/nova/.git'))
    for candidate in filter(None, candidates):
        proc = subprocess.run(
            ['git', '--git-dir=%s' % candidate, 'rev-parse', '--verify',
             '--quiet', '19.0.2^{commit}'], stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        if proc.returncode == 0:
            return candidate
    raise AssertionError(
        'these tests need a nova git repository with the 19.0.1 and 19.0.2 '
        'tags: set NOVA_GIT_DIR=/path/to/nova/.git (tried %s)'
        % ', '.join(filter(None, candidates)))


class TestBackportPatchNovaGit(_Command):
    """--patch on the real Stein releases, exported from a nova clone.

    Static only: nova 19 needs its own environment for the scenario.
    """

    def setUp(self):
        super(TestBackportPatchNovaGit, self).setUp()
        self.git_dir = _nova_git_dir()

    def _stein(self, sample, ref, codes):
        return self._backport('--patch', os.path.join(SAMPLES, sample),
                              '--nova-git', self.git_dir, '--ref', ref,
                              '--static-only', codes=codes)

    def test_stein_fix_fixes_19_0_1(self):
        code, report = self._stein('stein-19.0.1-fix.patch', '19.0.1', (0,))
        self.assertEqual('fixes', report['outcome'], report['reason'])
        self.assertEqual(['-p1'], report['apply_options'])
        [hunk] = report['hunks']
        self.assertEqual((True, 0, 'ComputeManager.finish_resize',
                          'ComputeManager.finish_resize'),
                         (hunk['placed'], hunk['offset'], hunk['intended'],
                          hunk['landed']))

    def test_wrong_method_diff_does_not_fix_19_0_1(self):
        code, report = self._stein('stein-19.0.1-wrong-method.diff',
                                   '19.0.1', (1,))
        self.assertEqual('does-not-fix', report['outcome'],
                         report['reason'])
        self.assertEqual('affected', report['static_after']['verdict'])
        # The diff does what it says (on the method it names), which is
        # not the method the bug is in.
        self.assertTrue(report['hunks'][0]['placed'])
        self.assertEqual('ComputeManager.prep_resize',
                         report['hunks'][0]['landed'])

    def test_stein_fix_on_19_0_2_is_already_fixed(self):
        # 19.0.2 has the fix.  The 19.0.1 patch only applies there with
        # one line of context, 197 lines up in resize_instance's failure
        # handler: that is reported, and the tree is judged from before
        # the patch (already fixed), never from the misplaced hunk.
        code, report = self._stein('stein-19.0.1-fix.patch', '19.0.2', (3,))
        self.assertEqual('already-fixed', report['outcome'],
                         report['reason'])
        self.assertEqual('fixed', report['static_before']['verdict'])
        self.assertIsNone(report['static_after'])
        self.assertEqual(['-p1', '-C1'], report['apply_options'])
        [hunk] = report['hunks']
        self.assertFalse(hunk['placed'])
        self.assertEqual(('ComputeManager.finish_resize',
                          'ComputeManager.resize_instance', [1, 1], -197),
                         (hunk['intended'], hunk['landed'], hunk['context'],
                          hunk['offset']))
        self.assertIn('blob c60a16d', hunk['intended_from'])
        for text in ('hunk #1 of nova/compute/manager.py',
                     'meant for ComputeManager.finish_resize',
                     'landed in ComputeManager.resize_instance at line '
                     '4582'):
            self.assertIn(text, report['reason'])
            self.assertIn(text, report['apply_error'])


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
