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


import ast
import difflib
import os
import textwrap

import testtools

from nova_resize_checks.review import edits
from nova_resize_checks.review import model

HERE = os.path.dirname(os.path.abspath(__file__))
CANONICAL = os.path.join(os.path.dirname(os.path.dirname(HERE)),
                         'functional', 'test_bug_1825537.py')

SPAN = model.Span(1, 1)

# A stand-in for nova/compute/manager.py around finish_resize.
MANAGER = textwrap.dedent('''\
    class ComputeManager(object):

        def finish_resize(self, context, instance, migration):
            try:
                self._finish_resize_helper(context, instance, migration)
            except Exception:
                # Leave the dest allocations, drop the source ones.
                self._delete_allocation_after_move(
                    context, instance, migration)
                raise

        def confirm_resize(self, context, instance, migration):
            self._delete_allocation_after_move(
                context, instance, migration)
    ''')

SMALL = textwrap.dedent('''\
    import os


    def helper(a, b, c=1):
        return a + c


    class T(object):
        x = 1

        def m(self, server, dest):
            return helper(server, 2, c=3)

        def n(self):
            self.m(1, dest=2)
            self.m(4, 5)
            v = self.m(server=1, dest=2)
            return v

        def only(self):
            y = 1
    ''')


def _canonical():
    with open(CANONICAL) as f:
        return f.read()


def _change(kind, **kwargs):
    return model.change(kind, span=SPAN, **kwargs)


def _no_nova(path):
    raise IOError('no nova here: %s' % path)


def _changed_lines(old, new):
    """(removed, added) lines of a diff between two texts."""
    removed, added = [], []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(),
                                     lineterm='', n=0):
        if line.startswith('---') or line.startswith('+++'):
            continue
        if line.startswith('-'):
            removed.append(line[1:])
        elif line.startswith('+'):
            added.append(line[1:])
    return removed, added


class EditsTestBase(testtools.TestCase):

    def setUp(self):
        super(EditsTestBase, self).setUp()
        self.source = _canonical()

    def apply(self, *changes, **kwargs):
        source = kwargs.get('source', self.source)
        reader = kwargs.get('reader', _no_nova)
        return edits.apply_changes(source, list(changes), reader)

    def assertApplied(self, version, index=0):
        applied = version.applied[index]
        self.assertTrue(applied.applied, applied.reason)
        ast.parse(version.test_source)
        return applied

    def assertRefused(self, version, source=None, index=0):
        applied = version.applied[index]
        self.assertFalse(applied.applied, applied.reason)
        self.assertTrue(applied.reason)
        if source is not None:
            self.assertEqual(source, version.test_source)
        return applied


class TestFull(EditsTestBase):

    def test_replaces_whole_file(self):
        code = 'import os\n\n\nclass X(object):\n    pass\n'
        version = self.apply(_change(model.TEST_FULL, code=code))
        self.assertApplied(version)
        self.assertEqual(code, version.test_source)
        self.assertEqual({}, version.nova_overlay)

    def test_unparseable_is_not_applied(self):
        version = self.apply(_change(model.TEST_FULL, code='def f(:\n'))
        applied = self.assertRefused(version, self.source)
        self.assertIn('does not parse', applied.reason)

    def test_empty_is_not_applied(self):
        version = self.apply(_change(model.TEST_FULL, code='  \n'))
        self.assertRefused(version, self.source)


class TestSnippetStatements(EditsTestBase):

    def test_identical_statement_is_no_change(self):
        code = ("self.assertFlavorMatchesAllocation(\n"
                "    self.flavor2, server['id'], dest_rp_uuid)")
        version = self.apply(_change(model.TEST_SNIPPET, code=code))
        applied = self.assertApplied(version)
        self.assertIn('no change', applied.reason)
        self.assertEqual(self.source, version.test_source)

    def test_modification_by_call_shape(self):
        code = ("self.assertFlavorMatchesAllocation(\n"
                "    self.flavor1, server['id'], source_rp_uuid)")
        version = self.apply(_change(model.TEST_SNIPPET, code=code))
        applied = self.assertApplied(version)
        self.assertIn('same shape', applied.reason)
        removed, added = _changed_lines(self.source, version.test_source)
        self.assertEqual(
            ["            self.flavor2, server['id'], dest_rp_uuid)"],
            removed)
        # Continuation line re-indented to where the statement lives.
        self.assertEqual(
            ["            self.flavor1, server['id'], source_rp_uuid)"],
            added)

    def test_ambiguous_statement_is_refused(self):
        version = self.apply(_change(model.TEST_SNIPPET,
                                     code="self._start_compute('host3')"))
        applied = self.assertRefused(version, self.source)
        self.assertIn('ambiguous', applied.reason)
        first = self.source.splitlines().index(
            "        self._start_compute('host1')") + 1
        self.assertIn('%d, %d' % (first, first + 1), applied.reason)

    def test_no_anchor_is_refused(self):
        code = ("    for attempt in range(3):\n"
                "        self._release_allocations(attempt)\n")
        version = self.apply(_change(model.TEST_SNIPPET, code=code))
        applied = self.assertRefused(version, self.source)
        self.assertIn('no anchor', applied.reason)

    def test_a_try_around_a_statement_takes_its_place(self):
        code = ("    try:\n"
                "        self.api.post_server_action(server['id'], req)\n"
                "    except Exception as e:\n"
                "        self._release_allocations(server['id'])\n"
                "        raise e\n")
        version = self.apply(_change(model.TEST_SNIPPET, code=code))
        self.assertApplied(version)
        removed, added = _changed_lines(self.source, version.test_source)
        self.assertEqual([], [line for line in removed
                              if 'post_server_action' not in line])
        self.assertIn('        try:', added)

    def test_a_new_assertion_next_to_a_similar_one_is_inserted(self):
        # Same shape as the host check after it, but about another thing:
        # an insertion, never a replacement of the host check.
        code = ("server = self._wait_for_state_change(server, 'ERROR')\n"
                "self.assertEqual('ERROR', server['status'])\n")
        version = self.apply(_change(model.TEST_SNIPPET, code=code))
        applied = self.assertApplied(version)
        self.assertIn('inserted 1', applied.reason)
        removed, added = _changed_lines(self.source, version.test_source)
        self.assertEqual([], removed)
        self.assertEqual(
            ["        self.assertEqual('ERROR', server['status'])"], added)

    def test_same_arguments_other_assertion_replaces(self):
        code = 'self.assertDictEqual(no_usage, source_rp_usages)\n'
        version = self.apply(_change(model.TEST_SNIPPET, code=code))
        self.assertApplied(version)
        removed, added = _changed_lines(self.source, version.test_source)
        self.assertEqual(
            ['        self.assertEqual(no_usage, source_rp_usages)'], removed)
        self.assertEqual(['        ' + code.strip()], added)

    def test_insertion_after_anchor(self):
        code = ("self.assertFlavorMatchesUsage(dest_rp_uuid, self.flavor2)\n"
                "self.assertFlavorMatchesUsage(source_rp_uuid, self.flavor1)"
                "\n")
        version = self.apply(_change(model.TEST_SNIPPET, code=code))
        applied = self.assertApplied(version)
        self.assertIn('inserted 1', applied.reason)
        removed, added = _changed_lines(self.source, version.test_source)
        self.assertEqual([], removed)
        self.assertEqual(
            ['        self.assertFlavorMatchesUsage(source_rp_uuid, '
             'self.flavor1)'], added)

    def test_two_statement_region_keeps_untouched_comments(self):
        code = ("source_rp_uuid = self._get_provider_uuid_by_host('host1')\n"
                "dest_rp_uuid = self._get_provider_uuid_by_host('host3')\n")
        version = self.apply(_change(model.TEST_SNIPPET, code=code))
        self.assertApplied(version)
        removed, added = _changed_lines(self.source, version.test_source)
        line = "        dest_rp_uuid = self._get_provider_uuid_by_host('%s')"
        self.assertEqual([line % 'host2'], removed)
        self.assertEqual([line % 'host3'], added)

    def test_elided_snippet_is_refused(self):
        code = ("def test_finish_resize_fails_allocation_cleanup(self):\n"
                "    # ... rest of the test unchanged\n"
                "    self._start_compute('host1')\n")
        version = self.apply(_change(model.TEST_SNIPPET, code=code))
        applied = self.assertRefused(version, self.source)
        self.assertIn('elides', applied.reason)

    def test_unparseable_snippet_is_refused(self):
        version = self.apply(_change(model.TEST_SNIPPET,
                                     code='self.assertEqual(1,'))
        applied = self.assertRefused(version, self.source)
        self.assertIn('does not parse', applied.reason)

    def test_deeply_nested_snippet_does_not_crash(self):
        code = 'x = ' + '[' * 5000 + ']' * 5000
        version = self.apply(_change(model.TEST_SNIPPET, code=code))
        self.assertRefused(version, self.source)

    def test_too_large_code_is_refused(self):
        code = 'x = 1\n' * (edits.MAX_CODE_CHARS // 6 + 1)
        version = self.apply(_change(model.TEST_SNIPPET, code=code))
        applied = self.assertRefused(version, self.source)
        self.assertIn('too large', applied.reason)


class TestSnippetDefs(EditsTestBase):

    def test_method_indented_at_class_level_replaces_method(self):
        code = ("    def setUp(self):\n"
                "        super(FinishResizeErrorAllocationCleanupTestCase,"
                " self).setUp()\n"
                "        flavors = self.api.get_flavors()\n"
                "        self.flavor1 = flavors[1]\n"
                "        self.flavor2 = flavors[0]\n")
        version = self.apply(_change(model.TEST_SNIPPET, code=code))
        applied = self.assertApplied(version)
        self.assertIn('replaced def', applied.reason)
        self.assertIn('setUp', applied.reason)
        removed, added = _changed_lines(self.source, version.test_source)
        # Unchanged statements keep their comments; only two lines differ.
        self.assertEqual(['        self.flavor1 = flavors[0]',
                          '        self.flavor2 = flavors[1]'], removed)
        self.assertEqual(['        self.flavor1 = flavors[1]',
                          '        self.flavor2 = flavors[0]'], added)

    def test_identical_method_is_no_change(self):
        tree = ast.parse(self.source)
        cls = [n for n in tree.body if isinstance(n, ast.ClassDef)][0]
        method = [n for n in cls.body if isinstance(n, ast.FunctionDef)
                  and n.name == '_resize_and_assert_error'][0]
        code = ast.get_source_segment(self.source, method, padded=True)
        version = self.apply(_change(model.TEST_SNIPPET, code=code))
        applied = self.assertApplied(version)
        self.assertIn('identical', applied.reason)
        self.assertEqual(self.source, version.test_source)

    def test_new_method_is_added_to_the_test_class(self):
        code = ("def _assert_no_usage(self, rp_uuid):\n"
                "    self.assertEqual({'VCPU': 0, 'MEMORY_MB': 0,"
                " 'DISK_GB': 0},\n"
                "                     self._get_provider_usages(rp_uuid))\n")
        version = self.apply(_change(model.TEST_SNIPPET, code=code))
        applied = self.assertApplied(version)
        self.assertIn('added', applied.reason)
        tree = ast.parse(version.test_source)
        cls = [n for n in tree.body if isinstance(n, ast.ClassDef)][0]
        self.assertIn('_assert_no_usage',
                      [n.name for n in cls.body
                       if isinstance(n, ast.FunctionDef)])
        self.assertTrue(version.test_source.startswith(self.source))

    def test_new_function_is_added_at_module_level(self):
        code = "def flavor_usage(flavor):\n    return flavor['vcpus']\n"
        version = self.apply(_change(model.TEST_SNIPPET, code=code))
        applied = self.assertApplied(version)
        self.assertIn('added', applied.reason)
        tree = ast.parse(version.test_source)
        self.assertIn('flavor_usage', [n.name for n in tree.body
                                       if isinstance(n, ast.FunctionDef)])

    def test_partial_class_is_merged(self):
        code = ("class FinishResizeErrorAllocationCleanupTestCase(\n"
                "        integrated_helpers.ProviderUsageBaseTestCase):\n"
                "    def setUp(self):\n"
                "        super(FinishResizeErrorAllocationCleanupTestCase,"
                " self).setUp()\n"
                "        self.flavor1, self.flavor2 = "
                "self.api.get_flavors()[:2]\n")
        version = self.apply(_change(model.TEST_SNIPPET, code=code))
        applied = self.assertApplied(version)
        self.assertIn('kept the header', applied.reason)
        self.assertIn('base.ResizeChecksTestCase', version.test_source)
        self.assertIn('def test_finish_resize_fails_allocation_cleanup',
                      version.test_source)
        self.assertIn('self.api.get_flavors()[:2]', version.test_source)

    def test_import_is_added_once(self):
        version = self.apply(
            _change(model.TEST_SNIPPET, code='import copy\n'),
            _change(model.TEST_SNIPPET, code='import copy\n'))
        self.assertApplied(version, 0)
        applied = self.assertApplied(version, 1)
        self.assertIn('already present', applied.reason)
        self.assertEqual(1, version.test_source.count('import copy\n'))


class TestWrappingAndClassAttributes(EditsTestBase):

    def test_a_try_around_a_run_of_statements_wraps_that_run(self):
        code = (
            'try:\n'
            '    source_rp_usages = self._get_provider_usages('
            'source_rp_uuid)\n'
            "    no_usage = {'VCPU': 0, 'MEMORY_MB': 0, 'DISK_GB': 0}\n"
            '    self.assertEqual(no_usage, source_rp_usages)\n'
            'except AssertionError as exc:\n'
            '    self.mismatch = exc\n')
        version = self.apply(_change(model.TEST_SNIPPET, code=code))
        self.assertIn('wrapped line(s)', self.assertApplied(version).reason)
        removed, added = _changed_lines(self.source, version.test_source)
        self.assertEqual(3, len(removed))
        self.assertIn('        try:', added)
        # Nothing else of the test moved.
        self.assertEqual(
            len(self.source.split('\n')) - 3 + 6,
            len(version.test_source.split('\n')))

    def test_a_class_listing_replaces_a_class_attribute_by_name(self):
        code = (
            'class FinishResizeErrorAllocationCleanupTestCase(\n'
            '        integrated_helpers.ProviderUsageBaseTestCase):\n'
            "    compute_driver = 'fake.SmallFakeDriver'\n\n"
            '    def setUp(self):\n'
            '        super(FinishResizeErrorAllocationCleanupTestCase, '
            'self).setUp()\n')
        version = self.apply(_change(model.TEST_SNIPPET, code=code))
        self.assertIn('replaced class attribute',
                      self.assertApplied(version).reason)
        self.assertIn("compute_driver = 'fake.SmallFakeDriver'",
                      version.test_source)


class TestDiffs(EditsTestBase):

    def test_wrong_hunk_counts_apply_whole_hunk(self):
        # The header claims 2 lines; unidiff alone would drop the '+' line.
        diff = ("--- a/nova/tests/functional/regressions/"
                "test_bug_1825537.py\n"
                "+++ b/nova/tests/functional/regressions/"
                "test_bug_1825537.py\n"
                "@@ -75,1 +75,1 @@\n"
                "         self.assertFlavorMatchesAllocation(\n"
                "-            self.flavor2, server['id'], dest_rp_uuid)\n"
                "+            self.flavor1, server['id'], dest_rp_uuid)\n")
        version = self.apply(_change(model.TEST_DIFF, code=diff))
        applied = self.assertApplied(version)
        self.assertIn('headers', applied.reason)
        removed, added = _changed_lines(self.source, version.test_source)
        self.assertEqual(
            ["            self.flavor1, server['id'], dest_rp_uuid)"], added)
        self.assertEqual(1, len(removed))

    def test_hunk_of_another_version_applies_by_its_changed_lines(self):
        # Context from an older test (a different comment and a line ours
        # does not have); the changed line locates uniquely in ours.
        diff = ("@@\n"
                "         dest_rp_uuid = self._get_provider_uuid_by_host("
                "'host2')\n"
                "         # Check that the dest has the new flavor.\n"
                "         unused = self.flavor1\n"
                "-        self.assertFlavorMatchesUsage(dest_rp_uuid, "
                "self.flavor2)\n"
                "+        self.assertFlavorMatchesUsage(dest_rp_uuid, "
                "self.flavor1)\n")
        version = self.apply(_change(model.TEST_DIFF, code=diff))
        applied = self.assertApplied(version)
        self.assertIn('changed lines', applied.reason)
        removed, added = _changed_lines(self.source, version.test_source)
        self.assertEqual(['        self.assertFlavorMatchesUsage('
                          'dest_rp_uuid, self.flavor1)'], added)
        self.assertEqual(1, len(removed))

    def test_hunk_ours_already_contains(self):
        diff = ("@@\n"
                "         # an older comment\n"
                "-        self.assertTrue(dest_rp_usages)\n"
                "+        self.assertFlavorMatchesUsage(dest_rp_uuid, "
                "self.flavor2)\n")
        version = self.apply(_change(model.TEST_DIFF, code=diff))
        applied = self.assertApplied(version)
        self.assertIn('already applied', applied.reason)
        self.assertEqual(self.source, version.test_source)

    def test_changed_line_that_is_not_unique_is_refused(self):
        diff = ("@@\n"
                "         # an older comment\n"
                "-        self._start_compute('host9')\n"
                "-        self.assertEqual(1, 1)\n"
                "+        pass\n")
        self.assertRefused(self.apply(_change(model.TEST_DIFF, code=diff)),
                           self.source)

    def test_headerless_dedented_hunk(self):
        diff = ("@@ -1,1 +1,1 @@\n"
                "-self.assertFlavorMatchesUsage(dest_rp_uuid, self.flavor2)\n"
                "+self.assertFlavorMatchesUsage(dest_rp_uuid, self.flavor1)\n")
        version = self.apply(_change(model.TEST_DIFF, code=diff))
        applied = self.assertApplied(version)
        self.assertIn('indentation ignored', applied.reason)
        self.assertIn(
            '\n        self.assertFlavorMatchesUsage(dest_rp_uuid, '
            'self.flavor1)\n', version.test_source)

    def test_upstream_context_with_other_comments(self):
        # Context as in upstream's recreate test: same code, other comments.
        diff = ("--- a/test_bug_1825537.py\n"
                "+++ b/test_bug_1825537.py\n"
                "@@ -58,7 +58,8 @@\n"
                "         # Check the resource provider allocations. Since\n"
                "         # the server is pointed at the dest host...\n"
                "         source_rp_uuid = "
                "self._get_provider_uuid_by_host('host1')\n"
                "         dest_rp_uuid = "
                "self._get_provider_uuid_by_host('host2')\n"
                "+        self.assertNotEqual(source_rp_uuid, dest_rp_uuid)\n")
        version = self.apply(_change(model.TEST_DIFF, code=diff))
        applied = self.assertApplied(version)
        self.assertIn('comments and blank lines ignored', applied.reason)
        removed, added = _changed_lines(self.source, version.test_source)
        self.assertEqual([], removed)
        self.assertEqual(
            ['        self.assertNotEqual(source_rp_uuid, dest_rp_uuid)'],
            added)

    def test_ambiguous_context_is_refused(self):
        source = 'def f():\n    a = 1\n    b = 2\n\n\ndef g():\n    a = 1\n'
        diff = '@@ -1 +1 @@\n-    a = 1\n+    a = 3\n'
        version = self.apply(_change(model.TEST_DIFF, code=diff),
                             source=source)
        applied = self.assertRefused(version, source)
        self.assertIn('ambiguous', applied.reason)
        self.assertIn('2, 7', applied.reason)

    def test_missing_context_is_refused(self):
        diff = '@@ -1 +1 @@\n     x = 1\n-    y = 2\n+    y = 3\n'
        version = self.apply(_change(model.TEST_DIFF, code=diff))
        applied = self.assertRefused(version, self.source)
        self.assertIn('not found', applied.reason)

    def test_one_bad_hunk_refuses_the_whole_diff(self):
        diff = ("@@ -1 +1 @@\n"
                "-        return server\n"
                "+        return None\n"
                "@@ -9 +9 @@\n"
                "-        self.not_there()\n"
                "+        self.there()\n")
        version = self.apply(_change(model.TEST_DIFF, code=diff))
        applied = self.assertRefused(version, self.source)
        self.assertIn('hunk 2 of 2', applied.reason)

    def test_two_hunks_apply_in_order(self):
        diff = ("@@ -1 +1 @@\n"
                "-        self._start_compute('host1')\n"
                "+        self._start_compute('host1')  # source\n"
                "@@ -9 +9 @@\n"
                "-        self._start_compute('host2')\n"
                "+        self._start_compute('host2')  # dest\n")
        version = self.apply(_change(model.TEST_DIFF, code=diff))
        self.assertApplied(version)
        self.assertIn("'host1')  # source\n", version.test_source)
        self.assertIn("'host2')  # dest\n", version.test_source)

    def test_unknown_file_is_refused(self):
        diff = '--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b\n'
        version = self.apply(_change(model.TEST_DIFF, code=diff))
        self.assertRefused(version, self.source)

    def test_no_hunks_is_refused(self):
        version = self.apply(_change(model.TEST_DIFF, code='just prose\n'))
        applied = self.assertRefused(version, self.source)
        self.assertIn('no hunks', applied.reason)


class TestNovaDiff(EditsTestBase):

    DIFF = ("--- a/nova/compute/manager.py\n"
            "+++ b/nova/compute/manager.py\n"
            "@@ -6660,9 +6660,7 @@ class ComputeManager(manager.Manager):\n"
            "             except Exception:\n"
            "                 # Leave the dest allocations, drop the source.\n"
            "-                self._delete_allocation_after_move(\n"
            "-                    context, instance, migration)\n"
            "+                self._revert_allocation(\n"
            "+                    context, instance, migration)\n")

    def setUp(self):
        super(TestNovaDiff, self).setUp()
        self.files = {'nova/compute/manager.py': MANAGER}
        self.reads = []

    def reader(self, path):
        self.reads.append(path)
        return self.files[path]

    def test_overlay(self):
        version = self.apply(_change(model.NOVA_DIFF, code=self.DIFF,
                                     target='nova/compute/manager.py'),
                             reader=self.reader)
        applied = self.assertApplied(version)
        self.assertIn('nova/compute/manager.py', applied.reason)
        self.assertEqual(self.source, version.test_source)
        new = version.nova_overlay['nova/compute/manager.py']
        self.assertIn('self._revert_allocation(', new)
        # Only the finish_resize call changed; confirm_resize's is intact.
        self.assertEqual(1, new.count('_delete_allocation_after_move'))
        # The original is left alone.
        self.assertEqual(MANAGER, self.files['nova/compute/manager.py'])

    def test_later_diff_sees_earlier_overlay(self):
        second = ("@@ -1 +1 @@\n"
                  "-                self._revert_allocation(\n"
                  "+                self._revert_allocations(\n")
        version = self.apply(
            _change(model.NOVA_DIFF, code=self.DIFF,
                    target='nova/compute/manager.py'),
            _change(model.NOVA_DIFF, code=second,
                    target='nova/compute/manager.py'),
            reader=self.reader)
        self.assertApplied(version, 0)
        self.assertApplied(version, 1)
        self.assertIn('self._revert_allocations(',
                      version.nova_overlay['nova/compute/manager.py'])
        self.assertEqual(['nova/compute/manager.py'], self.reads)

    def test_unreadable_file_is_refused(self):
        version = self.apply(_change(model.NOVA_DIFF, code=self.DIFF,
                                     target='nova/compute/manager.py'))
        applied = self.assertRefused(version)
        self.assertIn('cannot read', applied.reason)
        self.assertEqual({}, version.nova_overlay)

    def test_path_outside_nova_is_refused(self):
        diff = self.DIFF.replace('nova/compute/manager.py',
                                 '../../etc/passwd.py')
        version = self.apply(_change(model.NOVA_DIFF, code=diff),
                             reader=self.reader)
        self.assertRefused(version)
        self.assertEqual([], self.reads)

    def test_upstream_test_path_goes_to_the_test(self):
        diff = ("--- a/nova/tests/functional/regressions/"
                "test_bug_1825537.py\n"
                "+++ b/nova/tests/functional/regressions/"
                "test_bug_1825537.py\n"
                "@@ -1 +1 @@\n"
                "-        return server\n"
                "+        return None\n")
        version = self.apply(_change(model.NOVA_DIFF, code=diff),
                             reader=self.reader)
        self.assertApplied(version)
        self.assertIn('        return None\n', version.test_source)
        self.assertEqual({}, version.nova_overlay)

    def test_installed_manager(self):
        installed = os.path.join(os.path.dirname(os.path.dirname(
            testtools.__file__)), 'nova', 'compute', 'manager.py')
        if not os.path.exists(installed):
            self.skipTest('nova is not installed next to testtools')
        with open(installed) as f:
            text = f.read()
        needle = ('                self._delete_allocation_after_move(\n'
                  '                    context, instance, migration)\n'
                  '        finally:\n')
        if needle not in text:
            self.skipTest('installed nova has another finish_resize')
        diff = ('@@ -1,3 +1,2 @@\n'
                '-                self._delete_allocation_after_move(\n'
                '-                    context, instance, migration)\n'
                '+                pass\n'
                '         finally:\n')
        version = self.apply(_change(model.NOVA_DIFF, code=diff,
                                     target='nova/compute/manager.py'),
                             reader=lambda path: text)
        self.assertApplied(version)
        new = version.nova_overlay['nova/compute/manager.py']
        self.assertEqual(text.count('\n') - 1, new.count('\n'))


class TestLineChange(EditsTestBase):

    def test_keeps_indentation(self):
        number = self.source.splitlines().index('        return server') + 1
        version = self.apply(_change(model.LINE_CHANGE, line=number,
                                     code='return None'))
        self.assertApplied(version)
        self.assertEqual('        return None',
                         version.test_source.splitlines()[number - 1])

    def test_out_of_range(self):
        version = self.apply(_change(model.LINE_CHANGE, line=10000,
                                     code='x = 1'))
        applied = self.assertRefused(version, self.source)
        self.assertIn('out of range', applied.reason)
        version = self.apply(_change(model.LINE_CHANGE, line=0, code='x'))
        self.assertRefused(version, self.source)

    def test_result_must_parse(self):
        number = self.source.splitlines().index(
            '        self.assertFlavorMatchesAllocation(') + 1
        version = self.apply(_change(model.LINE_CHANGE, line=number,
                                     code='if server:'))
        applied = self.assertRefused(version, self.source)
        self.assertIn('would not parse', applied.reason)

    def test_a_statement_over_several_lines_is_replaced_whole(self):
        number = self.source.splitlines().index(
            '        self.assertFlavorMatchesAllocation(') + 1
        version = self.apply(_change(model.LINE_CHANGE, line=number,
                                     code='self.assertTrue(True)'))
        applied = self.assertApplied(version)
        self.assertIn('the statement on lines %d-%d' % (number, number + 1),
                      applied.reason)
        removed, added = _changed_lines(self.source, version.test_source)
        self.assertEqual(2, len(removed))
        self.assertEqual(['        self.assertTrue(True)'], added)

    def test_quoted_old_line_must_match(self):
        number = self.source.splitlines().index('        return server') + 1
        version = self.apply(_change(model.LINE_CHANGE, line=number,
                                     code='return None', old='return x'))
        self.assertRefused(version, self.source)


class TestLineGroups(EditsTestBase):

    def line(self, text):
        return self.source.splitlines().index(text) + 1

    def test_change_lines_n_to_m(self):
        first = self.line('        self.assertFlavorMatchesAllocation(')
        span = model.Span(7, 9)
        version = self.apply(
            model.change(kind=model.LINE_CHANGE, span=span, line=first,
                         code="self.assertFlavorMatchesAllocation(\n"
                              "    self.flavor2, server['id'], "
                              "dest_rp_uuid)  # new\n"
                              "self.assertTrue(True)"),
            model.change(kind=model.REMOVE, span=span, line=first + 1))
        self.assertApplied(version, 0)
        self.assertApplied(version, 1)
        removed, added = _changed_lines(self.source, version.test_source)
        self.assertEqual(
            ["            self.flavor2, server['id'], dest_rp_uuid)"],
            removed)
        self.assertEqual(
            ["            self.flavor2, server['id'], dest_rp_uuid)  # new",
             '        self.assertTrue(True)'], added)

    def test_group_fails_together(self):
        first = self.line('        self.assertFlavorMatchesAllocation(')
        span = model.Span(7, 9)
        version = self.apply(
            model.change(kind=model.REMOVE, span=span, line=first),
            model.change(kind=model.REMOVE, span=span, line=first + 2))
        self.assertRefused(version, self.source, 0)
        applied = self.assertRefused(version, self.source, 1)
        self.assertIn('group', applied.reason)

    def test_remove_two_lines_of_one_statement(self):
        first = self.line('        self.assertFlavorMatchesAllocation(')
        span = model.Span(3, 3)
        version = self.apply(
            model.change(kind=model.REMOVE, span=span, line=first),
            model.change(kind=model.REMOVE, span=span, line=first + 1))
        self.assertApplied(version, 0)
        self.assertApplied(version, 1)
        self.assertNotIn('assertFlavorMatchesAllocation',
                         version.test_source)

    def test_single_line_removal_that_breaks_parse(self):
        first = self.line('        self.assertFlavorMatchesAllocation(')
        version = self.apply(_change(model.REMOVE, line=first))
        applied = self.assertRefused(version, self.source)
        self.assertIn('would not parse', applied.reason)

    def test_line_numbers_follow_earlier_changes(self):
        number = self.line('        return server')
        version = self.apply(
            _change(model.TEST_SNIPPET,
                    code="self._start_compute('host1')\n"
                         "self._start_compute('host2')\n"
                         "self._start_compute('host3')\n"),
            _change(model.LINE_CHANGE, line=number, code='return None'))
        self.assertApplied(version, 0)
        applied = self.assertApplied(version, 1)
        self.assertIn('        return None\n', version.test_source)
        self.assertNotIn('        return server\n', version.test_source)
        # The snippet inserted a line after this one: it did not move.
        self.assertEqual('replaced line %d' % number, applied.reason)

    def test_line_changed_earlier_is_refused(self):
        number = self.line('        return server')
        version = self.apply(
            model.change(kind=model.LINE_CHANGE, span=model.Span(1, 1),
                         line=number, code='return 1'),
            model.change(kind=model.LINE_CHANGE, span=model.Span(2, 2),
                         line=number, code='return 2'))
        self.assertApplied(version, 0)
        applied = self.assertRefused(version, index=1)
        self.assertIn('earlier change', applied.reason)


class TestRemoveStatement(EditsTestBase):

    def test_unique_statement(self):
        version = self.apply(_change(
            model.REMOVE,
            old='self.assertFlavorMatchesUsage(dest_rp_uuid, self.flavor2)'))
        applied = self.assertApplied(version)
        self.assertIn('removed statement', applied.reason)
        removed, added = _changed_lines(self.source, version.test_source)
        self.assertEqual([], added)
        self.assertEqual(
            ['        # ... and host2\'s usage is exactly that, nothing '
             'more.',
             '        self.assertFlavorMatchesUsage(dest_rp_uuid, '
             'self.flavor2)'], removed)

    def test_ambiguous_statement(self):
        source = 'def f():\n    g(1)\n    g(1)\n'
        version = self.apply(_change(model.REMOVE, old='g(1)'),
                             source=source)
        applied = self.assertRefused(version, source)
        self.assertIn('2 times', applied.reason)

    def test_missing_statement(self):
        version = self.apply(_change(model.REMOVE,
                                     old='self.assertEqual(1, 2)'))
        self.assertRefused(version, self.source)


class TestRename(EditsTestBase):

    def test_parameter_and_its_uses(self):
        version = self.apply(_change(model.RENAME, old='dest_host',
                                     new='destination_host'))
        applied = self.assertApplied(version)
        new = version.test_source
        self.assertIn('def _resize_and_assert_error(self, server, '
                      'destination_host):', new)
        self.assertIn('self.assertEqual(destination_host, ', new)
        # Comments are not code.
        self.assertIn('picks dest_host', new)
        self.assertIn('2 occurrence', applied.reason)

    def test_method_def_and_calls(self):
        version = self.apply(_change(model.RENAME,
                                     old='_resize_and_assert_error',
                                     new='resize_and_assert_error'))
        self.assertApplied(version)
        tree = ast.parse(version.test_source)
        names = {n.name for n in ast.walk(tree)
                 if isinstance(n, ast.FunctionDef)}
        self.assertIn('resize_and_assert_error', names)
        self.assertNotIn('_resize_and_assert_error', version.test_source)
        self.assertIn('self.resize_and_assert_error(server',
                      version.test_source)

    def test_self_attribute(self):
        version = self.apply(_change(model.RENAME, old='self.flavor1',
                                     new='small_flavor'))
        self.assertApplied(version)
        self.assertIn('self.small_flavor = flavors[0]', version.test_source)
        self.assertIn('self._boot_and_check_allocations(self.small_flavor',
                      version.test_source)
        self.assertNotIn('self.flavor1', version.test_source)

    def test_round_trip_is_identity(self):
        for old, new in (('dest_host', 'target'), ('server', 'srv'),
                         ('no_usage', 'empty'),
                         ('FinishResizeErrorAllocationCleanupTestCase',
                          'TestFinishResizeFailsAllocationCleanup')):
            version = self.apply(_change(model.RENAME, old=old, new=new),
                                 _change(model.RENAME, old=new, new=old))
            self.assertApplied(version, 0)
            self.assertApplied(version, 1)
            self.assertEqual(self.source, version.test_source)

    def test_keyword_arguments_of_local_calls_only(self):
        source = ('import mock\n\n\ndef f(server):\n    return server\n\n\n'
                  'f(server=1)\nmock.call(server=2)\n')
        version = self.apply(_change(model.RENAME, old='server', new='srv'),
                             source=source)
        self.assertApplied(version)
        self.assertIn('f(srv=1)', version.test_source)
        self.assertIn('mock.call(server=2)', version.test_source)

    def test_other_attributes_untouched(self):
        source = 'x = obj.flavor1\nself.flavor1 = 2\n'
        version = self.apply(_change(model.RENAME, old='flavor1',
                                     new='f1'), source=source)
        self.assertApplied(version)
        self.assertEqual('x = obj.flavor1\nself.f1 = 2\n',
                         version.test_source)

    def test_keyword_arguments_of_self_method_calls(self):
        source = ('class T(object):\n'
                  '    def m(self, server):\n'
                  '        return server\n\n'
                  '    def n(self):\n'
                  '        return self.m(server=1), dict(server=2)\n')
        version = self.apply(_change(model.RENAME, old='server', new='srv'),
                             source=source)
        self.assertApplied(version)
        self.assertIn('self.m(srv=1), dict(server=2)', version.test_source)
        self.assertIn('def m(self, srv):', version.test_source)

    def test_import_gets_an_alias_and_module_paths_stay(self):
        source = ('import os.path\nfrom a import b\n\n\n'
                  'def f():\n    return b(os.path.sep), x.b\n')
        version = self.apply(_change(model.RENAME, old='b', new='c'),
                             _change(model.RENAME, old='os', new='o'),
                             source=source)
        self.assertApplied(version, 0)
        self.assertApplied(version, 1)
        self.assertEqual('import os.path as o\nfrom a import b as c\n\n\n'
                         'def f():\n    return c(o.path.sep), x.b\n',
                         version.test_source)

    def test_nested_scopes_and_comprehensions(self):
        source = ('def f(item):\n'
                  '    g = lambda: item\n'
                  '    return [item for item in g()], {item: 1}\n')
        version = self.apply(_change(model.RENAME, old='item', new='it'),
                             source=source)
        self.assertApplied(version)
        self.assertEqual('def f(it):\n'
                         '    g = lambda: it\n'
                         '    return [it for it in g()], {it: 1}\n',
                         version.test_source)

    def test_in_one_method(self):
        version = self.apply(_change(model.RENAME, old='server',
                                     new='instance',
                                     target='_resize_and_assert_error'))
        applied = self.assertApplied(version)
        self.assertIn('in _resize_and_assert_error', applied.reason)
        new = version.test_source
        self.assertIn('def _resize_and_assert_error(self, instance, '
                      'dest_host):', new)
        # The test method's own `server` is another variable: untouched.
        self.assertIn("server = self._resize_and_assert_error(server, "
                      "'host2')", new)
        self.assertIn("instance = self._wait_for_state_change(instance, "
                      "'ERROR')", new)

    def test_in_one_method_refused_for_outer_names(self):
        source = ('LIMIT = 1\n\n\ndef f():\n    return LIMIT\n\n\n'
                  'class T(object):\n    def m(self):\n'
                  '        return self.flavor1\n')
        for old, target in (('LIMIT', 'f'), ('flavor1', 'm'),
                            ('len', 'f')):
            version = self.apply(_change(model.RENAME, old=old, new='other',
                                         target=target), source=source)
            self.assertRefused(version, source)

    def test_in_a_def_that_is_not_there(self):
        version = self.apply(_change(model.RENAME, old='server', new='srv',
                                     target='no_such_def'))
        applied = self.assertRefused(version, self.source)
        self.assertIn('no single def named no_such_def', applied.reason)

    def test_no_occurrence(self):
        version = self.apply(_change(model.RENAME, old='not_there',
                                     new='here'))
        applied = self.assertRefused(version, self.source)
        self.assertIn('does not occur', applied.reason)

    def test_not_an_identifier(self):
        version = self.apply(_change(model.RENAME, old='server',
                                     new='a b'))
        self.assertRefused(version, self.source)


class TestRemove(EditsTestBase):

    def test_used_parameter_and_call_site(self):
        # A review claims `server` of _resize_and_assert_error is unused.
        version = self.apply(_change(model.REMOVE, old='server',
                                     summary='unused argument'))
        applied = self.assertApplied(version)
        new = version.test_source
        self.assertIn('def _resize_and_assert_error(self, dest_host):', new)
        self.assertIn("server = self._resize_and_assert_error('host2')", new)
        self.assertIn('still referenced at lines', applied.reason)

    def test_unused_parameter_positional_and_keyword_calls(self):
        version = self.apply(_change(model.REMOVE, old='dest',
                                     summary='unused parameter'),
                             source=SMALL)
        applied = self.assertApplied(version)
        self.assertNotIn('still referenced', applied.reason)
        new = version.test_source
        self.assertIn('def m(self, server):', new)
        self.assertIn('self.m(1)\n', new)
        self.assertIn('self.m(4)\n', new)
        self.assertIn('v = self.m(server=1)\n', new)

    def test_unused_function_parameter(self):
        version = self.apply(_change(model.REMOVE, old='b'), source=SMALL)
        self.assertApplied(version)
        self.assertIn('def helper(a, c=1):', version.test_source)
        self.assertIn('helper(server, c=3)', version.test_source)

    def test_assignment_with_call_keeps_the_call(self):
        version = self.apply(_change(model.REMOVE, old='flavors'))
        applied = self.assertApplied(version)
        self.assertIn('\n        self.api.get_flavors()\n',
                      version.test_source)
        self.assertIn('still referenced', applied.reason)

    def test_class_attribute(self):
        version = self.apply(_change(model.REMOVE, old='compute_driver'))
        applied = self.assertApplied(version)
        self.assertNotIn('compute_driver', version.test_source)
        self.assertNotIn('still referenced', applied.reason)

    def test_method(self):
        version = self.apply(_change(model.REMOVE,
                                     old='_resize_and_assert_error'))
        applied = self.assertApplied(version)
        self.assertNotIn('def _resize_and_assert_error',
                         version.test_source)
        self.assertIn('still referenced', applied.reason)

    def test_empty_body_gets_pass(self):
        version = self.apply(_change(model.REMOVE, old='y'), source=SMALL)
        self.assertApplied(version)
        self.assertIn('    def only(self):\n        pass\n',
                      version.test_source)

    def test_import(self):
        version = self.apply(_change(model.REMOVE, old='os'), source=SMALL)
        self.assertApplied(version)
        self.assertNotIn('import os', version.test_source)

    def test_missing_name(self):
        version = self.apply(_change(model.REMOVE, old='PySecure'))
        self.assertRefused(version, self.source)

    def test_self_is_refused(self):
        version = self.apply(_change(model.REMOVE, old='self',
                                     summary='unused parameter'))
        self.assertRefused(version, self.source)


class TestSequence(EditsTestBase):

    def test_later_change_sees_earlier(self):
        version = self.apply(
            _change(model.RENAME, old='no_usage', new='empty'),
            _change(model.TEST_SNIPPET,
                    code="empty = {'VCPU': 0, 'MEMORY_MB': 0}"),
            _change(model.RENAME, old='no_usage', new='other'))
        self.assertApplied(version, 0)
        applied = self.assertApplied(version, 1)
        self.assertIn('same shape', applied.reason)
        self.assertRefused(version, index=2)
        self.assertIn("empty = {'VCPU': 0, 'MEMORY_MB': 0}\n",
                      version.test_source)

    def test_refused_change_does_not_stop_the_others(self):
        version = self.apply(
            _change(model.REMOVE, old='no_such_name'),
            _change(model.LINE_CHANGE, line=10000, code='x'),
            _change(model.RENAME, old='dest_host', new='target'))
        self.assertEqual([False, False, True],
                         [a.applied for a in version.applied])
        self.assertIn('target', version.test_source)

    def test_every_change_is_reported(self):
        changes = [_change(model.TEST_SNIPPET, code='x = ('),
                   _change(model.REMOVE, old='no_usage')]
        version = self.apply(*changes)
        self.assertEqual(changes, [a.change for a in version.applied])


class TestNormalize(testtools.TestCase):

    def test_form_does_not_matter(self):
        a = 'def f(x):\n    """Doc."""\n    return x  # comment\n'
        b = 'def f(x):\n\n    return (x)\n'
        self.assertEqual(edits.normalize(a), edits.normalize(b))

    def test_code_matters(self):
        self.assertNotEqual(edits.normalize('x = 1\n'),
                            edits.normalize('x = 2\n'))

    def test_unparseable_falls_back_to_text(self):
        a = edits.normalize('def f(:\n    pass\n')
        b = edits.normalize('def f(:   pass')
        self.assertTrue(a.startswith('text:'))
        self.assertEqual(a, b)

    def test_deep_nesting_does_not_crash(self):
        self.assertTrue(edits.normalize('x' + '[0]' * 100000))


class TestReplace(EditsTestBase):

    def test_replace_everywhere(self):
        version = self.apply(_change(model.REPLACE, old='self.flavor2',
                                     new='self.flavor1'))
        applied = self.assertApplied(version)
        self.assertNotIn('self.flavor2', version.test_source.replace(
            'self.flavor2 = ', ''))
        self.assertIn('time(s) in the test', applied.reason)

    def test_replace_only_in_the_calls_named(self):
        version = self.apply(_change(
            model.REPLACE, old="'host2'", new="'host3'",
            target='call:_resize_and_assert_error'))
        self.assertApplied(version)
        removed, added = _changed_lines(self.source, version.test_source)
        self.assertEqual(1, len(added))
        self.assertIn("_resize_and_assert_error(server, 'host3')", added[0])

    def test_replace_of_absent_text_is_refused(self):
        self.assertRefused(self.apply(_change(
            model.REPLACE, old='self.flavor9', new='self.flavor1')),
            self.source)

    def test_a_chain_libcst_cannot_parse_is_refused_not_a_crash(self):
        # libcst's native parser recurses once per operand of a flat
        # boolean chain that ast accepts; it overflowed the C stack and
        # killed the parent (round 6).
        chain = ' or '.join(['flavors'] * 9000)
        version = self.apply(_change(
            model.REPLACE, old='flavors[1]', new=chain))
        self.assertIn('nested too deeply', self.assertRefused(
            version, self.source).reason)
        version = self.apply(_change(
            model.INSERT, code='x = ' + chain,
            anchor="server = self._resize_and_assert_error(server, 'host2')",
            where='after'))
        self.assertIn('nested too deeply', self.assertRefused(
            version, self.source).reason)


class TestInsertAndStatementRemoval(EditsTestBase):

    def test_insert_after_a_statement(self):
        anchor = "server = self._resize_and_assert_error(server, 'host2')"
        version = self.apply(_change(
            model.INSERT, code="self.assertEqual('ERROR', server['status'])",
            anchor=anchor, where='after',
            target='test_finish_resize_fails_allocation_cleanup'))
        self.assertApplied(version)
        lines = version.test_source.split('\n')
        at = [i for i, line in enumerate(lines) if anchor in line][0]
        self.assertEqual(
            "        self.assertEqual('ERROR', server['status'])",
            lines[at + 1])

    def test_insert_before_a_call_and_ambiguity(self):
        version = self.apply(_change(
            model.INSERT, code='x = 1', anchor='_start_compute',
            where='before'))
        self.assertIn('occurs 2 times', self.assertRefused(
            version, self.source).reason)
        version = self.apply(_change(
            model.INSERT, code='x = 1', anchor='_resize_and_assert_error',
            where='before'))
        self.assertApplied(version)
        removed, added = _changed_lines(self.source, version.test_source)
        self.assertEqual(([], ['        x = 1']), (removed, added))

    def test_remove_the_return_of_a_def(self):
        version = self.apply(_change(
            model.REMOVE, old='return', unit=model.KEYWORD,
            target='_resize_and_assert_error'))
        self.assertApplied(version)
        removed, added = _changed_lines(self.source, version.test_source)
        self.assertEqual(['        return server'], removed)
        self.assertRefused(self.apply(_change(
            model.REMOVE, old='return', unit=model.KEYWORD,
            target='test_finish_resize_fails_allocation_cleanup')),
            self.source)

    def test_remove_the_calls_of_a_method(self):
        version = self.apply(_change(
            model.REMOVE, old='assertFlavorMatchesUsage', unit=model.CALLS,
            target='test_finish_resize_fails_allocation_cleanup'))
        self.assertApplied(version)
        removed, _ = _changed_lines(self.source, version.test_source)
        # The comment above the statement goes with it.
        self.assertEqual(
            ["        # ... and host2's usage is exactly that, nothing more.",
             '        self.assertFlavorMatchesUsage(dest_rp_uuid, '
             'self.flavor2)'], removed)

    def test_removing_a_called_name_removes_its_one_call(self):
        version = self.apply(_change(model.REMOVE, old='assertIn',
                                     target='_resize_and_assert_error'))
        self.assertApplied(version)
        self.assertNotIn('Virtual Interface creation failed',
                         version.test_source)
        # Two calls: which one is meant cannot be told.
        self.assertRefused(self.apply(_change(
            model.REMOVE, old='_start_compute')), self.source)


class TestPortedHunks(EditsTestBase):

    def test_pure_addition_with_foreign_context(self):
        diff = ('@@\n'
                '         self.statement_this_test_does_not_have()\n'
                "         server = self._wait_for_state_change(server, "
                "'ERROR')\n"
                "+        self.assertEqual('ERROR', server['status'])\n"
                '         # another foreign comment\n')
        version = self.apply(_change(model.TEST_DIFF, code=diff))
        applied = self.assertApplied(version)
        self.assertIn('next to the context line', applied.reason)
        removed, added = _changed_lines(self.source, version.test_source)
        self.assertEqual(([], ["        self.assertEqual('ERROR', "
                               "server['status'])"]), (removed, added))

    def test_hunk_of_another_version_keeps_what_is_already_so(self):
        # Written against a version whose tail differs: lines ours lacks
        # are already gone, lines ours has are already there, and an
        # assignment ours still uses elsewhere stays.
        diff = ('@@\n'
                "         dest_rp_uuid = self._get_provider_uuid_by_host("
                "'host2')\n"
                '-        gone = self._get_provider_usages(dest_rp_uuid)\n'
                "-        no_usage = {'VCPU': 0, 'MEMORY_MB': 0, "
                "'DISK_GB': 0}\n"
                '-        self.assertEqual(no_usage, gone)\n'
                '         self.assertFlavorMatchesAllocation(\n'
                '-            self.flavor1, server[\'id\'], source_rp_uuid)\n'
                "+            self.flavor2, server['id'], dest_rp_uuid)\n"
                '+        self.assertFlavorMatchesUsage(source_rp_uuid, '
                'self.flavor1)\n')
        version = self.apply(_change(model.TEST_DIFF, code=diff))
        applied = self.assertApplied(version)
        self.assertIn('ported', applied.reason)
        removed, added = _changed_lines(self.source, version.test_source)
        self.assertEqual(([], ['        self.assertFlavorMatchesUsage('
                               'source_rp_uuid, self.flavor1)']),
                         (removed, added))

    def test_partial_snippet_keeps_statements_it_does_not_mention(self):
        # The snippet restates two neighbouring statements of another
        # version; ours has one more between them, which must stay.
        snippet = ("source_rp_usages = self._get_provider_usages("
                   "source_rp_uuid)\n"
                   "self.assertEqual(no_usage, source_rp_usages, 'msg')\n")
        whole = self.apply(_change(model.TEST_SNIPPET, code=snippet))
        kept = self.apply(_change(model.TEST_SNIPPET, code=snippet,
                                  partial=True))
        self.assertNotIn('removed', self.assertApplied(kept).reason)
        removed, added = _changed_lines(self.source, kept.test_source)
        self.assertEqual(['        self.assertEqual(no_usage, '
                          'source_rp_usages)'], removed)
        self.assertIn("no_usage = {'VCPU': 0", kept.test_source)
        # Whole or not, a snippet does not remove what it does not show:
        # the changed assertion is the old one with a message added, and
        # the assignment between stays.
        self.assertNotIn('removed', self.assertApplied(whole).reason)
        self.assertEqual(kept.test_source, whole.test_source)

    def test_replace_on_one_line(self):
        line = self.source.split('\n').index(
            "        req = {'resize': {'flavorRef': self.flavor2['id']}}") + 1
        version = self.apply(_change(
            model.REPLACE, old='self.flavor2', new='self.flavor1',
            target='line:%d' % line))
        self.assertIn('on line %d' % line, self.assertApplied(version).reason)
        removed, added = _changed_lines(self.source, version.test_source)
        self.assertEqual(["        req = {'resize': {'flavorRef': "
                          "self.flavor1['id']}}"], added)


class TestTargets(testtools.TestCase):
    """Change targets are typed; their text form reads back the same."""

    def test_text_forms_round_trip(self):
        for text, expected in (
                ('test', model.Target()),
                ('f', model.Target(scope=model.DEF, name='f')),
                ('call:f', model.Target(scope=model.CALLS, name='f')),
                ('line:94', model.Target(scope=model.LINE, line=94)),
                ('nova/compute/manager.py',
                 model.Target(path='nova/compute/manager.py')),
                ('nova/compute/manager.py:finish_resize',
                 model.Target(path='nova/compute/manager.py',
                              scope=model.DEF, name='finish_resize'))):
            target = model.Target.parse(text)
            self.assertEqual(expected, target, text)
            self.assertEqual(text, str(target))
        self.assertEqual(model.Target(), model.Target.parse(''))

    def test_changes_take_the_text_form_and_keep_the_type(self):
        change = model.change(kind=model.REPLACE, span=model.Span(1, 1),
                              old='a', new='b', target='call:f')
        self.assertEqual(model.Target(scope=model.CALLS, name='f'),
                         change.target)
        self.assertIsNone(change.target.def_name)
        self.assertFalse(change.target.in_nova)

    def test_replacement_limited_to_calls_and_to_a_line(self):
        source = ('def f(x):\n    return x\n\n\n'
                  'def g():\n    f(1)\n    y = 1\n    f(1)\n')
        for target, count in (('call:f', 2), ('line:6', 1), ('g', 3),
                              ('test', 3)):
            proposed = edits.apply_changes(source, [model.change(
                kind=model.REPLACE, span=model.Span(1, 1), old='1', new='2',
                target=target)], lambda path: '')
            self.assertEqual(count, proposed.test_source.count('2'),
                             target)


class TestSameOperands(testtools.TestCase):

    def test_another_assertion_over_the_same_operands_pairs(self):
        from nova_resize_checks.review.edits import align
        self.assertTrue(align._same_operands(
            "self.assertIn('x', fault['message'])",
            "self.assertRegex(fault['message'], 'x')"))
        self.assertFalse(align._same_operands(
            "self.assertIn('x', fault['message'])",
            "self.assertRegex(fault['message'], 'y')"))
        self.assertFalse(align._same_operands(
            "f('x', m)", "g(m, 'x')"))


class TestLineEditsBottomUp(testtools.TestCase):

    def test_a_replacement_that_repeats_a_line_it_replaces(self):
        from nova_resize_checks import canonical
        from nova_resize_checks.review.claims import fixes
        from nova_resize_checks.review import edits
        from nova_resize_checks.review import model
        test = canonical.read_test()
        lines = test.split('\n')
        at = lines.index(
            '        self.assertEqual(no_usage, source_rp_usages)')
        block = '\n'.join(lines[at - 2:at]) + (
            '\n        self.assertTrue(True)\n'
            '        self.assertEqual(no_usage, source_rp_usages)')
        changes = fixes.line_changes(at - 1, at + 1, block,
                                     model.Span(1, 1), 'lines')
        version = edits.apply_changes(test, changes, None)
        self.assertTrue(all(a.applied for a in version.applied))
        new = version.test_source.split('\n')
        self.assertEqual(lines[at - 2:at] + ['        self.assertTrue(True)',
                                             lines[at]],
                         new[at - 2:at + 2])
