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


"""Fuzz the review front half (parse, extract, claim checks).

    python tools/fuzz_review.py [--examples 10000]

Feeds hypothesis-generated reviews (random mixtures of prose, fences,
diffs and numbered listings, CRLF or LF, unterminated fences, noise) to
the parsing and extraction layers, twice each, and fails on the first
exception or on two different results for the same input.  Prints the
count run, the time per example and the slowest example.
"""

import argparse
import os
import sys
import time

import hypothesis

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, HERE)

from tests.unit.review import strategies  # noqa: E402
from tests.unit.review import test_properties  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[1])
    parser.add_argument('--examples', type=int, default=10000)
    args = parser.parse_args()
    stats = {'count': 0, 'slowest': 0.0}

    @hypothesis.settings(max_examples=args.examples, deadline=None,
                         database=None,
                         suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(strategies.reviews())
    def prop(text):
        start = time.monotonic()
        first = test_properties.digest(text)
        second = test_properties.digest(text)
        assert first == second, 'different results for the same review'
        stats['count'] += 1
        stats['slowest'] = max(stats['slowest'], time.monotonic() - start)

    start = time.monotonic()
    prop()
    wall = time.monotonic() - start
    print('%d generated reviews, each parsed and extracted twice: no '
          'exception, identical results; %.2f ms per example, slowest '
          '%.0f ms, %.0f s in all' % (stats['count'],
                                      1000 * wall / max(stats['count'], 1),
                                      1000 * stats['slowest'], wall))
    return 0


if __name__ == '__main__':
    sys.exit(main())
