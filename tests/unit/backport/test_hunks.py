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

"""Where the hunks of a backport land (backport.hunks and patch mode).

The trees are small git repositories built from the cut-down manager.py
of tests/samples/backports (tests.unit.backport.minirepo), changed the
way a stable branch drifts from the tree a patch was written against.
"""

import os

import fixtures
import testtools

from nova_resize_checks.backport import hunk_text
from nova_resize_checks.backport import hunks
from nova_resize_checks.backport import patch
from nova_resize_checks.backport import patch_apply
from tests.unit.backport import minirepo

# A method put above finish_resize (it shifts finish_resize down) whose
# failure handler has the same three lines the fix changes.
_RESIZE_INSTANCE = '''\
    def resize_instance(self, context, instance, migration):
        try:
            self._resize_instance(context, instance, migration)
        except Exception:
            with excutils.save_and_reraise_exception():
                self._revert_allocation(context, instance, migration)

'''
_FINISH = '    def finish_resize(self, context, disk_info, image, instance,\n'
_REVERT = ('                self._revert_allocation(context, instance, '
           'migration)\n')
_WRAPPED = ('                self._revert_allocation(context, instance,\n'
            '                                        migration)\n')


def _read(path):
    with open(path) as handle:
        return handle.read()


class _Repo(testtools.TestCase):

    def setUp(self):
        super(_Repo, self).setUp()
        self.repo = self.useFixture(fixtures.TempDir()).path
        self.commits = minirepo.build(self.repo)
        self.manager = os.path.join(self.repo, 'nova', 'compute',
                                    'manager.py')

    def _commit_on_affected(self, change, message):
        """A branch from the affected commit with ``change`` applied."""
        minirepo.git(self.repo, 'checkout', '-q', '-b', 'drift',
                     self.commits['A'])
        text = _read(self.manager)
        with open(self.manager, 'w') as handle:
            handle.write(change(text))
        minirepo.git(self.repo, 'commit', '-q', '-am', message)
        minirepo.git(self.repo, 'checkout', '-q', 'master')
        return 'drift'

    def _check(self, patch_path, ref):
        return patch.check_patch(patch_path, nova_git=self.repo, ref=ref,
                                 run=False)


class TestPlacedHunks(_Repo):

    def test_offset_inside_the_intended_function(self):
        ref = self._commit_on_affected(
            lambda text: text.replace(_FINISH, _RESIZE_INSTANCE + _FINISH),
            'Add resize_instance above finish_resize')
        report = self._check(minirepo.FIX_PATCH, ref)
        self.assertEqual(patch.FIXES, report['outcome'], report['reason'])
        self.assertEqual(['-p1'], report['apply_options'])
        [record] = report['hunks']
        self.assertTrue(record['placed'], record)
        self.assertEqual('ComputeManager.finish_resize', record['intended'])
        # The patch's index line names the blob of the affected commit.
        self.assertIn('blob c9198e3', record['intended_from'])
        self.assertEqual('ComputeManager.finish_resize', record['landed'])
        self.assertEqual(len(_RESIZE_INSTANCE.splitlines()),
                         record['offset'])
        self.assertEqual(37 + record['offset'], record['line'])
        self.assertEqual([3, 0], record['context'])
        self.assertIn('7 lines after where its header puts it',
                      hunk_text.describe(record))

    def test_no_offset_on_the_tree_it_was_made_for(self):
        report = self._check(minirepo.FIX_PATCH, '1.0.0')
        self.assertEqual(patch.FIXES, report['outcome'])
        [record] = report['hunks']
        self.assertEqual((True, 0, 37), (record['placed'], record['offset'],
                                         record['line']))


class TestMisplacedHunks(_Repo):

    def _drifted(self, text):
        # finish_resize's handler wraps its call (so the fix's context no
        # longer matches there) and resize_instance, above it, has the
        # exact lines the fix changes.
        return text.replace(_REVERT, _WRAPPED).replace(
            _FINISH, _RESIZE_INSTANCE + _FINISH)

    def test_reduced_context_in_another_method_cannot_tell(self):
        ref = self._commit_on_affected(self._drifted, 'Drift')
        report = self._check(minirepo.FIX_PATCH, ref)
        self.assertEqual('affected', report['static_before']['verdict'])
        self.assertEqual(patch.CANNOT_TELL, report['outcome'],
                         report['reason'])
        self.assertEqual(4, report['exit_code'])
        self.assertEqual(['-p1', '-C1'], report['apply_options'])
        [record] = report['hunks']
        self.assertFalse(record['placed'])
        self.assertEqual('ComputeManager.finish_resize', record['intended'])
        self.assertEqual('ComputeManager.resize_instance', record['landed'])
        self.assertEqual([2, 0], record['context'])
        self.assertEqual([3, 0], record['patch_context'])
        for text in ('hunk #1 of nova/compute/manager.py',
                     'meant for ComputeManager.finish_resize',
                     'context cut to 2/0 lines',
                     'landed in ComputeManager.resize_instance at line 35, '
                     '2 lines before where its header puts it',
                     'does not apply where it is meant to'):
            self.assertIn(text, report['reason'])
        # The tree after the patch is not judged from a misplaced hunk.
        self.assertIsNone(report['static_after'])
        self.assertIsNone(report['after'])
        self.assertNotIn('applied', report)

    def test_misplaced_on_a_fixed_tree_is_still_already_fixed(self):
        # The fix is in (finish_resize fixed) and resize_instance keeps
        # its revert: like nova 19.0.2 and the Stein fix made for 19.0.1.
        fixed = minirepo.git(self.repo, 'show', '1.0.1:nova/compute/'
                             'manager.py')
        ref = self._commit_on_affected(
            lambda _text: (fixed + '\n').replace(
                _FINISH, _RESIZE_INSTANCE + _FINISH), 'Fixed, with drift')
        report = self._check(minirepo.FIX_PATCH, ref)
        self.assertEqual(patch.ALREADY_FIXED, report['outcome'],
                         report['reason'])
        self.assertIn('already fixed', report['reason'])
        self.assertIn('ComputeManager.resize_instance', report['reason'])
        self.assertFalse(report['hunks'][0]['placed'])

    def test_without_the_pre_image_the_reason_still_names_the_hunk(self):
        # A plain source tree: no blob to read, the hunk header names
        # only the class, so the intended function is the weak one read
        # from the hunk's line numbers; the cut context alone rejects it.
        ref = self._commit_on_affected(self._drifted, 'Drift')
        tree = self.useFixture(fixtures.TempDir()).path
        minirepo.git(self.repo, 'worktree', 'add', '-q',
                     os.path.join(tree, 'wt'), ref)
        os.remove(os.path.join(tree, 'wt', '.git'))
        report = patch.check_patch(minirepo.FIX_PATCH,
                                   nova_source=os.path.join(tree, 'wt'),
                                   run=False)
        self.assertEqual(patch.CANNOT_TELL, report['outcome'])
        [record] = report['hunks']
        self.assertEqual(hunks.FROM_LINES, record['intended_from'])
        self.assertIn('context cut to 2/0', report['reason'])


class TestLocate(testtools.TestCase):
    """hunks.locate on two-method files and hand-written diffs."""

    _SOURCE = ('class C(object):\n'
               '\n'
               '    def first(self):\n'
               '        a = 1\n'
               '        b = 2\n'
               '        c = 3\n'
               '        return a\n'
               '\n'
               '    def second(self):\n'
               '        x = 0\n'
               '        a = 1\n'
               '        b = 2\n'
               '        c = 3\n'
               '        return a\n')

    def setUp(self):
        super(TestLocate, self).setUp()
        root = self.useFixture(fixtures.TempDir()).path
        self.before = os.path.join(root, 'before')
        self.after = os.path.join(root, 'after')
        for tree in (self.before, self.after):
            os.makedirs(tree)
            with open(os.path.join(tree, 'm.py'), 'w') as handle:
                handle.write(self._SOURCE)
        self.patch = os.path.join(root, 'p.diff')

    def _apply(self, diff):
        with open(self.patch, 'w') as handle:
            handle.write(diff)
        options = patch_apply.apply_patch(self.after, self.patch)
        return options, hunks.locate(self.before, self.after, diff, options)

    def test_header_names_another_function(self):
        # Plain git apply moves the hunk 6 lines down into second(); the
        # header says first(): the hunk is misplaced.
        diff = ('--- a/m.py\n+++ b/m.py\n'
                '@@ -4,3 +4,3 @@ def first(self):\n'
                '         x = 0\n'
                '-        a = 1\n'
                '+        a = 10\n'
                '         b = 2\n')
        options, [record] = self._apply(diff)
        self.assertEqual(['-p1'], options)
        self.assertFalse(record['placed'])
        self.assertEqual(('first', hunks.FROM_HEADER, 'C.second', 6),
                         (record['intended'], record['intended_from'],
                          record['landed'], record['offset']))
        self.assertIn('it is not in first', hunk_text.misplaced([record]))

    def test_header_names_the_function_it_lands_in(self):
        diff = ('--- a/m.py\n+++ b/m.py\n'
                '@@ -4,3 +4,3 @@ def second(self):\n'
                '         x = 0\n'
                '-        a = 1\n'
                '+        a = 10\n'
                '         b = 2\n')
        _options, [record] = self._apply(diff)
        self.assertTrue(record['placed'], record)
        self.assertIsNone(hunk_text.misplaced([record]))

    def test_two_hunks_each_located(self):
        diff = ('--- a/m.py\n+++ b/m.py\n'
                '@@ -3,3 +3,4 @@ class C(object):\n'
                '     def first(self):\n'
                '         a = 1\n'
                '+        a += 1\n'
                '         b = 2\n'
                '@@ -10,3 +11,3 @@ class C(object):\n'
                '         x = 0\n'
                '-        a = 1\n'
                '+        a = 2\n'
                '         b = 2\n')
        _options, records = self._apply(diff)
        # The def in the first hunk's context names it (a bare name).
        self.assertEqual([('first', 'C.first', 5, 0),
                          ('C.second', 'C.second', 12, 0)],
                         [(r['intended'], r['landed'], r['line'],
                           r['offset']) for r in records])
        self.assertEqual(hunks.FROM_CONTEXT, records[0]['intended_from'])
        self.assertTrue(all(r['placed'] for r in records))


class TestReadableErrors(testtools.TestCase):

    def test_git_errors_drop_the_quoted_context(self):
        stderr = ('error: while searching for:\n'
                  '        except Exception:\n'
                  '            with excutils.save_and_reraise_exception():'
                  '\n\n'
                  'error: patch failed: nova/compute/manager.py:4776\n'
                  'error: nova/compute/manager.py: patch does not apply\n')
        self.assertEqual('patch failed: nova/compute/manager.py:4776; '
                         'nova/compute/manager.py: patch does not apply',
                         hunks.git_errors(stderr))

    def test_apply_error_is_text(self):
        tree = minirepo.affected_tree(self.useFixture(
            fixtures.TempDir()).path)
        manager = os.path.join(tree, 'nova', 'compute', 'manager.py')
        with open(manager) as handle:
            text = handle.read()
        with open(manager, 'w') as handle:
            handle.write(text.replace(_REVERT, _WRAPPED))
        report = patch.check_patch(minirepo.LOG_ONLY_DIFF, nova_source=tree,
                                   run=False)
        self.assertEqual(patch.CANNOT_TELL, report['outcome'])
        error = report['apply_error']
        self.assertIsInstance(error, str)
        self.assertNotIn("['", error)
        self.assertNotIn('while searching', error)
        # The -C1 rungs fail the same way: each message is said once.
        self.assertIn('git apply -p1, -p1 -C1: patch failed: '
                      'nova/compute/manager.py:34; nova/compute/manager.py: '
                      'patch does not apply; git apply -p0, -p0 -C1: ', error)
        self.assertIn('git apply -p0, -p0 -C1: a/nova/compute/manager.py: No '
                      'such file or directory', error)
        self.assertEqual(1, error.count('patch failed'))


class TestText(_Repo):

    def test_text_output_shows_every_hunk(self):
        import io

        from nova_resize_checks import cli

        ref = self._commit_on_affected(
            lambda text: text.replace(_REVERT, _WRAPPED).replace(
                _FINISH, _RESIZE_INSTANCE + _FINISH), 'Drift')
        out = self.useFixture(fixtures.MonkeyPatch(
            'sys.stdout', io.StringIO())).new_value
        code = cli.main(['backport', '--patch', minirepo.FIX_PATCH,
                         '--nova-git', self.repo, '--ref', ref,
                         '--static-only'])
        self.assertEqual(4, code)
        text = ' '.join(out.getvalue().split())
        self.assertIn('MISPLACED: hunk #1 of nova/compute/manager.py', text)
        self.assertIn('landed in ComputeManager.resize_instance', text)
        self.assertIn('outcome: cannot-tell (exit 4)', text)
