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


"""Run the meta-check over a corpus N times, without the cache, and compare.

    python tools/determinism.py [--runs 20] [--jobs 2] PATH...

Every run starts from nothing (no run cache, no prepared-review cache), so
each one really runs every needed version against real and mutated nova.
The verdicts, reasons and, for every change and variant, the outcome and
its evidence must be the same in every run.  Prints the count of identical
runs and any difference found.
"""

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, HERE)

from nova_resize_checks.report import document as report  # noqa: E402
from nova_resize_checks.review import pipeline  # noqa: E402


def snapshot(reports):
    """What must not change between runs (timings and cache flags out)."""
    doc = report.to_document(reports, {})
    for review in doc['reviews']:
        for holder in [review['proposed']] + [c['outcomes'] for c in
                                              review['changes']]:
            for result in holder.values():
                result.pop('seconds', None)
                result.pop('cached', None)
    return doc['reviews']


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[1])
    parser.add_argument('--runs', type=int, default=20)
    parser.add_argument('--jobs', type=int, default=os.cpu_count() or 1)
    parser.add_argument('paths', nargs='*', default=[os.path.join(
        HERE, 'tests', 'samples', 'reviews')])
    args = parser.parse_args()
    first = None
    differences = 0
    for number in range(1, args.runs + 1):
        start = time.monotonic()
        reports, summary = pipeline.check(args.paths, jobs=args.jobs,
                                          use_cache=False)
        if summary['problems']:
            sys.exit('; '.join(summary['problems']))
        current = snapshot(reports)
        if first is None:
            first = current
            verdicts = ', '.join('%s=%s' % (os.path.basename(r['path']),
                                            r['verdict']) for r in current)
            print('run 1: %s' % verdicts)
        elif current != first:
            differences += 1
            for a, b in zip(first, current):
                if a != b:
                    print('run %d differs on %s:\n  %s\n  %s' % (
                        number, a['path'], json.dumps(a, sort_keys=True),
                        json.dumps(b, sort_keys=True)))
        sys.stderr.write('run %d/%d: %.0fs, %d runs, timeout %.0fs\n' % (
            number, args.runs, time.monotonic() - start,
            summary['runs']['runs'], summary['timeout']))
    print('%d runs of %d reviews without cache: %d identical to the first, '
          '%d different' % (args.runs, len(first or []),
                            args.runs - differences, differences))
    return 1 if differences else 0


if __name__ == '__main__':
    sys.exit(main())
