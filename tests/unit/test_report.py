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

"""Report writers: escaping, injective ids, timing, one screen a review."""

import datetime
import xml.etree.ElementTree as ET

import testtools

from nova_resize_checks.report import document
from nova_resize_checks.report import junit
from nova_resize_checks.report import review_text
from nova_resize_checks.report import safe
from nova_resize_checks.report import subunit
from nova_resize_checks.review import model
from nova_resize_checks.runs import results

ESC = '\x1b[2J\x1b[1;1Hall clear'


def _review(path, verdict='ok', reason='held', **kw):
    return dict({'path': path, 'verdict': verdict, 'reason': reason,
                 'flagged': verdict in model.FLAGGED_VERDICTS,
                 'findings': [], 'changes': [], 'proposed': {}}, **kw)


def _document(*reviews):
    return {'reviews': list(reviews),
            'summary': {'reviews': len(reviews), 'problems': [],
                        'flagged': sum(r['flagged'] for r in reviews)},
            'runs': {}, 'caught_by_canonical': []}


class TestSafe(testtools.TestCase):

    def test_control_characters_are_escaped(self):
        self.assertEqual('\\x1b[2J\\x1b[1;1Hall clear', safe.line(ESC))
        self.assertEqual('a\\x07b\\u202ec', safe.line('a\x07b\u202ec'))
        self.assertEqual('one\\ntwo', safe.line('one\ntwo'))
        self.assertEqual('one\ntwo', safe.text('one\ntwo'))

    def test_path_escaping_is_injective_and_text_idempotent(self):
        # A literal backslash-x sequence cannot pass for an escaped byte.
        self.assertNotEqual(safe.path('\\x1b'), safe.path('\x1b'))
        self.assertNotEqual(safe.path(b'a\xff'), safe.path('a\\xff'))
        shown = safe.path(b'latin1-\xe9 \x1b.md')
        self.assertEqual('latin1-\\xe9 \\x1b.md', shown)
        self.assertEqual(shown, safe.line(shown))
        self.assertEqual('a\\nb', safe.line('a\\nb'))

    def test_ids_never_collide(self):
        paths = ['d/z victim.txt', 'd/z_victim.txt', 'a.md', 'b/a.txt',
                 'c.md', 'x_0123456789.md', 'c_0123456789.md']
        ids = safe.test_ids(paths, 'p.', subunit.SUFFIXES)
        self.assertEqual(len(paths), len(set(ids)))
        self.assertEqual('p.c', ids[4])
        # The colliding pair: neither takes the plain id, in any order.
        reverse = safe.test_ids(list(reversed(paths[:2])), 'p.',
                                subunit.SUFFIXES)
        self.assertEqual(ids[:2], list(reversed(reverse)))
        self.assertNotIn('p.z_victim', ids)

    def test_the_same_path_twice_gets_two_ids(self):
        ids = safe.test_ids(['r.md', 'r.md'], 'p.', subunit.SUFFIXES)
        self.assertEqual(['p.r', 'p.r.2'], ids)


class TestSubunitAndJunit(testtools.TestCase):

    def test_ids_times_and_escaped_evidence(self):
        doc = _document(_review('/x/z victim.txt', 'weakens', ESC),
                        _review('/y/z_victim.txt'), _review('/y/plain.md'))
        start = 1700000000.0
        timing = [(start, start + 2.5), (start, start + 1), (start,
                                                             start + 4)]
        tests = subunit.read(subunit.to_subunit(doc, timing))
        self.assertEqual(3, len(tests))
        self.assertIn('nova_resize_checks.review.plain', tests)
        flagged = [t for t in tests.values() if t['status'] == 'fail']
        self.assertEqual(1, len(flagged))
        self.assertNotIn('\x1b', flagged[0]['evidence'])
        self.assertIn('\\x1b[2J', flagged[0]['evidence'])
        plain = tests['nova_resize_checks.review.plain']
        self.assertEqual(datetime.timedelta(seconds=4),
                         plain['stop'] - plain['start'])
        self.assertEqual(start, plain['start'].timestamp())

    def test_junit_is_well_formed_with_control_characters(self):
        doc = _document(_review('/x/a\x1b]0;t\x07.md', 'breaks', ESC,
                                findings=[{'kind': 'k', 'message': ESC}]))
        text = junit.to_junit(doc, [(1700000000.0, 1700000003.0)])
        suite = ET.fromstring(text)
        case = suite.find('testcase')
        self.assertEqual('3.000', case.get('time'))
        self.assertIn('\\x1b', case.get('name'))
        failure = case.find('failure')
        self.assertEqual('breaks', failure.get('type'))
        self.assertNotIn('\x1b', text)

    def test_junit_is_well_formed_with_xml_non_characters(self):
        # U+FFFE and U+FFFF are not XML 1.0 characters, in a file name or
        # in a line the review quotes alike.
        doc = _document(_review('/x/p\uffff.md', 'breaks',
                                'quoted \ufffe line \uffff'))
        text = junit.to_junit(doc, [(1700000000.0, 1700000003.0)])
        case = ET.fromstring(text).find('testcase')
        self.assertIn('\\uffff', case.get('name'))
        self.assertNotIn('\uffff', text)
        self.assertNotIn('\ufffe', text)


class TestReviewText(testtools.TestCase):

    def _weakened(self):
        runs = {'real': results.RunResult('real', 'pass', 3.0)}
        runs['orphan-on-source'] = results.RunResult('orphan-on-source',
                                                     'pass', 3.0)
        for index in range(12):
            runs['m%d' % index] = results.RunResult(
                'm%d' % index, 'skipped',
                evidence='not run: the version already passes against '
                         'mutant orphan-on-source, which decides')
        review = model.ReviewReport(path='r.md', verdict='weakens',
                                    reason='mutant orphan-on-source '
                                           'survives')
        review.proposed = runs
        change = model.ChangeReport(model.TestDiff(model.Span(1, 4)), True,
                                    'applied')
        change.outcomes = runs
        review.changes = [change]
        return review

    def test_default_is_one_screen_with_skips_in_one_line(self):
        doc = document.to_document([self._weakened()] * 200, {})
        lines = review_text.lines(doc)
        per_review = review_text.review_lines(doc['reviews'][0])
        self.assertLessEqual(len(per_review), 6)
        self.assertIn('evidence: orphan-on-source', per_review[1])
        skipped = [line for line in per_review if 'skipped' in line]
        self.assertEqual(['  12 run(s) skipped (12 not run: the version '
                          'already passes against mutant orphan-on-source)'],
                         skipped)
        self.assertLess(len(lines), 200 * 6)

    def test_verbose_shows_every_run(self):
        review = document.review_dict(self._weakened())
        short = review_text.review_lines(review)
        full = review_text.review_lines(review, verbose=True)
        self.assertGreater(len(full), len(short) + 12)
        self.assertTrue(any('m11' in line for line in full))
        self.assertFalse(any('m11' in line for line in short))

    def test_long_reviews_are_cut_at_default_verbosity(self):
        review = _review('r.md', 'unverified', 'nothing applied', changes=[
            {'span': [i, i], 'kind': 'rename', 'applied': False,
             'summary': '', 'reason': 'no such name', 'outcomes': {}}
            for i in range(1, 40)])
        lines = review_text.review_lines(review)
        self.assertEqual(review_text.MAX_LINES + 1, len(lines))
        self.assertIn('more line(s): -v shows them', lines[-1])

    def test_text_escapes_what_the_review_wrote(self):
        lines = review_text.lines(_document(_review('a.md', 'breaks', ESC)))
        self.assertFalse(any('\x1b' in line for line in lines))


class TestSafeSeparators(testtools.TestCase):

    def test_line_separators_and_bidi_marks_are_escaped(self):
        # (A viewer that breaks lines at U+2028 would show a forged line.)
        self.assertEqual(r'ok\u2028verdict: ok\u2029\u061c',
                         safe.text('ok\u2028verdict: ok\u2029\u061c'))
