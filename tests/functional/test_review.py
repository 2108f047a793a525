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


"""The review meta-check end to end on the sample reviews.

Every sample under tests/samples/reviews has a sidecar NAME.expect.json
with the verdict it must get and why; optional "evidence" strings must
appear in that review's JSON report, "change_kinds" and "findings" list
kinds that must be among its changes and findings.  The whole corpus is
checked once through the command line with the run's shared cache
(:mod:`tests.functional.shared`: the canonical run and the matrix are
measured once per test run, not once per class); a second, warm run must
answer everything from that cache.
"""

import glob
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import jsonschema
import testtools

from nova_resize_checks import mutants
from nova_resize_checks import schemas
from tests.functional import shared

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.join(os.path.dirname(HERE), 'samples', 'reviews')


def _cli(*args, cache):
    env = dict(os.environ, XDG_CACHE_HOME=cache)
    proc = subprocess.run(
        [sys.executable, '-m', 'nova_resize_checks.cli', 'review'] +
        list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL, env=env, timeout=3600)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def _expectations():
    found = {}
    for path in sorted(glob.glob(os.path.join(SAMPLES, '*.expect.json'))):
        with open(path) as f:
            expect = json.load(f)
        stem = path[:-len('.expect.json')]
        reviews = [p for p in glob.glob(stem + '.*')
                   if not p.endswith('.expect.json')]
        found[os.path.basename(stem)] = (reviews, expect)
    return found


class TestReviewCorpus(testtools.TestCase):

    cache = None
    cold = None
    warm = None

    @classmethod
    def setUpClass(cls):
        super(TestReviewCorpus, cls).setUpClass()
        cls.cache = shared.warm()
        cls.cold = _cli('--format', 'json', SAMPLES, cache=cls.cache)
        cls.warm = _cli('--format', 'json', SAMPLES, cache=cls.cache)

    def _document(self, result):
        code, out, err = result
        self.assertIn(code, (0, 1), err)
        document = json.loads(out)
        jsonschema.validate(document, schemas.load('review'))
        return document

    def test_every_sample_has_an_expectation(self):
        samples = _expectations()
        self.assertGreaterEqual(len(samples), 12)
        for name, (reviews, _) in samples.items():
            self.assertEqual(1, len(reviews), name)

    def test_verdicts_and_evidence(self):
        doc = self._document(self.cold)
        by_name = {os.path.basename(r['path']).rsplit('.', 1)[0]: r
                   for r in doc['reviews']}
        for name, (_, expect) in _expectations().items():
            review = by_name[name]
            self.assertEqual(
                expect['verdict'], review['verdict'],
                '%s: %s\nreason: %s' % (name, expect.get('why'),
                                        review['reason']))
            self.assertEqual(review['verdict'] in ('breaks', 'weakens',
                                                   'unsafe'),
                             review['flagged'])
            text = json.dumps(review)
            for needle in expect.get('evidence', []):
                self.assertIn(needle, text, name)
            kinds = {c['kind'] for c in review['changes']}
            for kind in expect.get('change_kinds', []):
                self.assertIn(kind, kinds, name)
            finding_kinds = {f['kind'] for f in review['findings']}
            for kind in expect.get('findings', []):
                self.assertIn(kind, finding_kinds, name)

    def test_exit_code_flags(self):
        doc = self._document(self.cold)
        flagged = any(r['flagged'] for r in doc['reviews'])
        self.assertEqual(1 if flagged else 0, self.cold[0])

    def test_changes_carry_outcomes_per_variant(self):
        doc = self._document(self.cold)
        # The sham (real nova through the mutant machinery) runs after the
        # mutants of a version they all caught.
        variants = {'real', mutants.SHAM} | set(mutants.RUN_ORDER)
        seen_run = seen_known = False
        for review in doc['reviews']:
            for change in review['changes']:
                self.assertEqual(2, len(change['span']))
                self.assertIn('applied', change)
                if change['outcomes']:
                    seen_run = True
                    self.assertIn('real', change['outcomes'])
                    self.assertLessEqual(set(change['outcomes']), variants)
                    for result in change['outcomes'].values():
                        self.assertIn(result['outcome'],
                                      ('pass', 'fail', 'error', 'timeout',
                                       'skipped'))
                        if result['known']:
                            seen_known = True
                            self.assertEqual('fail', result['outcome'])
                            self.assertIn('unchanged', result['evidence'])
        self.assertTrue(seen_run)
        self.assertTrue(seen_known)

    def test_canonical_catches_every_mutant(self):
        doc = self._document(self.cold)
        self.assertEqual(sorted(mutants.RUN_ORDER),
                         doc['caught_by_canonical'])
        self.assertEqual('pass', doc['canonical']['real']['outcome'])

    def test_weakens_names_the_survivor_and_its_assertion(self):
        doc = self._document(self.cold)
        for review in doc['reviews']:
            if review['verdict'] != 'weakens':
                continue
            self.assertRegex(review['reason'],
                             r'mutant [a-z0-9-]+ survives; in the canonical '
                             r'test it is caught only by L\d+ `self\.assert')
            # It stopped at the first survivor: nothing ran after it.
            outcomes = review['proposed']
            ran = [m for m in mutants.RUN_ORDER if m in outcomes and
                   outcomes[m]['outcome'] != 'skipped' and
                   not outcomes[m]['known']]
            survivors = [m for m in ran if outcomes[m]['outcome'] == 'pass']
            self.assertEqual(ran[-1], survivors[0], review['path'])

    def test_warm_run_is_answered_from_cache(self):
        cold = self._document(self.cold)
        warm = self._document(self.warm)
        self.assertEqual(0, warm['runs']['runs'])
        self.assertGreater(warm['runs']['cached'], 0)
        self.assertEqual(
            [(r['path'], r['verdict']) for r in cold['reviews']],
            [(r['path'], r['verdict']) for r in warm['reviews']])

    def test_junit_and_text(self):
        code, out, err = _cli('--format', 'junit', SAMPLES,
                              cache=self.cache)
        suite = ET.fromstring(out)
        doc = self._document(self.warm)
        self.assertEqual(len(doc['reviews']), int(suite.get('tests')))
        self.assertEqual(sum(r['flagged'] for r in doc['reviews']),
                         len(suite.findall('testcase/failure')))
        code, out, err = _cli(SAMPLES, cache=self.cache)
        for review in doc['reviews']:
            self.assertIn(review['path'], out)
        self.assertIn('review(s),', out)

    def test_missing_path_is_a_usage_error(self):
        code, out, err = _cli('/nonexistent/review.txt', cache=self.cache)
        self.assertEqual(2, code)
        self.assertIn('no such file or directory', err)
        self.assertNotIn('Traceback', err)
