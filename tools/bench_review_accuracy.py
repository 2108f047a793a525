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


"""Accuracy of the meta-check on a corpus of sample reviews.

    python tools/bench_review_accuracy.py [--corpus DIR] [--jobs N]
                                          [--baseline-ref REF]

Runs ``nova-resize-checks review --format json`` over the corpus (every
review with a ``NAME.expect.json`` beside it, default tests/samples/corpus)
with a private cold cache and prints: accuracy (verdict as expected),
false flags (flagged, expected not), missed flags (expected flagged, not
flagged), the mean time per review, and a confusion table.  With
``--baseline-ref`` the same is done for a git commit of this repository
(checked out in a temporary worktree), in the same invocation.  This is a
measurement, not a test: the functional suite asserts the expectations of
tests/samples/reviews.
"""

import argparse
import collections
import glob
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(HERE, 'tools'))

import bench_review  # noqa: E402

FLAGGED = ('breaks', 'weakens', 'unsafe')


def _expectations(corpus):
    found = {}
    for path in sorted(glob.glob(os.path.join(corpus, '*.expect.json'))):
        with open(path) as f:
            found[os.path.basename(path)[:-len('.expect.json')]] = json.load(f)
    return found


def _reviews(corpus, names):
    """The review file of each expectation: NAME or NAME.<suffix>.

    Named one by one, so that a tree whose directory walk does not take
    some suffix still reads them (a fair baseline).
    """
    found = []
    for name in sorted(names):
        for entry in sorted(os.listdir(corpus)):
            if entry.endswith('.expect.json'):
                continue
            if entry == name or entry.rsplit('.', 1)[0] == name:
                found.append(os.path.join(corpus, entry))
                break
    return found


def _run(pythonpath, corpus, jobs, workdir, label, cache=None):
    wall, document = bench_review.cold_cli(
        pythonpath, _reviews(corpus, _expectations(corpus)), jobs, workdir,
        label, cache)
    verdicts = {}
    for review in document['reviews']:
        name = os.path.basename(review['path']).rsplit('.', 1)[0]
        verdicts[name] = review['verdict']
    return wall, verdicts


def _score(label, expect, verdicts, wall):
    right = false_flags = missed = 0
    confusion = collections.Counter()
    wrong = []
    for name, want in sorted(expect.items()):
        got = verdicts.get(name, 'missing')
        expected = want.get('verdict')
        confusion[(expected, got)] += 1
        if got == expected:
            right += 1
        else:
            wrong.append('%s: expected %s, got %s' % (name, expected, got))
        if got in FLAGGED and expected not in FLAGGED:
            false_flags += 1
        if expected in FLAGGED and got not in FLAGGED:
            missed += 1
    total = len(expect)
    print('%s: %d reviews, accuracy %d/%d (%.0f%%), false flags %d, missed '
          'flags %d, %.1f s per review (%.0f s in all)'
          % (label, total, right, total, 100.0 * right / max(total, 1),
             false_flags, missed, wall / max(total, 1), wall))
    print('  expected -> got: ' + ', '.join(
        '%s->%s %d' % (e, g, n) for (e, g), n in sorted(confusion.items())
        if e != g))
    return wrong


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[1])
    parser.add_argument('--corpus', default=os.path.join(
        HERE, 'tests', 'samples', 'corpus'))
    parser.add_argument('--jobs', type=int, default=os.cpu_count() or 1)
    parser.add_argument('--baseline-ref', metavar='REF')
    parser.add_argument('--show-wrong', action='store_true')
    parser.add_argument('--cache', metavar='DIR',
                        help='use (and fill) this run cache instead of a '
                             'cold private one: the figures are the same, '
                             'the time per review is not comparable')
    args = parser.parse_args()
    expect = _expectations(args.corpus)
    if not expect:
        sys.exit('%s: no NAME.expect.json files' % args.corpus)
    with tempfile.TemporaryDirectory(prefix='nrc-accuracy-') as workdir:
        subjects = [('this tree', HERE)]
        base = None
        if args.baseline_ref:
            base = os.path.join(workdir, 'baseline')
            subprocess.run(['git', '-C', HERE, 'worktree', 'add', '--detach',
                            base, args.baseline_ref], check=True,
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            subjects.insert(0, (args.baseline_ref, base))
        try:
            for label, path in subjects:
                wall, verdicts = _run(path, args.corpus, args.jobs, workdir,
                                      label.replace(' ', '-'),
                                      args.cache and os.path.abspath(
                                          args.cache))
                wrong = _score(label, expect, verdicts, wall)
                if args.show_wrong:
                    for line in wrong:
                        print('    ' + line)
        finally:
            if base:
                subprocess.run(['git', '-C', HERE, 'worktree', 'remove',
                                '--force', base], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    return 0


if __name__ == '__main__':
    sys.exit(main())
