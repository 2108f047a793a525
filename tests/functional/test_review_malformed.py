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


"""Broken and hostile review files next to a good one.

Every file that can be read gets a verdict; the good review in the same
run keeps its verdict; nothing crashes or hangs.  A file that cannot be
read as a text review (binary, too large) is an error for the whole
command, before anything runs.  A FIFO and a symbolic link in the
directory are skipped, a file name that is not UTF-8 is shown escaped,
control characters never reach the output and two names that read
alike never share a test id.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

import xml.etree.ElementTree as ET

import testtools

from nova_resize_checks.report import subunit as subunit_report
from tests.functional import shared

HERE = os.path.dirname(os.path.abspath(__file__))
GOOD = os.path.join(os.path.dirname(HERE), 'samples', 'reviews',
                    'renames_markdown.md')

FENCE = '`' * 3


def _write(folder, name, data):
    mode = 'wb' if isinstance(data, bytes) else 'w'
    with open(os.path.join(folder, name), mode) as f:
        f.write(data)


class TestMalformedReviews(testtools.TestCase):

    @classmethod
    def setUpClass(cls):
        super(TestMalformedReviews, cls).setUpClass()
        cls.tmp = tempfile.mkdtemp(prefix='nrc-malformed-')
        reviews = os.path.join(cls.tmp, 'reviews')
        os.makedirs(reviews)
        shutil.copy(GOOD, os.path.join(reviews, 'good.md'))
        _write(reviews, 'empty.txt', b'')
        _write(reviews, 'utf16.txt', 'No security defects are detected.\n'
               .encode('utf-16'))
        _write(reviews, 'invalid-utf8.txt', b'Looks fine \xff\xfe\xfa.\n')
        _write(reviews, 'fences.md', '\n'.join(
            '%s\nx = %d\n%s' % (FENCE, i, FENCE) for i in range(10000)))
        _write(reviews, 'unterminated.md',
               'Use this fixed code:\n%spython\nself.assertTrue(\n' % FENCE)
        _write(reviews, 'crlf.txt', 'No defects.\r\nAll good.\r\n')
        _write(reviews, 'nul.txt', 'Fine\x00 review\x00\n')
        _write(reviews, 'not-python.md', 'The fix:\n%sjava\nclass A '
               '{ void f() { System.exit(1); } }\n%s\n' % (FENCE, FENCE))
        _write(reviews, 'bad-diff.md', 'Apply this patch:\n%sdiff\n'
               '--- a/tests/functional/test_bug_1825537.py\n'
               '+++ b/tests/functional/test_bug_1825537.py\n'
               '@@ -1,2 +1,2 @@\n-no such line\n+replacement\n%s\n'
               % (FENCE, FENCE))
        _write(reviews, 'deep.md', 'Use this fixed code:\n%spython\n'
               'x = %s1%s\n%s\n' % (FENCE, '(' * 3000, ')' * 3000, FENCE))
        # The reason quotes the code that is not Python: ESC and BEL reach
        # the report only escaped.
        _write(reviews, 'esc.md', 'The fix:\n%sjava\nclass A { \x1b[2J'
               '\x1b[1;1H\x1b]0;owned\x07 }\n%s\n' % (FENCE, FENCE))
        _write(reviews, 'z victim.txt', 'No defects found.\n')
        _write(reviews, 'z_victim.txt', 'No defects found either.\n')
        _write(os.fsencode(reviews), b'latin1-\xe9.md', b'Fine.\n')
        os.mkfifo(os.path.join(reviews, 'trap.md'))
        outside = os.path.join(cls.tmp, 'outside.md')
        _write(cls.tmp, 'outside.md', 'SECRET-CANARY: Please remove `x`.\n')
        os.symlink(outside, os.path.join(reviews, 'link.md'))
        cls.reviews = reviews
        cls.env = dict(os.environ, XDG_CACHE_HOME=shared.warm())
        cls.code, cls.out, cls.err = cls._cli('--format', 'json', reviews)

    @classmethod
    def _cli(cls, *args, timeout=1800):
        proc = subprocess.run(
            [sys.executable, '-m', 'nova_resize_checks.cli', 'review',
             '-q'] + list(args), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=cls.env,
            timeout=timeout)
        return proc.returncode, proc.stdout, proc.stderr.decode()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)
        super(TestMalformedReviews, cls).tearDownClass()

    def _reviews(self):
        self.assertIn(self.code, (0, 1), self.err)
        self.assertNotIn('Traceback', self.err)
        doc = json.loads(self.out)
        return {os.path.basename(r['path']): r for r in doc['reviews']}

    def test_every_file_gets_a_verdict(self):
        reviews = self._reviews()
        self.assertEqual(15, len(reviews))
        for name, review in reviews.items():
            self.assertIn(review['verdict'], (
                'breaks', 'weakens', 'unsafe', 'ok', 'no-fix',
                'unverified'), name)
            self.assertTrue(review['reason'], name)

    def test_unreadable_files_are_an_error_before_any_run(self):
        bad = os.path.join(self.tmp, 'bad')
        os.makedirs(bad, exist_ok=True)
        _write(bad, 'binary.txt', bytes(range(256)) * 40)
        _write(bad, 'huge.txt', b'a' * (20 * 1024 * 1024))
        code, out, err = self._cli(self.reviews, bad, timeout=60)
        self.assertEqual(2, code, err)
        self.assertEqual(b'', out)
        self.assertIn('binary.txt: review does not look like text', err)
        self.assertIn('huge.txt: ', err)
        self.assertIn('larger than', err)
        self.assertNotIn('Traceback', err)

    def test_fifo_and_symlink_are_skipped_and_said(self):
        reviews = self._reviews()
        self.assertNotIn('trap.md', reviews)
        self.assertNotIn('link.md', reviews)
        self.assertNotIn('SECRET-CANARY', self.out.decode())
        self.assertIn('trap.md: not a regular file', self.err)
        self.assertIn('link.md: a symbolic link, not followed', self.err)

    def test_a_name_that_is_not_utf8_is_reported(self):
        self.assertIn('latin1-\\xe9.md', self._reviews())
        code, out, err = self._cli(self.reviews)
        self.assertIn(code, (0, 1), err)
        self.assertIn(b'latin1-\\xe9.md', out)

    def test_control_characters_never_reach_any_format(self):
        self.assertNotIn('\x1b', self.out.decode())
        code, text, err = self._cli('--explain', self.reviews)
        self.assertNotIn(b'\x1b', text)
        self.assertIn(b'\\x1b[2J', text)
        code, xml, err = self._cli('--format', 'junit', self.reviews)
        suite = ET.fromstring(xml)
        self.assertEqual(15, int(suite.get('tests')))
        self.assertNotIn(b'\x1b', xml)
        code, stream, err = self._cli('--format', 'subunit', self.reviews)
        tests = subunit_report.read(stream)
        self.assertEqual(15, len(tests))
        self.assertFalse(any('\x1b' in t['evidence']
                             for t in tests.values()))

    def test_names_that_read_alike_never_share_an_id(self):
        code, stream, err = self._cli('--format', 'subunit', self.reviews)
        ids = sorted(subunit_report.read(stream))
        victims = [i for i in ids if 'z_victim' in i]
        self.assertEqual(2, len(victims))
        self.assertNotIn('nova_resize_checks.review.z_victim', victims)
        self.assertFalse(any(i.endswith(('.txt', '.md')) for i in ids))

    def test_changes_that_cannot_apply_are_unverified(self):
        reviews = self._reviews()
        for name in ('bad-diff.md', 'deep.md'):
            self.assertEqual('unverified', reviews[name]['verdict'], name)

    def test_the_good_review_is_unaffected(self):
        review = self._reviews()['good.md']
        self.assertEqual('ok', review['verdict'], review['reason'])
