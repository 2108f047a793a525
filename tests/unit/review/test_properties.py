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


"""Property tests: generated reviews never make parse, extract or the
claim checks raise, and the same input always gives the same result.

The budget here is small (py3 must stay fast); tools/fuzz_review.py runs
the same property for 10,000 examples or more.
"""

import os

import hypothesis
import testtools

from nova_resize_checks.review.claims import extract
from nova_resize_checks.review.claims import findings
from nova_resize_checks.review.read import container
from tests.unit.review import strategies

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, '..', '..', 'functional',
                       'test_bug_1825537.py')) as _f:
    REFERENCES = {'test': _f.read()}


def digest(text):
    """Everything the front half of the pipeline produces, comparable."""
    parsed = container.parse_text(text)
    changes, found = extract.extract(parsed, REFERENCES)
    found = list(found) + list(findings.check_claims(
        parsed, changes, REFERENCES, frozenset()))
    return (repr(parsed.blocks), parsed.claims_no_defects,
            tuple(parsed.cwe_ids), repr(changes), repr(found))


class TestGeneratedReviews(testtools.TestCase):

    @hypothesis.settings(max_examples=150, deadline=None,
                         suppress_health_check=list(
                             hypothesis.HealthCheck))
    @hypothesis.given(strategies.reviews())
    def test_no_exception_and_deterministic(self, text):
        self.assertEqual(digest(text), digest(text))
