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


"""Verdicts from run results, report rendering and file collection."""

import json
import os
import xml.etree.ElementTree as ET

import fixtures
import testtools

from nova_resize_checks.report import document
from nova_resize_checks.report import junit
from nova_resize_checks.report import review_text
from nova_resize_checks.review import model
from nova_resize_checks.review import pipeline
from nova_resize_checks.review import prepare
from nova_resize_checks.review import verdict
from nova_resize_checks.runs import pool as runs_pool
from nova_resize_checks.runs import results as runs

MUTANTS = ['bug-1825537', 'no-source-cleanup']


def results(real='pass', **mutants):
    found = {'real': runs.RunResult('real', real, evidence='E-real')}
    for name in MUTANTS:
        outcome = mutants.get(name.replace('-', '_'), 'fail')
        # A failure is on one of the test's placement assertions.
        found[name] = runs.RunResult(name, outcome, failing_line=90,
                                     allocation_assertion=True)
    return found


class TestJudge(testtools.TestCase):

    def test_caught_by(self):
        canonical = results(bug_1825537='fail', no_source_cleanup='pass')
        self.assertEqual(['bug-1825537'], verdict.caught_by(canonical))

    def test_breaks(self):
        got, why = verdict.judge_runs(results(real='error'), MUTANTS)
        self.assertEqual('breaks', got)
        self.assertIn('E-real', why)

    def test_an_error_with_changes_left_unapplied_is_unverified(self):
        def item(applied):
            return model.ChangeReport(
                change=model.change(kind=model.RENAME, old='a', new='b',
                                    span=model.Span(1, 1),
                                    summary='rename a'),
                applied=applied, reason='' if applied else 'no anchor')

        real = results(real='error')['real']
        failing = results(real='fail')['real']
        for outcome, items, expected in (
                (real, [item(True), item(False)], 'unverified'),
                (real, [item(True)], 'breaks'),
                (failing, [item(True), item(False)], 'breaks')):
            got, why = verdict.given_unapplied('breaks', 'E', items, outcome)
            self.assertEqual(expected, got, why)
        self.assertEqual(('weakens', 'W'), verdict.given_unapplied(
            'weakens', 'W', [item(False)], real))

    def test_timeout_against_real_breaks(self):
        self.assertEqual('breaks', verdict.judge_runs(
            results(real='timeout'), MUTANTS)[0])

    def test_weakens(self):
        got, why = verdict.judge_runs(
            results(no_source_cleanup='pass'), MUTANTS)
        self.assertEqual('weakens', got)
        self.assertIn('no-source-cleanup', why)

    def test_mutant_not_caught_by_canonical_does_not_count(self):
        got, _ = verdict.judge_runs(results(no_source_cleanup='pass'),
                                    ['bug-1825537'])
        self.assertEqual('ok', got)

    def test_error_or_timeout_against_a_mutant_does_not_catch_it(self):
        for outcome in ('error', 'timeout', 'limit'):
            got, why = verdict.judge_runs(
                results(bug_1825537=outcome), MUTANTS)
            self.assertEqual('weakens', got, outcome)
            self.assertIn('does not catch mutant bug-1825537', why)

    def test_a_placement_mutant_needs_a_placement_assertion(self):
        found = results()
        found['bug-1825537'].allocation_assertion = False
        self.assertEqual('weakens', verdict.judge_runs(found, MUTANTS)[0])
        # A failure outside the test's own lines catches nothing either.
        found = results()
        found['bug-1825537'].failing_line = 0
        self.assertEqual('weakens', verdict.judge_runs(found, MUTANTS)[0])

    def test_a_mutant_that_leaves_placement_right_takes_any_assertion(self):
        found = results()
        found['host-reverted'] = runs.RunResult(
            'host-reverted', 'fail', failing_line=99)
        self.assertEqual('ok', verdict.judge_runs(
            found, MUTANTS + ['host-reverted'])[0])
        self.assertTrue(verdict.catches('host-reverted',
                                        found['host-reverted']))
        self.assertFalse(verdict.catches('bug-1825537', runs.RunResult(
            'bug-1825537', 'fail', failing_line=99)))

    def test_a_sham_unlike_real_nova_is_unsafe(self):
        found = results()
        found['sham'] = runs.RunResult('sham', 'fail', evidence='told')
        got, why = verdict.judge_runs(found, MUTANTS)
        self.assertEqual('unsafe', got)
        self.assertIn('sham', why)
        found['sham'] = runs.RunResult('sham', 'pass')
        self.assertEqual('ok', verdict.judge_runs(found, MUTANTS)[0])

    def test_not_run(self):
        self.assertEqual('breaks', verdict.judge_runs({}, MUTANTS)[0])

    def test_flagged_set(self):
        self.assertEqual({'breaks', 'weakens', 'unsafe'},
                         set(verdict.FLAGGED))


def sample_report(verdict_name='weakens'):
    change = model.TestDiff(model.Span(3, 9),
                            summary='drop the source checks')
    item = model.ChangeReport(change, True, 'applied 1 hunk')
    item.outcomes = results(no_source_cleanup='pass')
    rep = model.ReviewReport(path='r1.md', verdict=verdict_name,
                             reason='passes against mutant x')
    rep.changes = [item]
    rep.findings = [model.Finding(model.UNKNOWN_NAME, '`x` unknown',
                                  model.Span(2, 2))]
    rep.proposed = item.outcomes
    return rep


class TestReport(testtools.TestCase):

    def test_json_document(self):
        doc = document.to_document(
            [sample_report(), sample_report('ok')],
            {'problems': [], 'caught_by_canonical': MUTANTS})
        json.dumps(doc)
        self.assertEqual(2, doc['summary']['reviews'])
        self.assertEqual(1, doc['summary']['flagged'])
        review = doc['reviews'][0]
        self.assertTrue(review['flagged'])
        change = review['changes'][0]
        self.assertEqual([3, 9], change['span'])
        self.assertEqual('test-diff', change['kind'])
        self.assertTrue(change['applied'])
        self.assertEqual('pass',
                         change['outcomes']['no-source-cleanup']['outcome'])
        self.assertEqual('E-real', change['outcomes']['real']['evidence'])
        self.assertEqual({'kind': 'unknown-name', 'message': '`x` unknown',
                          'span': [2, 2]}, review['findings'][0])

    def test_junit(self):
        xml = junit.to_junit(document.to_document(
            [sample_report(), sample_report('ok')],
            {'problems': ['gone.md: no such file']}))
        suite = ET.fromstring(xml)
        self.assertEqual('2', suite.get('tests'))
        self.assertEqual('1', suite.get('failures'))
        self.assertEqual('1', suite.get('errors'))
        failure = suite.find('testcase/failure')
        self.assertEqual('weakens', failure.get('type'))

    def test_text(self):
        review = document.review_dict(sample_report())
        lines = review_text.details(review)
        self.assertIn('change 1 [test-diff, review lines 3-9] applied',
                      lines[0])
        self.assertTrue(review_text.headline(review).startswith(
            'FLAGGED weakens'))


class TestCollect(testtools.TestCase):

    def test_directory_and_files(self):
        root = self.useFixture(fixtures.TempDir()).path
        for name in ('b.md', 'a.txt', 'a.expect.json', 'c.bin'):
            with open(os.path.join(root, name), 'w') as f:
                f.write('x')
        files, problems = prepare.collect([root, os.path.join(root, 'c.bin'),
                                           os.path.join(root, 'nope.txt')])
        self.assertEqual([os.path.join(root, n) for n in
                          ('a.txt', 'b.md', 'c.bin')], files)
        self.assertEqual(1, len(problems))
        self.assertIn('no such file or directory', problems[0])

    def test_empty_directory(self):
        root = self.useFixture(fixtures.TempDir()).path
        files, problems = prepare.collect([root])
        self.assertEqual([], files)
        self.assertIn('no review files', problems[0])


class TestDerivedTimeout(testtools.TestCase):

    def test_factor_of_slowest_canonical_run(self):
        canonical = {'real': runs.RunResult('real', 'pass', 20.0),
                     'm': runs.RunResult('m', 'fail', 30.0)}
        self.assertEqual(120.0, pipeline.derived_timeout(canonical))

    def test_floor(self):
        canonical = {'real': runs.RunResult('real', 'pass', 1.0)}
        self.assertEqual(runs_pool.TIMEOUT_FLOOR,
                         pipeline.derived_timeout(canonical))


class TestNoDefectsWalkThrough(testtools.TestCase):

    def test_descriptive_sentences_of_a_no_defects_review_are_no_fix(self):
        import tempfile

        from nova_resize_checks.review import prepare

        text = ('No security defects are detected in the code.\n\n'
                'Lines 69-76 document the bug and must stay as they are; '
                '`self._start_compute(\'host1\')` should move the server.\n')
        with tempfile.NamedTemporaryFile('w', suffix='.md') as f:
            f.write(text)
            f.flush()
            report = prepare.prepare(f.name, prepare.Context())
        self.assertEqual('no-fix', report.verdict, report.reason)


class TestStatedVerdictPosition(testtools.TestCase):
    """A review's "no defects" covers what comes after it, not before."""

    def _claim(self, line):
        return model.Finding(model.UNPARSED_CLAIM, '%s the server should '
                             'be deleted' % model.PROSE_CLAIM,
                             model.Span(line, line))

    def test_requests_before_a_section_verdict_are_claims(self):
        from nova_resize_checks.review.read import container
        from nova_resize_checks.review import verdict
        parsed = container.parse_text(
            '### Issues\n\nThe server should be deleted at the end of the '
            'test.\n\n### Security\n\nNo security issues identified.\n')
        self.assertTrue(parsed.claims_no_defects)
        self.assertEqual(7, parsed.verdict_line)
        self.assertEqual('unverified', verdict.without_changes(
            [self._claim(3)], True, [], parsed.verdict_line)[0])

    def test_an_opening_verdict_covers_the_walk_through(self):
        from nova_resize_checks.review import verdict
        self.assertEqual('no-fix', verdict.without_changes(
            [self._claim(5)], True, [], 1)[0])
