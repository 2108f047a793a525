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


"""Benchmark the review meta-check: cold and warm cache, and at scale.

    python tools/bench_review.py [--jobs N] [--corpus DIR]
                                 [--scale-reviews 1000] [--distinct 20]
    python tools/bench_review.py --baseline-ref a30b47a [--corpus DIR]

1. Corpus (default tests/samples/reviews), cold (empty private cache) then
   warm.  Cold wall time is compared with the ideal, the sum of the needed
   single runs divided by the jobs, in two ways: runs counted by their test
   time alone (the strict ideal, with no cost for starting nova at all), and
   runs counted as single fresh processes (a measured process start plus
   the test time), which is what running them one by one would cost.
   Targets: cold <= 1.2x ideal, warm <= 1 s.
2. Scale: N reviews generated from D distinct changes, written in varied
   styles.  Reading, extracting, applying and deduplicating must stay under
   5 ms per review, and the runs must grow with D, not N: the first pass
   runs D versions, a pass over N reviews runs nothing new.
3. With ``--baseline-ref``, instead: the corpus cold through the CLI with
   this tree (confined fresh workers) and with the given commit (before the
   confinement: long-lived serve children), one after the other in this
   invocation; prints both walls, the ratio (target <= 1.25) and where a
   worker's time goes.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, HERE)

from nova_resize_checks import canonical  # noqa: E402
from nova_resize_checks.review import pipeline  # noqa: E402
from nova_resize_checks.review import prepare  # noqa: E402
from nova_resize_checks.runs import protocol  # noqa: E402


def _single_process_overhead(workdir):
    """Seconds a fresh worker spends outside the test (imports, setup)."""
    job = {'module': 'test_bug_1825537', 'overlay': [], 'timeout': 0,
           'file': os.path.join(HERE, 'tests', 'functional',
                                'test_bug_1825537.py'),
           'startup': 60, 'unconfined': True, 'variant': 'real'}
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, '-m', 'nova_resize_checks.runs.worker'],
        input=json.dumps(job).encode(), stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, check=True, cwd=workdir)
    wall = time.monotonic() - start
    test = protocol.read(proc.stdout).done.get('real', 0.0)
    return wall - test, wall


def cold_cli(pythonpath, corpus, jobs, workdir, label, cache=None):
    """Wall seconds and JSON report of one CLI run of the meta-check.

    ``corpus``: a directory or a list of review files.  Cold (a private
    cache in ``workdir``) unless ``cache`` names one.
    """
    paths = [os.path.abspath(p) for p in (
        [corpus] if isinstance(corpus, str) else corpus)]
    env = dict(os.environ, PYTHONPATH=pythonpath,
               XDG_CACHE_HOME=cache or os.path.join(workdir,
                                                    'cache-' + label))
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, '-m', 'nova_resize_checks.cli', 'review',
         '--format', 'json', '--jobs', str(jobs)] + paths,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, env=env, cwd=workdir)
    wall = time.monotonic() - start
    try:
        return wall, json.loads(proc.stdout)
    except ValueError:
        sys.exit('%s: the meta-check printed no report (exit %d): %s'
                 % (label, proc.returncode,
                    proc.stderr.decode('utf-8', 'replace')[-2000:]))


def compare(args, workdir):
    """Confined fresh workers vs the serve children of ``--baseline-ref``.

    Both run the same corpus cold through the CLI in this one invocation;
    the baseline is a git worktree of the given commit.  Versions can
    differ where the reading of reviews changed, so the fair figure is
    the wall time per run.
    """
    base = os.path.join(workdir, 'baseline')
    subprocess.run(['git', '-C', HERE, 'worktree', 'add', '--detach', base,
                    args.baseline_ref], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    try:
        rows = []
        for label, path in (('baseline', base), ('confined', HERE)):
            wall, doc = cold_cli(path, args.corpus, args.jobs, workdir,
                                 label)
            runs = doc.get('runs', {})
            rows.append((label, wall, runs.get('runs', 0), doc))
            sys.stderr.write('%s done in %.0fs\n' % (label, wall))
    finally:
        subprocess.run(['git', '-C', HERE, 'worktree', 'remove', '--force',
                        base], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    print('%-10s %9s %6s %10s' % ('', 'cold wall', 'runs', 's per run'))
    for label, wall, runs, _ in rows:
        print('%-10s %8.1fs %6d %9.2fs' % (label, wall, runs,
                                           wall / max(runs, 1)))
    (_, b_wall, b_runs, _), (_, c_wall, c_runs, doc) = rows
    print('ratio confined/baseline: wall %.2f, per run %.2f (target <= '
          '1.25)' % (c_wall / b_wall, (c_wall / max(c_runs, 1)) /
                     (b_wall / max(b_runs, 1))))
    runs = doc.get('runs', {})
    workers = runs.get('workers', 0) or 1
    outside = runs.get('worker_seconds', 0.0) - runs.get('run_seconds', 0.0)
    print('per worker: %.2fs outside the tests (confinement, start-up, '
          'importing nova, teardown); %.2fs per run inside'
          % (outside / workers, runs.get('run_seconds', 0.0) /
             max(runs.get('runs', 1), 1)))


def corpus(args, workdir):
    cache = os.path.join(workdir, 'cache')
    start = time.monotonic()
    reports, cold = pipeline.check([args.corpus], jobs=args.jobs,
                                   cache_dir=cache)
    cold_wall = time.monotonic() - start
    start = time.monotonic()
    pipeline.check([args.corpus], jobs=args.jobs, cache_dir=cache)
    warm_wall = time.monotonic() - start
    overhead, single_wall = _single_process_overhead(workdir)
    runs = cold['runs']
    strict = runs['run_seconds'] / args.jobs
    one_by_one = (runs['run_seconds'] + runs['runs'] * overhead) / args.jobs
    print('corpus: %d reviews, %d distinct versions, %d runs in %d '
          'worker(s), jobs=%d' % (len(reports), cold['versions'],
                                  runs['runs'], runs['workers'], args.jobs))
    print('  cold wall %.1fs; ideal strict %.1fs -> ratio %.2f; ideal as '
          'single runs %.1fs (process start %.1fs each) -> ratio %.2f'
          % (cold_wall, strict, cold_wall / strict, one_by_one, overhead,
             cold_wall / one_by_one))
    print('  warm wall %.2fs (target <= 1 s)' % warm_wall)
    return cache


_INTROS = [
    'Looks fine overall. One suggestion:',
    'I found one potential issue (CWE-703) in the assertions.',
    'No security defects are detected in the code, but consider this:',
    '## Review\n\nThe test is mostly correct. Proposed change:',
    'Minor: the final check could say more.',
]
_OUTROS = ['', 'Hope this helps.', 'Otherwise LGTM.',
           'Let me know if you have questions.']


def _distinct_changes(count):
    """Changes that give AST-distinct, passing versions of the test."""
    source = canonical.read_test()
    anchor = '        self.assertEqual(no_usage, source_rp_usages)'
    assert anchor in source
    return [anchor + '\n        self.assertNotEqual(%d, source_rp_usages)'
            % n for n in range(1, count + 1)]


def _review(rng, code, index):
    intro = rng.choice(_INTROS)
    outro = rng.choice(_OUTROS)
    fence = rng.choice(['```python', '```', '```py'])
    return '%s\n\nReview #%d. Replace the source usage check with:\n\n' \
           '%s\n%s\n```\n\n%s\n' % (intro, index, fence, code, outro)


def scale(args, workdir, cache):
    rng = random.Random(1825537)
    changes = _distinct_changes(args.distinct)
    for total in (args.distinct, args.scale_reviews):
        folder = os.path.join(workdir, 'scale-%d' % total)
        os.makedirs(folder)
        for index in range(total):
            code = changes[index % len(changes)]
            with open(os.path.join(folder, 'r%05d.md' % index), 'w') as f:
                f.write(_review(rng, code, index))
        context = prepare.Context()
        files, _ = prepare.collect([folder])
        start = time.monotonic()
        keys = set()
        for path in files:
            report = prepare.prepare(path, context)
            keys.update(report.versions)
        prepare_seconds = time.monotonic() - start
        start = time.monotonic()
        reports, summary = pipeline.check([folder], jobs=args.jobs,
                                          cache_dir=cache)
        wall = time.monotonic() - start
        verdicts = sorted({r.verdict for r in reports})
        print('scale: %5d reviews from %d distinct changes -> %d distinct '
              'versions; parse+extract+apply+dedupe %.2f ms/review; '
              'meta-check %.1fs with %d new run(s); verdicts %s'
              % (total, len(changes), len(keys),
                 1000 * prepare_seconds / total, wall, summary['runs']['runs'],
                 ', '.join(verdicts)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[1])
    parser.add_argument('--jobs', type=int, default=os.cpu_count() or 1)
    parser.add_argument('--corpus', default=os.path.join(
        HERE, 'tests', 'samples', 'reviews'))
    parser.add_argument('--scale-reviews', type=int, default=1000)
    parser.add_argument('--distinct', type=int, default=20)
    parser.add_argument('--skip-corpus', action='store_true')
    parser.add_argument('--baseline-ref', metavar='REF',
                        help='only compare the cold meta-check with the '
                             'one at this git commit (e.g. a30b47a, the '
                             'last serve-children runner), side by side')
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix='nrc-bench-')
    if args.baseline_ref:
        try:
            compare(args, workdir)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        return 0
    try:
        cache = os.path.join(workdir, 'cache')
        if not args.skip_corpus:
            cache = corpus(args, workdir)
        scale(args, workdir, cache)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
