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


"""The meta-check pipeline over a set of reviews: the driver.

Each review is prepared (:mod:`nova_resize_checks.review.prepare`: read ->
versions -> claims -> edits -> port -> gate), then run and judged
(:mod:`nova_resize_checks.review.verdict`).  Every review is prepared on
its own (a failure in one is reported on that review
only); all the versions they propose then go to one
:class:`~nova_resize_checks.runs.pool.Pool` call so that versions shared by
several reviews run once.  The result is plain data;
:mod:`nova_resize_checks.report` writes it in every format.

Every verdict is relative to the canonical test.  It runs once against real
nova in the same confinement as the proposals (so that a harness that
cannot run a test here is found before any review is blamed), and its
assertion x mutant matrix (:mod:`nova_resize_checks.matrix`, cached)
says which mutants it catches and with which assertions.  A proposed
version then runs against real nova and, in :data:`mutants.RUN_ORDER`
(the mutant most likely to survive a weakened test first), against each
mutant the canonical test catches -- except the mutants it is known to
still catch without running (:func:`known_caught.still_caught`: an unchanged
assertion that catches the mutant sees the same values) -- and stops at
the first survivor, which decides ``weakens``.
"""

import concurrent.futures
import dataclasses
import os
import time
import typing

from nova_resize_checks import children
from nova_resize_checks import env
from nova_resize_checks import inputs
from nova_resize_checks import known_caught
from nova_resize_checks import matrix as matrix_mod
from nova_resize_checks import mutants
from nova_resize_checks.report import document
from nova_resize_checks.review import prepare as prepare_mod
from nova_resize_checks.review.read import systems
from nova_resize_checks.review import verdict as verdict_mod
from nova_resize_checks.runs import budget as budget_mod
from nova_resize_checks.runs import cache as cache_mod
from nova_resize_checks.runs import pool as pool_mod
from nova_resize_checks.runs import results as runs

REVIEW_SUFFIXES = inputs.REVIEW_SUFFIXES
# Budgets (see check()): an honest review takes a few runs per version
# (real nova, the sham, the mutants no unchanged assertion is known to
# catch) of a few seconds each; one that hangs under every mutant is cut
# off at a few times that.
REVIEW_RUNS = 60
REVIEW_RUN_SECONDS = 1200.0
INVOCATION_RUNS = 3000
INVOCATION_RUN_SECONDS = 8 * 3600.0


class CanonicalBroken(env.EnvironmentProblem):
    """The canonical test fails against real nova: nothing can be judged."""


class CanonicalTooSlow(CanonicalBroken):
    """The canonical test cannot finish within the per-run bound."""


@dataclasses.dataclass
class Options:
    """How :func:`check` runs; the defaults are the command's.

    ``timeout``: seconds per run (None: derived from the canonical test,
    see :func:`derived_timeout`); ``progress(event, **kw)``: hears the
    pool's and the matrix's events; ``static_gate=False`` is for tests
    only; ``confined=False`` is the user's explicit ``--unconfined``;
    ``reviewed``: the text of the version the reviews were written
    against.
    """
    jobs: typing.Optional[int] = None
    timeout: typing.Optional[float] = None
    use_cache: bool = True
    cache_dir: typing.Optional[str] = None
    progress: typing.Optional[typing.Callable] = None
    static_gate: bool = True
    confined: bool = True
    reviewed: typing.Optional[str] = None
    # Review-system comments (Gerrit, GitHub, SARIF): one review per
    # author instead of one per file (see by_author).
    by_author: bool = False
    # Budgets: a review may start at most review_runs runs and
    # review_seconds of run time (a version shared by several reviews
    # runs while one of them has budget left), the invocation at most
    # total_runs and total_seconds; None is no limit.  A review whose runs
    # were cut by a budget is unverified (unless what did run already
    # flags it), and the others still complete.  NOVA_RESIZE_CHECKS_BUDGET
    # overrides them (see budget_from_environment).
    review_runs: typing.Optional[int] = REVIEW_RUNS
    review_seconds: typing.Optional[float] = REVIEW_RUN_SECONDS
    total_runs: typing.Optional[int] = INVOCATION_RUNS
    total_seconds: typing.Optional[float] = INVOCATION_RUN_SECONDS


def derived_timeout(canonical_results):
    """Per-run bound from the canonical test's own run times.

    A proposed version that runs more than pool.TIMEOUT_FACTOR times
    longer than the slowest canonical run (and at least
    pool.TIMEOUT_FLOOR seconds) is stuck, not slow.
    """
    slowest = max([r.seconds for r in canonical_results.values()] or [0])
    return max(pool_mod.TIMEOUT_FLOOR, pool_mod.TIMEOUT_FACTOR * slowest)


def _canonical_results(matrix):
    """The canonical test's result per mutant, from its matrix."""
    found = {}
    for mutant in matrix.mutants:
        run = matrix.runs[mutant]
        caught = sorted(matrix.caught(mutant), key=lambda k: int(k[1:]))
        if caught:
            outcome, evidence = runs.FAIL, 'fails at %s' % ', '.join(caught)
        elif run['error']:
            outcome = runs.ERROR
            evidence = 'the scenario broke: %s' % run['error'][-300:]
        else:
            outcome, evidence = runs.PASS, 'no assertion fails'
        # Known from the matrix: its catching assertions are the canonical
        # test's own (the placement ones for a placement mutant, as
        # tests/functional/test_mutants.py demands), so a proposal that is
        # the canonical test catches what it catches.
        found[mutant] = runs.RunResult(variant=mutant, outcome=outcome,
                                       seconds=run['seconds'],
                                       evidence=evidence,
                                       known=outcome == runs.FAIL)
    return found


def _plan(version, matrix, caught, context):
    """(variants to run, results known without running) for a version.

    Mutants in :data:`mutants.RUN_ORDER` that the canonical test catches;
    for a test-only version, those :func:`known_caught.still_caught` proves it
    still catches are known instead of run.
    """
    order = [m for m in mutants.RUN_ORDER if m in caught]
    known = {}
    if not version.overlay:
        for mutant, assertion in known_caught.still_caught(
                version.test_source, matrix, context.test_source,
                context.helper_names).items():
            if mutant in order:
                known[mutant] = runs.RunResult(
                    variant=mutant, outcome=runs.FAIL, known=True,
                    evidence='not run: known to fail, as the canonical '
                             'test does: the proposed version keeps %s `%s` '
                             'unchanged and seeing the same values'
                             % (assertion.key, assertion.code))
    return [runs.REAL] + [m for m in order if m not in known], known


def _timeout_problem(canonical_results, timeout):
    """Why the canonical test cannot finish within ``timeout``, or None."""
    slowest = max(canonical_results.values(), key=lambda r: r.seconds,
                  default=None)
    if slowest is not None and timeout and slowest.seconds >= timeout:
        return ('the canonical test itself takes %.1fs (against %s), '
                'more than --timeout %gs, so no review can be judged '
                'within it: raise --timeout, or leave it out to derive '
                'it from the canonical test (at least %gs here)' % (
                    slowest.seconds, slowest.variant, timeout,
                    derived_timeout(canonical_results)))
    return None


BUDGET_ENV = 'NOVA_RESIZE_CHECKS_BUDGET'
_BUDGET_KEYS = ('review_runs', 'review_seconds', 'total_runs',
                'total_seconds')


def budget_from_environment(environ=None):
    """Budgets named in NOVA_RESIZE_CHECKS_BUDGET.

    E.g. ``review_runs=20,review_seconds=600``; unnamed ones keep their
    default.

    Raises ValueError on a malformed setting.
    """
    environ = os.environ if environ is None else environ
    found = {}
    for item in (environ.get(BUDGET_ENV) or '').split(','):
        if not item.strip():
            continue
        key, _, value = item.partition('=')
        key = key.strip()
        if key not in _BUDGET_KEYS:
            raise ValueError('%s: unknown budget %r (known: %s)'
                             % (BUDGET_ENV, key, ', '.join(_BUDGET_KEYS)))
        number = float(value)
        if number < 0:
            raise ValueError('%s: %s must not be negative' % (BUDGET_ENV,
                                                              key))
        found[key] = int(number) if key.endswith('runs') else number
    return found


def _over_budget(results):
    """The first over-budget result among ``results``, or None."""
    for variant in sorted(results):
        if results[variant].over_budget:
            return results[variant]
    return None


def check(paths, options=None, **overrides):
    """Run the meta-check; returns (reports, summary).

    ``paths``: review paths (see :func:`inputs.collect`, which raises
    InputError for any that cannot be used, before anything runs) or
    :class:`inputs.Review` objects already read.  ``options``: an
    :class:`Options` (``overrides`` replace its fields).  Runs are confined
    (:mod:`nova_resize_checks.runs.confinement`); when that is not
    possible here this raises ``confinement.Unavailable`` before anything
    runs, unless ``confined=False`` (the user's explicit
    ``--unconfined``).  Raises :class:`CanonicalBroken` (or
    :class:`CanonicalTooSlow`) when the canonical test cannot pass within
    the bound: no review is blamed then.
    """
    opts = dataclasses.replace(options or Options(), **overrides)
    if all(isinstance(p, inputs.Review) for p in paths):
        reviews = list(paths)
    else:
        reviews = inputs.collect(paths).reviews
    if opts.by_author:
        reviews = systems.by_author(reviews)
    context = prepare_mod.Context(opts.static_gate, opts.reviewed)
    variants = [runs.REAL] + list(mutants.RUN_ORDER)
    cache_root = os.path.dirname(opts.cache_dir or cache_mod.default_dir())
    store = None
    if opts.use_cache:
        store = cache_mod.JsonStore(os.path.join(cache_root, 'prepared'),
                                    document.PREPARED_FORMAT)
    confinement = pool_mod.open_confinement(opts.cache_dir) \
        if opts.confined else None
    progress = opts.progress
    given = budget_from_environment()
    opts = dataclasses.replace(opts, **given)
    budget = budget_mod.Budget(owner_runs=opts.review_runs,
                               owner_seconds=opts.review_seconds,
                               total_runs=opts.total_runs,
                               total_seconds=opts.total_seconds)
    runner = pool_mod.Pool(
        variants, confinement, jobs=opts.jobs,
        timeout=opts.timeout or pool_mod.DEFAULT_TIMEOUT,
        use_cache=opts.use_cache, cache_dir=opts.cache_dir,
        progress=progress, stop_at_survivor=True,
        caught=verdict_mod.catches, sham=True, budget=budget)
    timing = []
    try:
        reports, results, canonical_results, caught, matrix = _run_all(
            reviews, context, opts, runner, cache_root, store, timing)
    except CanonicalBroken:
        # Nothing can be judged: stop the matrix children still measuring
        # instead of waiting minutes for them, then allow new runs again.
        children.reset()
        raise
    return _finish(reports, results, canonical_results, caught, matrix,
                   runner, timing, opts, confinement, context)


def _run_all(reviews, context, opts, runner, cache_root, store, timing):
    """Read the reviews while the canonical test runs; then run them."""
    progress = opts.progress
    with runner, concurrent.futures.ThreadPoolExecutor(2) as background:
        # The canonical test first: every verdict is relative to it, and
        # its run times give the bound for every other run.  It runs (and
        # its matrix is measured) while the reviews are read.
        canonical_future = background.submit(
            runner.run, [context.canonical],
            {context.canonical.key(): [runs.REAL]})
        matrix_future = background.submit(
            matrix_mod.compute, use_cache=opts.use_cache, jobs=runner.jobs,
            directory=os.path.join(cache_root, 'matrix'), progress=progress)
        reports = []
        for review in reviews:
            start = time.time()
            reports.append(prepare_mod.prepare_cached(
                review.shown, context, store, review.data))
            timing.append([start, time.time()])
            if progress:
                progress('prepared', path=review.shown)
        try:
            real, matrix = _canonical(canonical_future, matrix_future,
                                      context, runner, opts.timeout)
        except CanonicalBroken:
            children.cancel()
            raise
        canonical_results = dict(_canonical_results(matrix), real=real)
        if opts.timeout is None:
            runner.timeout = derived_timeout(canonical_results)
        else:
            problem = _timeout_problem(canonical_results, opts.timeout)
            if problem:
                raise CanonicalTooSlow(problem)
        caught = verdict_mod.caught_by(canonical_results)
        # A proposal that normalises to the canonical test (comments only,
        # say) is the canonical version: it is not run a second time.
        versions = [v for report in reports for v in report.versions.values()
                    if v.key() != context.canonical.key()]
        for index, report in enumerate(reports):
            for key in report.versions:
                runner.budget.owners.setdefault(key, []).append(index)
        plan, known = {}, {}
        for version in versions:
            plan[version.key()], known[version.key()] = _plan(
                version, matrix, caught, context)
        results = runner.run(versions, plan, known)
    return reports, results, canonical_results, caught, matrix


def _canonical(canonical_future, matrix_future, context, runner, timeout):
    """The canonical test's real run and its matrix, or CanonicalBroken.

    A bound the real run alone exceeds is said at once, before waiting for
    the matrix.
    """
    real = canonical_future.result()[context.canonical.key()][runs.REAL]
    problem = _timeout_problem({runs.REAL: real}, timeout)
    if problem:
        raise CanonicalTooSlow(problem)
    if real.outcome == runs.TIMEOUT:
        raise CanonicalTooSlow(
            'the canonical test did not finish within --timeout %gs '
            'against real nova, so no review can be judged within it: '
            'raise --timeout, or leave it out to derive it from the '
            'canonical test' % runner.timeout)
    if real.outcome != runs.PASS:
        raise CanonicalBroken(
            'the canonical regression test does not pass against the '
            'installed nova (%s: %s), so no review can be judged here. '
            'Run "nova-resize-checks reproduce" to see what placement '
            'holds.' % (real.outcome, real.evidence))
    try:
        matrix = matrix_future.result()
    except matrix_mod.MatrixError as exc:
        raise CanonicalBroken(
            'the canonical test\'s assertion x mutant matrix could not '
            'be measured, so no review can be judged here: %s' % exc)
    return real, matrix


def _finish(reports, results, canonical_results, caught, matrix, runner,
            timing, opts, confinement, context):
    """Verdicts from the runs, and the summary."""
    results[context.canonical.key()] = canonical_results
    for report, span in zip(reports, timing):
        for key in report.versions:
            if key in runner.times:
                span[1] = max(span[1], runner.times[key][1])
        if report.proposed_key is None:
            continue
        report.proposed = results[report.proposed_key]
        for item in report.changes:
            if item.version_key:
                item.outcomes = results[item.version_key]
        report.verdict, report.reason = verdict_mod.judge_runs(
            report.proposed, caught,
            lambda survivors: matrix_mod.describe_survivors(survivors,
                                                            matrix))
        report.verdict, report.reason = verdict_mod.given_unapplied(
            report.verdict, report.reason, report.changes,
            report.proposed.get(runs.REAL))
        for item in report.changes:
            stopped = item.outcomes and verdict_mod.refused(item.outcomes)
            if stopped and report.verdict != verdict_mod.UNSAFE:
                report.verdict, report.reason = stopped
        over = _over_budget(report.proposed)
        real = report.proposed.get(runs.REAL)
        if over is not None and (report.verdict == verdict_mod.OK or (
                real is not None and real.over_budget)):
            report.verdict, report.reason = verdict_mod.over_budget(over)
    budget = runner.budget
    summary = {
        'problems': [],
        'canonical': {variant: result for variant, result in
                      canonical_results.items()},
        'caught_by_canonical': caught,
        'versions': len(results),
        'runs': runner.stats,
        'budget': {'review_runs': opts.review_runs,
                   'review_seconds': opts.review_seconds,
                   'total_runs': opts.total_runs,
                   'total_seconds': opts.total_seconds,
                   'spent_runs': budget.total[0],
                   'spent_seconds': round(budget.total[1], 1)},
        'timeout': runner.timeout,
        'static_gate': opts.static_gate,
        'confinement': (confinement.description if confinement else
                        'none: run unconfined at the user\'s request '
                        '(--unconfined)'),
        'concurrency': env.concurrency(),
        'helper_notes': context.helper_notes,
        # For the report writers: the test the diffs are against, and
        # each review's (start, stop) in time.time() seconds.
        'test_source': context.test_source,
        'timing': [tuple(span) for span in timing],
    }
    return reports, summary
