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

"""Unit tests for the static backport check.

Every source here is a small fake written for the test: it only mimics the
call structure of each shape of ``ComputeManager.finish_resize``.
"""

import os
import subprocess
import textwrap
from unittest import mock

import fixtures
import testtools

from nova_resize_checks.backport import static
from nova_resize_checks.backport import versions


def manager(methods, header='', cls='ComputeManager'):
    """A fake manager module holding ``methods`` in class ``cls``."""
    body = textwrap.indent(textwrap.dedent(methods).strip('\n'), '    ')
    return '%s\nclass %s(object):\n\n%s\n' % (
        textwrap.dedent(header), cls, body)


# Ocata-like: the failure path rolls back quotas, nothing about placement.
QUOTA_ROLLBACK = manager('''
    def finish_resize(self, context, instance, migration, reservations):
        quotas = Quotas(reservations)
        try:
            self._finish_resize(context, instance, migration)
            quotas.commit()
        except Exception:
            LOG.exception('finish_resize failed')
            with excutils.save_and_reraise_exception():
                try:
                    quotas.rollback()
                except Exception:
                    LOG.exception('rollback failed')
                self._set_error(context, instance)

    def _finish_resize(self, context, instance, migration):
        self.driver.finish(instance)

    def _set_error(self, context, instance):
        instance.vm_state = 'error'
        instance.save()
''')

# Pike 16.1.0-like: only a same-class context manager handles failures.
CONTEXT_MANAGER_ONLY = manager('''
    def finish_resize(self, context, instance, migration):
        with self._error_out(context, instance):
            self._finish_resize(context, instance, migration)

    @contextlib.contextmanager
    def _error_out(self, context, instance):
        try:
            yield
        except Exception:
            with excutils.save_and_reraise_exception():
                instance.vm_state = 'error'
                instance.save()

    def _finish_resize(self, context, instance, migration):
        self.driver.finish(instance)
''')

# Pike 16.1.1-like: the resource tracker drops the destination node.
RT_FAILED_RESIZE = manager('''
    def finish_resize(self, context, instance, migration):
        try:
            self._finish_resize_helper(context, instance, migration)
        except Exception:
            with excutils.save_and_reraise_exception():
                rt = self._get_tracker()
                node = self.driver.nodes()[0]
                rt.delete_allocation_for_failed_resize(
                    instance, node, instance.new_flavor)

    def _finish_resize_helper(self, context, instance, migration):
        self.driver.finish(instance)

    def _get_tracker(self):
        return self.tracker
''')

# Queens..Stein-like: the bug.
REVERT = manager('''
    def finish_resize(self, context, instance, migration):
        try:
            self._finish_resize_helper(context, instance, migration)
        except Exception:
            with excutils.save_and_reraise_exception():
                self._revert_allocation(context, instance, migration)

    def _finish_resize_helper(self, context, instance, migration):
        self.driver.finish(instance)

    def _revert_allocation(self, context, instance, migration):
        self.reportclient.move_allocations(context, migration.uuid,
                                           instance.uuid)
''')

# Queens/Rocky backport-like: drop the migration consumer inline.
INLINE_DROP = manager('''
    def finish_resize(self, context, instance, migration):
        old_flavor = instance.flavor
        try:
            self._finish_resize_helper(context, instance, migration)
        except Exception:
            with excutils.save_and_reraise_exception():
                LOG.info('dropping source allocations')
                if not self.reportclient.delete_allocation_for_instance(
                        context, migration.uuid):
                    node = Node.lookup(context, migration.source_node)
                    sched_utils.remove_allocation_from_compute(
                        context, instance, node.uuid, self.reportclient,
                        flavor=old_flavor)

    def _finish_resize_helper(self, context, instance, migration):
        self.driver.finish(instance)
''')

# Train-like: the fix.
AFTER_MOVE = manager('''
    def finish_resize(self, context, instance, migration):
        try:
            self._finish_resize_helper(context, instance, migration)
        except Exception:
            with excutils.save_and_reraise_exception():
                LOG.info('dropping source allocations')
                self._delete_allocation_after_move(
                    context, instance, migration)
        finally:
            self._done(instance)

    def _finish_resize_helper(self, context, instance, migration):
        self.driver.finish(instance)

    def _delete_allocation_after_move(self, context, instance, migration):
        self.reportclient.delete_allocation_for_instance(
            context, migration.uuid)

    def _done(self, instance):
        pass
''')


class ClassifySourceTestCase(testtools.TestCase):

    def assertResult(self, source, verdict, shape, call=None, line=None):
        result = static.classify_source(source)
        self.assertEqual(verdict, result.verdict, result.detail)
        self.assertEqual(shape, result.shape, result.detail)
        self.assertEqual(call, result.call, result.detail)
        if line is not None:
            self.assertEqual(line, result.line, result.detail)
        self.assertEqual(static.MANAGER_PATH, result.path)
        self.assertTrue(result.detail)
        return result

    @staticmethod
    def line_of(source, text):
        for number, line in enumerate(source.splitlines(), 1):
            if text in line:
                return number
        raise AssertionError('%r not in source' % text)

    def test_quota_rollback_only_predates(self):
        result = self.assertResult(
            QUOTA_ROLLBACK, static.PREDATES, static.SHAPE_NO_HANDLING,
            line=self.line_of(QUOTA_ROLLBACK, 'def finish_resize'))
        self.assertIn('quotas.rollback()', result.detail)
        self.assertIn('self._set_error()', result.detail)

    def test_context_manager_only_predates(self):
        result = self.assertResult(
            CONTEXT_MANAGER_ONLY, static.PREDATES, static.SHAPE_NO_HANDLING)
        self.assertIn('no except handler', result.detail)
        self.assertIn('self._error_out()', result.detail)
        self.assertIn('instance.save()', result.detail)

    def test_no_failure_path_at_all_predates(self):
        source = manager('''
            def finish_resize(self, context, instance, migration):
                self.driver.finish(instance)
        ''')
        self.assertResult(source, static.PREDATES, static.SHAPE_NO_HANDLING)

    def test_rt_delete_allocation_for_failed_resize_affected(self):
        result = self.assertResult(
            RT_FAILED_RESIZE, static.AFFECTED, static.SHAPE_RT_FAILED_RESIZE,
            'rt.delete_allocation_for_failed_resize',
            self.line_of(RT_FAILED_RESIZE,
                         'rt.delete_allocation_for_failed_resize'))
        self.assertIn('source node', result.detail)

    def test_revert_allocation_affected(self):
        self.assertResult(
            REVERT, static.AFFECTED, static.SHAPE_REVERT,
            'self._revert_allocation',
            self.line_of(REVERT, 'self._revert_allocation('))

    def test_revert_allocation_not_followed_into(self):
        # _revert_allocation is recognised by name; its own body (an
        # unrecognised allocation call) must not turn up in the verdict.
        result = static.classify_source(REVERT)
        self.assertNotIn('move_allocations', result.detail)

    def test_inline_migration_drop_fixed(self):
        result = self.assertResult(
            INLINE_DROP, static.FIXED, static.SHAPE_INLINE_DROP,
            'self.reportclient.delete_allocation_for_instance',
            self.line_of(INLINE_DROP, 'delete_allocation_for_instance('))
        self.assertIn('remove_allocation_from_compute', result.detail)

    def test_inline_migration_drop_keyword_consumer(self):
        source = manager('''
            def finish_resize(self, context, instance, migration):
                try:
                    self._finish(context, instance, migration)
                except Exception:
                    placement.remove_allocations(
                        context, consumer_uuid=migration.uuid)
                    raise
        ''')
        self.assertResult(source, static.FIXED, static.SHAPE_INLINE_DROP,
                          'placement.remove_allocations')

    def test_instance_consumer_drop_unknown(self):
        # Dropping the instance's own allocations is not the fix.
        source = manager('''
            def finish_resize(self, context, instance, migration):
                try:
                    self._finish(context, instance, migration)
                except Exception:
                    with excutils.save_and_reraise_exception():
                        self.reportclient.delete_allocation_for_instance(
                            context, instance.uuid)
        ''')
        result = self.assertResult(
            source, static.UNKNOWN, static.SHAPE_UNRECOGNISED,
            'self.reportclient.delete_allocation_for_instance')
        self.assertIn('match no known shape', result.detail)

    def test_unrecognised_handling_unknown(self):
        source = manager('''
            def finish_resize(self, context, instance, migration):
                try:
                    self._finish(context, instance, migration)
                except Exception:
                    with excutils.save_and_reraise_exception():
                        self.rt.drop_move_claim(context, instance)
                        self._fix_up_allocations(instance)
        ''')
        result = self.assertResult(
            source, static.UNKNOWN, static.SHAPE_UNRECOGNISED,
            'self.rt.drop_move_claim')
        self.assertIn('self._fix_up_allocations()', result.detail)

    def test_delete_allocation_after_move_fixed(self):
        self.assertResult(
            AFTER_MOVE, static.FIXED, static.SHAPE_AFTER_MOVE,
            'self._delete_allocation_after_move',
            self.line_of(AFTER_MOVE, 'self._delete_allocation_after_move('))

    def test_plain_except_without_reraise_helper(self):
        source = manager('''
            def finish_resize(self, context, instance, migration):
                try:
                    self._finish(context, instance, migration)
                except Exception:
                    self._delete_allocation_after_move(
                        context, instance, migration)
                    raise
        ''')
        self.assertResult(source, static.FIXED, static.SHAPE_AFTER_MOVE,
                          'self._delete_allocation_after_move')

    def test_finally_is_not_failure_path(self):
        source = manager('''
            def finish_resize(self, context, instance, migration):
                try:
                    self._finish(context, instance, migration)
                finally:
                    self.reportclient.delete_allocation_for_instance(
                        context, instance.uuid)
        ''')
        self.assertResult(source, static.PREDATES, static.SHAPE_NO_HANDLING)

    def test_nested_function_in_handler_ignored(self):
        source = manager('''
            def finish_resize(self, context, instance, migration):
                try:
                    self._finish(context, instance, migration)
                except Exception:
                    def later():
                        self._revert_allocation(context, instance, migration)
                    self.callbacks.append(later)
                    raise
        ''')
        self.assertResult(source, static.PREDATES, static.SHAPE_NO_HANDLING)

    def test_delegation_to_helper_fixed(self):
        source = manager('''
            def finish_resize(self, context, instance, migration):
                try:
                    self._finish(context, instance, migration)
                except Exception:
                    with excutils.save_and_reraise_exception():
                        self._cleanup_failed_finish(
                            context, instance, migration)

            def _cleanup_failed_finish(self, context, instance, migration):
                LOG.info('cleaning up')
                self._delete_allocation_after_move(
                    context, instance, migration)

            def _finish(self, context, instance, migration):
                pass
        ''')
        result = self.assertResult(
            source, static.FIXED, static.SHAPE_AFTER_MOVE,
            'self._delete_allocation_after_move',
            self.line_of(source, 'self._delete_allocation_after_move('))
        self.assertIn('self._cleanup_failed_finish()', result.detail)

    def test_delegation_to_helper_affected(self):
        source = manager('''
            def finish_resize(self, context, instance, migration):
                try:
                    self._finish(context, instance, migration)
                except Exception:
                    self._on_failure(context, instance, migration)
                    raise

            def _on_failure(self, context, instance, migration):
                self._revert_allocation(context, instance, migration)
        ''')
        self.assertResult(source, static.AFFECTED, static.SHAPE_REVERT,
                          'self._revert_allocation')

    def test_delegation_is_one_level_deep(self):
        source = manager('''
            def finish_resize(self, context, instance, migration):
                try:
                    self._finish(context, instance, migration)
                except Exception:
                    self._on_failure(context, instance, migration)
                    raise

            def _on_failure(self, context, instance, migration):
                self._really_on_failure(context, instance, migration)

            def _really_on_failure(self, context, instance, migration):
                self._revert_allocation(context, instance, migration)
        ''')
        self.assertResult(source, static.PREDATES, static.SHAPE_NO_HANDLING)

    def test_whole_try_delegated_to_helper(self):
        source = manager('''
            def finish_resize(self, context, instance, migration):
                self._notify(instance)
                return self._finish_with_cleanup(context, instance, migration)

            def _notify(self, instance):
                pass

            def _finish_with_cleanup(self, context, instance, migration):
                try:
                    self.driver.finish(instance)
                except Exception:
                    with excutils.save_and_reraise_exception():
                        self._delete_allocation_after_move(
                            context, instance, migration)
        ''')
        result = self.assertResult(source, static.FIXED,
                                   static.SHAPE_AFTER_MOVE,
                                   'self._delete_allocation_after_move')
        self.assertIn('self._finish_with_cleanup()', result.detail)

    def test_own_handling_wins_over_helpers(self):
        # The helper called in the try body reverts on its own failures,
        # but finish_resize's own failure path decides.
        source = manager('''
            def finish_resize(self, context, instance, migration):
                try:
                    self._helper(context, instance, migration)
                except Exception:
                    with excutils.save_and_reraise_exception():
                        self._delete_allocation_after_move(
                            context, instance, migration)

            def _helper(self, context, instance, migration):
                try:
                    self.driver.finish(instance)
                except Exception:
                    self._revert_allocation(context, instance, migration)
                    raise
        ''')
        self.assertResult(source, static.FIXED, static.SHAPE_AFTER_MOVE,
                          'self._delete_allocation_after_move')

    def test_conflicting_handling_unknown(self):
        source = manager('''
            def finish_resize(self, context, instance, migration):
                try:
                    self._finish(context, instance, migration)
                except Exception:
                    with excutils.save_and_reraise_exception():
                        self._revert_allocation(context, instance, migration)
                        self._delete_allocation_after_move(
                            context, instance, migration)
        ''')
        result = self.assertResult(source, static.UNKNOWN,
                                   static.SHAPE_CONFLICTING,
                                   'self._revert_allocation')
        self.assertIn(static.SHAPE_AFTER_MOVE, result.detail)

    def test_last_definition_wins(self):
        source = manager('''
            def finish_resize(self, context, instance, migration):
                try:
                    self._finish(context, instance, migration)
                except Exception:
                    self._revert_allocation(context, instance, migration)
                    raise

            def finish_resize(self, context, instance, migration):
                try:
                    self._finish(context, instance, migration)
                except Exception:
                    self._delete_allocation_after_move(
                        context, instance, migration)
                    raise
        ''')
        self.assertResult(source, static.FIXED, static.SHAPE_AFTER_MOVE,
                          'self._delete_allocation_after_move')

    def test_bytes_with_coding_cookie(self):
        source = ('# -*- coding: latin-1 -*-\n# caf\xe9\n' +
                  REVERT).encode('latin-1')
        self.assertResult(source, static.AFFECTED, static.SHAPE_REVERT,
                          'self._revert_allocation')

    def test_path_labels_result(self):
        result = static.classify_source(REVERT, path='x/manager.py')
        self.assertEqual('x/manager.py', result.path)

    def test_to_dict(self):
        result = static.classify_source(AFTER_MOVE)
        self.assertEqual(
            {'verdict': static.FIXED, 'shape': static.SHAPE_AFTER_MOVE,
             'call': 'self._delete_allocation_after_move',
             'path': static.MANAGER_PATH, 'line': result.line,
             'detail': result.detail},
            result.to_dict())

    def test_class_missing(self):
        source = manager('''
            def finish_resize(self, context, instance, migration):
                pass
        ''', cls='OtherManager')
        exc = self.assertRaises(static.StaticCheckError,
                                static.classify_source, source)
        self.assertIn('no class ComputeManager', str(exc))
        self.assertIn('OtherManager', str(exc))

    def test_method_missing(self):
        source = manager('''
            def resize_instance(self, context, instance, migration):
                pass
        ''')
        exc = self.assertRaises(static.StaticCheckError,
                                static.classify_source, source)
        self.assertIn('has no method finish_resize', str(exc))

    def test_syntax_error(self):
        source = manager('''
            def finish_resize(self, context, instance, migration)
                pass
        ''')
        exc = self.assertRaises(static.StaticCheckError,
                                static.classify_source, source, 'm.py')
        self.assertIn('m.py: line', str(exc))

    def test_python2_syntax_elsewhere_is_read_method_by_method(self):
        source = manager('''
            def resize_instance(self, context, instance):
                try:
                    self.driver.resize(instance)
                except Exception, error:
                    raise error

            @wrapped
            def finish_resize(self, context, instance, migration):
                try:
                    self._finish(context, instance, migration)
                except Exception:
                    with excutils.save_and_reraise_exception():
                        self._revert_allocation(context, instance, migration)
        ''', header='import os\n\nprint "old"\n')
        result = self.assertResult(
            source, static.AFFECTED, static.SHAPE_REVERT,
            'self._revert_allocation',
            self.line_of(source, 'self._revert_allocation('))
        self.assertIn('not Python 3 syntax', result.detail)
        self.assertIn('resize_instance', result.detail)

    def test_python2_syntax_in_finish_resize(self):
        source = manager('''
            def finish_resize(self, context, instance, migration):
                try:
                    self._finish(context, instance, migration)
                except Exception, error:
                    raise error
        ''')
        exc = self.assertRaises(static.StaticCheckError,
                                static.classify_source, source)
        self.assertIn('finish_resize itself', str(exc))

    def test_untokenizable_source(self):
        source = 'class ComputeManager(object):\n    x = (\n'
        self.assertRaises(static.StaticCheckError,
                          static.classify_source, source)


class ClassifyTreeTestCase(testtools.TestCase):

    def setUp(self):
        super(ClassifyTreeTestCase, self).setUp()
        self.tree = self.useFixture(fixtures.TempDir()).path

    def write_manager(self, source):
        directory = os.path.join(self.tree, 'nova', 'compute')
        os.makedirs(directory)
        path = os.path.join(directory, 'manager.py')
        with open(path, 'w') as handle:
            handle.write(source)
        return path

    def test_classify_tree(self):
        path = self.write_manager(AFTER_MOVE)
        result = static.classify_tree(self.tree)
        self.assertEqual(static.FIXED, result.verdict)
        self.assertEqual(path, result.path)

    def test_manager_missing(self):
        exc = self.assertRaises(static.StaticCheckError,
                                static.classify_tree, self.tree)
        self.assertIn('nova/compute/manager.py', str(exc))

    def test_tree_missing(self):
        self.assertRaises(static.StaticCheckError, static.classify_tree,
                          os.path.join(self.tree, 'absent'))


class TreeVersionTestCase(testtools.TestCase):

    def setUp(self):
        super(TreeVersionTestCase, self).setUp()
        self.tree = self.useFixture(fixtures.TempDir()).path

    def write(self, relative, text):
        path = os.path.join(self.tree, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as handle:
            handle.write(text)

    def test_unknown(self):
        self.assertIsNone(versions.tree_version(self.tree))

    def test_pkg_info(self):
        self.write('PKG-INFO', 'Metadata-Version: 1.1\nName: nova\n'
                               'Version: 17.0.13\n\nbody\n')
        self.assertEqual('17.0.13', versions.tree_version(self.tree))

    def test_egg_info(self):
        self.write('nova.egg-info/PKG-INFO', 'Name: nova\nVersion: 18.2.2\n')
        self.assertEqual('18.2.2', versions.tree_version(self.tree))

    def test_dist_info(self):
        self.write('nova-31.0.0.dist-info/METADATA',
                   'Name: nova\nVersion: 31.0.0\n')
        self.assertEqual('31.0.0', versions.tree_version(self.tree))

    def test_other_project_metadata_ignored(self):
        self.write('PKG-INFO', 'Name: placement\nVersion: 1.0.0\n')
        self.assertIsNone(versions.tree_version(self.tree))

    def test_git_describe(self):
        os.mkdir(os.path.join(self.tree, '.git'))
        done = subprocess.CompletedProcess([], 0, stdout='19.0.1-3-gabc\n',
                                           stderr='')
        with mock.patch.object(versions.subprocess, 'run', autospec=True,
                               return_value=done) as run:
            self.assertEqual('19.0.1-3-gabc', versions.tree_version(self.tree))
        # Release tags only: an end-of-series tag (pike-em) on the same
        # commit is not a version.
        self.assertEqual(['git', '-C', self.tree, 'describe', '--tags',
                          '--match', '[0-9]*', '--exclude', '*-*'],
                         run.call_args[0][0])

    def test_git_describe_falls_back_to_any_tag(self):
        os.mkdir(os.path.join(self.tree, '.git'))
        runs = [subprocess.CompletedProcess([], 128, stdout='',
                                            stderr='fatal: no names found'),
                subprocess.CompletedProcess([], 0, stdout='my-tag\n',
                                            stderr='')]
        with mock.patch.object(versions.subprocess, 'run', autospec=True,
                               side_effect=runs) as run:
            self.assertEqual('my-tag', versions.tree_version(self.tree))
        self.assertEqual(['git', '-C', self.tree, 'describe', '--tags'],
                         run.call_args[0][0])

    def test_release_of(self):
        self.assertEqual(('19.0.1', 5),
                         versions.release_of('19.0.1-5-geaa1fc6159'))
        self.assertEqual(('19.0.1', 0), versions.release_of('19.0.1'))
        self.assertEqual(('16.0.0.0b1', 0), versions.release_of('16.0.0.0b1'))
        self.assertEqual(('pike-em', 0), versions.release_of('pike-em'))
        self.assertEqual(('2023.2-eol', 0), versions.release_of('2023.2-eol'))
        self.assertEqual(('my-tag-3-gzz', 0),
                         versions.release_of('my-tag-3-gzz'))
        self.assertEqual((None, 0), versions.release_of(None))

    def test_git_describe_fails(self):
        os.mkdir(os.path.join(self.tree, '.git'))
        failed = subprocess.CompletedProcess([], 128, stdout='',
                                             stderr='fatal: no tags')
        with mock.patch.object(versions.subprocess, 'run', autospec=True,
                               return_value=failed):
            self.assertIsNone(versions.tree_version(self.tree))
        with mock.patch.object(versions.subprocess, 'run', autospec=True,
                               side_effect=OSError('no git')):
            self.assertIsNone(versions.tree_version(self.tree))
