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

"""The meta-check against sample folders, one test per review.

tests/samples/corpus holds reviews written in many styles (see its
STYLES.rst), each with the verdict worked out by hand in NAME.expect.json;
tests/samples/systems holds review systems' comments (Gerrit, GitHub,
SARIF), written blind, with theirs.  Each folder goes through one
``review`` run (confined, real nova and mutants) on the run's shared cache
(:mod:`tests.functional.shared`); every review's verdict, and the evidence
its expectation names, must come out as expected.
"""

import json
import os

import jsonschema
import testtools

from nova_resize_checks import schemas
from tests.functional import shared
from tests.functional import test_review

CORPUS = os.path.join(os.path.dirname(test_review.SAMPLES), 'corpus')
SYSTEMS = os.path.join(os.path.dirname(test_review.SAMPLES), 'systems')


def _expectations(folder):
    found = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith('.expect.json'):
            with open(os.path.join(folder, name)) as f:
                found[name[:-len('.expect.json')]] = json.load(f)
    return found


class _FolderVerdicts(object):
    """One ``review`` run over FOLDER; a test per expectation."""

    FOLDER = None
    document = None
    exit_code = None

    @classmethod
    def setUpClass(cls):
        super(_FolderVerdicts, cls).setUpClass()
        # The folder, and the samples a directory walk does not take
        # (a review system's file without an extension, read by content).
        unwalked = [os.path.join(cls.FOLDER, name)
                    for name in sorted(_expectations(cls.FOLDER))
                    if os.path.exists(os.path.join(cls.FOLDER, name))]
        code, out, err = test_review._cli('--format', 'json', cls.FOLDER,
                                          *unwalked, cache=shared.warm())
        cls.exit_code, cls.stderr = code, err
        try:
            cls.document = json.loads(out)
        except ValueError:
            cls.document = None

    def _reviews(self):
        self.assertIsNotNone(self.document, 'review printed no JSON '
                             '(exit %s): %s' % (self.exit_code,
                                                self.stderr[-2000:]))
        return {os.path.basename(r['path']).rsplit('.', 1)[0]: r
                for r in self.document['reviews']}

    def test_document_and_exit_code(self):
        reviews = self._reviews()
        jsonschema.validate(self.document, schemas.load('review'))
        # Every sample was read (STYLES.rst, the corpus's own notes, is
        # read as one more review: any text file may be a review).
        self.assertLessEqual(set(_expectations(self.FOLDER)), set(reviews))
        flagged = any(r['flagged'] for r in reviews.values())
        self.assertEqual(1 if flagged else 0, self.exit_code)

    def _check(self, name, expect):
        review = self._reviews()[name]
        self.assertEqual(
            expect['verdict'], review['verdict'],
            '%s: expected %s because %s\ngot %s: %s\nchanges: %s' % (
                name, expect['verdict'], expect['why'], review['verdict'],
                review['reason'], json.dumps(
                    [(c['kind'], c['applied'], c['reason'])
                     for c in review['changes']])[:2000]))
        text = json.dumps(review)
        for needle in expect.get('evidence', []):
            self.assertIn(needle, text, name)


def _add_tests(cls):
    for name, expect in _expectations(cls.FOLDER).items():
        def test(self, name=name, expect=expect):
            self._check(name, expect)
        test.__name__ = 'test_%s' % name.replace('-', '_')
        test.__doc__ = 'Review %s is %s.' % (name, expect['verdict'])
        setattr(cls, test.__name__, test)
    return cls


@_add_tests
class TestCorpusVerdicts(_FolderVerdicts, testtools.TestCase):
    FOLDER = CORPUS


@_add_tests
class TestSystemsVerdicts(_FolderVerdicts, testtools.TestCase):
    """Gerrit, GitHub and SARIF comments (tests/samples/systems)."""
    FOLDER = SYSTEMS
