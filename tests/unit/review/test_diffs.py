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


"""One diff model: review diffs repaired, then read by unidiff."""

import testtools
import unidiff

from nova_resize_checks.review.read import diffs


def _read(text):
    patch_set, note = diffs.read(text)
    return [(diffs.path_of_file(f), f.is_added_file, f.is_removed_file,
             [diffs.hunk_lines(h) for h in f]) for f in patch_set], note


class TestRead(testtools.TestCase):

    def test_a_well_formed_diff_is_read_as_written(self):
        text = ('--- a/tests/functional/test_bug_1825537.py\n'
                '+++ b/tests/functional/test_bug_1825537.py\n'
                '@@ -3,2 +3,2 @@\n a\n-b\n+c\n')
        patch_set, note = diffs.read(text)
        self.assertIsInstance(patch_set, unidiff.PatchSet)
        self.assertEqual('', note)
        self.assertEqual(3, patch_set[0][0].source_start)
        self.assertEqual(
            [('tests/functional/test_bug_1825537.py', False, False,
              [[(' ', 'a'), ('-', 'b'), ('+', 'c')]])], _read(text)[0])

    def test_counts_that_drop_lines_are_repaired(self):
        # The header says one line per side; the hunk has four lines.
        files, note = _read('--- a/x.py\n+++ b/x.py\n@@ -1,1 +1,1 @@\n'
                            ' a\n-b\n+c\n d\n')
        self.assertIn('ignored', note)
        self.assertEqual([[(' ', 'a'), ('-', 'b'), ('+', 'c'), (' ', 'd')]],
                         files[0][3])

    def test_bare_headers_and_no_file_header(self):
        files, note = _read('@@\n a\n-b\n+c\n@@ @@\n-d\n+e\n')
        self.assertEqual(1, len(files))
        path, added, removed, hunks = files[0]
        self.assertIsNone(path)
        self.assertFalse(added or removed)
        self.assertEqual([[(' ', 'a'), ('-', 'b'), ('+', 'c')],
                          [('-', 'd'), ('+', 'e')]], hunks)

    def test_a_lone_addition_is_not_a_created_file(self):
        files, _ = _read('--- a/x.py\n+++ b/x.py\n@@\n+new line\n')
        self.assertEqual([('x.py', False, False, [[('+', 'new line')]])],
                         files)

    def test_created_and_deleted_files(self):
        files, _ = _read('--- /dev/null\n+++ b/nova/new.py\n@@\n+x = 1\n'
                         '--- a/nova/old.py\n+++ /dev/null\n@@\n-y = 2\n')
        self.assertEqual([('nova/new.py', True, False),
                          ('nova/old.py', False, True)],
                         [f[:3] for f in files])

    def test_context_that_lost_its_space(self):
        files, _ = _read('@@\n a\nb\n-c\n+d\n')
        self.assertEqual([[(' ', 'a'), (' ', 'b'), ('-', 'c'), ('+', 'd')]],
                         files[0][3])
