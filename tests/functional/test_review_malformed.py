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

Every file gets a verdict or a clear per-review error; the good review in
the same run keeps its verdict; nothing crashes or hangs.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

import testtools

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
        _write(reviews, 'binary.txt', bytes(range(256)) * 40)
        _write(reviews, 'utf16.txt', 'No security defects are detected.\n'
               .encode('utf-16'))
        _write(reviews, 'invalid-utf8.txt', b'Looks fine \xff\xfe\xfa.\n')
        _write(reviews, 'huge.txt', b'a' * (20 * 1024 * 1024))
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
        env = dict(os.environ, XDG_CACHE_HOME=shared.warm())
        proc = subprocess.run(
            [sys.executable, '-m', 'nova_resize_checks.cli', 'review',
             '--format', 'json', reviews], stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env,
            timeout=1800)
        cls.code = proc.returncode
        cls.out = proc.stdout.decode()
        cls.err = proc.stderr.decode()

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
        self.assertEqual(13, len(reviews))
        for name, review in reviews.items():
            self.assertIn(review['verdict'], (
                'breaks', 'weakens', 'unsafe', 'ok', 'no-fix',
                'unverified'), name)
            self.assertTrue(review['reason'], name)

    def test_unreadable_files_say_why(self):
        reviews = self._reviews()
        self.assertIn('too large', reviews['huge.txt']['reason'])
        self.assertIn('does not look like text',
                      reviews['binary.txt']['reason'])

    def test_changes_that_cannot_apply_are_unverified(self):
        reviews = self._reviews()
        for name in ('bad-diff.md', 'deep.md'):
            self.assertEqual('unverified', reviews[name]['verdict'], name)

    def test_the_good_review_is_unaffected(self):
        review = self._reviews()['good.md']
        self.assertEqual('ok', review['verdict'], review['reason'])
