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

"""Review input is read safely, and problems are found before any run."""

import io
import os
import threading

import fixtures
import testtools

from nova_resize_checks import inputs


def _write(path, data=b'Looks good to me.\n'):
    with open(path, 'wb') as f:
        f.write(data)
    return path


class TestCollect(testtools.TestCase):

    def setUp(self):
        super(TestCollect, self).setUp()
        self.root = self.useFixture(fixtures.TempDir()).path

    def test_files_and_directories_in_sorted_order(self):
        for name in ('b.md', 'a.txt', 'a.expect.json'):
            _write(os.path.join(self.root, name))
        got = inputs.collect([self.root])
        self.assertEqual([os.path.join(self.root, n) for n in
                          ('a.txt', 'b.md')], [r.path for r in got.reviews])
        self.assertEqual(b'Looks good to me.\n', got.reviews[0].data)

    def test_a_fifo_named_md_is_skipped_without_blocking(self):
        _write(os.path.join(self.root, 'a.md'))
        os.mkfifo(os.path.join(self.root, 'trap.md'))
        done = []
        worker = threading.Thread(
            target=lambda: done.append(inputs.collect([self.root])),
            daemon=True)
        worker.start()
        worker.join(10)
        self.assertTrue(done, 'collect blocked on a FIFO')
        self.assertEqual(['a.md'], [os.path.basename(r.path)
                                    for r in done[0].reviews])
        self.assertIn('trap.md: not a regular file', done[0].skipped[0])

    def test_a_fifo_named_on_the_command_line_is_an_error(self):
        fifo = os.path.join(self.root, 'trap.md')
        os.mkfifo(fifo)
        error = self.assertRaises(inputs.InputError, inputs.collect, [fifo])
        self.assertIn('not a regular file', str(error))

    def test_symlinks_are_not_followed_in_a_walk_unless_asked(self):
        secret = _write(os.path.join(self.useFixture(
            fixtures.TempDir()).path, 'secret.md'), b'the secret\n')
        os.symlink(secret, os.path.join(self.root, 'link.md'))
        outside = os.path.dirname(secret)
        os.symlink(outside, os.path.join(self.root, 'dir'))
        _write(os.path.join(self.root, 'a.md'))
        got = inputs.collect([self.root])
        self.assertEqual(['a.md'], [os.path.basename(r.path)
                                    for r in got.reviews])
        self.assertEqual(2, len(got.skipped))
        self.assertTrue(all('symbolic link, not followed' in s
                            for s in got.skipped))
        followed = inputs.collect([self.root], follow_symlinks=True)
        self.assertIn(b'the secret\n', [r.data for r in followed.reviews])

    def test_a_name_that_is_not_utf8_is_shown_escaped(self):
        raw = os.path.join(os.fsencode(self.root), b'bad\xff name.md')
        _write(raw)
        got = inputs.collect([self.root])
        self.assertEqual(1, len(got.reviews))
        shown = got.reviews[0].shown
        self.assertTrue(shown.endswith('bad\\xff name.md'), shown)
        shown.encode('utf-8')   # printable anywhere

    def test_missing_unreadable_and_binary_are_errors_naming_each(self):
        good = _write(os.path.join(self.root, 'good.md'))
        binary = _write(os.path.join(self.root, 'x.bin'),
                        bytes(range(256)) * 64)
        error = self.assertRaises(
            inputs.InputError, inputs.collect,
            [good, os.path.join(self.root, 'nope.md'), binary])
        self.assertIn('nope.md: no such file or directory', str(error))
        self.assertIn('x.bin: review does not look like text', str(error))
        self.assertNotIn('good.md', str(error))

    def test_small_binaries_are_errors_and_utf16_is_text(self):
        for name, data in (('tiny.md', b'x\x00y'),
                           ('image.md', b'\x89PNG\r\n\x1a\n\x00\x00\x00'
                                        b'\rIHDR'),
                           ('junk.md', bytes(range(1, 256)) * 64),
                           ('nul.md', b'\x00' * 40)):
            path = _write(os.path.join(self.root, name), data)
            error = self.assertRaises(inputs.InputError, inputs.collect,
                                      [path])
            self.assertIn(name, str(error))
        text = _write(os.path.join(self.root, 'utf16.md'),
                      'Rename `a` to `b`.\n'.encode('utf-16-le'))
        self.assertEqual(1, len(inputs.collect([text]).reviews))

    def test_too_large(self):
        big = _write(os.path.join(self.root, 'big.md'),
                     b'a' * (inputs.MAX_REVIEW_BYTES + 1))
        error = self.assertRaises(inputs.InputError, inputs.collect, [big])
        self.assertIn('larger than', str(error))

    def test_empty_directory(self):
        error = self.assertRaises(inputs.InputError, inputs.collect,
                                  [self.root])
        self.assertIn('no review files', str(error))

    def test_dev_null_is_an_empty_review(self):
        got = inputs.collect([os.devnull])
        self.assertEqual(b'', got.reviews[0].data)

    def test_dash_reads_standard_input(self):
        stdin = io.TextIOWrapper(io.BytesIO(b'Please rename `x`.\n'))
        got = inputs.collect(['-'], stdin=stdin)
        self.assertEqual('<stdin>', got.reviews[0].path)
        self.assertEqual(b'Please rename `x`.\n', got.reviews[0].data)

    def test_dash_without_standard_input(self):
        error = self.assertRaises(inputs.InputError, inputs.collect, ['-'],
                                  stdin=io.StringIO())
        self.assertIn('no standard input', str(error))


class TestReviewed(testtools.TestCase):

    def test_a_fifo_is_not_read(self):
        fifo = os.path.join(self.useFixture(fixtures.TempDir()).path, 't.py')
        os.mkfifo(fifo)
        error = self.assertRaises(inputs.InputError,
                                  inputs.reviewed_source, fifo)
        self.assertIn('not a regular file', str(error))
