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


"""The meta-check pipeline over a set of reviews.

parse -> extract -> findings -> edits -> safety -> run -> verdict.  Every
review is prepared on its own (a failure in one is reported on that review
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
still catch without running (:func:`matrix.still_caught`: an unchanged
assertion that catches the mutant sees the same values) -- and stops at
the first survivor, which decides ``weakens``.
"""

import concurrent.futures
import dataclasses
import hashlib
import json
import os
import textwrap
import time
import traceback
import typing

from nova_resize_checks import canonical
from nova_resize_checks import children
from nova_resize_checks import env
from nova_resize_checks import inputs
from nova_resize_checks import matrix as matrix_mod
from nova_resize_checks import mutants
from nova_resize_checks.report import document
from nova_resize_checks.review.claims import anchored
from nova_resize_checks.review.claims import extract
from nova_resize_checks.review.claims import findings as findings_mod
from nova_resize_checks.review import edits
from nova_resize_checks.review import model
from nova_resize_checks.review.read import container
from nova_resize_checks.review.read import diffs
from nova_resize_checks.review.read import systems
from nova_resize_checks.review import safety
from nova_resize_checks.review import verdict as verdict_mod
from nova_resize_checks.review.versions import identify
from nova_resize_checks.review.versions import port
from nova_resize_checks.review.versions import quotes
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
# Claims one review may make; the rest are reported, not applied.  Each
# claim is applied on its own as well (its own version, to say which claim
# weakens), up to MAX_SEPARATE; beyond that only all of them together.
MAX_CLAIMS = 40
MAX_SEPARATE = 10


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


def collect(paths):
    """Review files named by ``paths`` (files, or directories of them).

    Returns (files, problems); a path that cannot be used (see
    :func:`inputs.collect`) is a problem, not an exception.  Directories
    are walked in sorted order; only files with a review suffix are taken
    from them (sidecar files such as ``*.expect.json`` are skipped).
    """
    files, problems = [], []
    for path in paths:
        try:
            files.extend(r.path for r in inputs.collect([path]).reviews)
        except inputs.InputError as exc:
            problems.append(str(exc))
    return files, problems


class Context(object):
    """What every review is checked against (read once).

    ``static_gate=False`` is for tests only: it lets code the static gate
    would refuse reach the sandboxed runs, to prove the second layer holds
    on its own.
    """

    def __init__(self, static_gate=True, reviewed=None):
        self.static_gate = static_gate
        self.test_source = canonical.read_test()
        self.references = {'test': self.test_source}
        upstream = canonical.upstream_test()
        if upstream:
            self.references['upstream'] = upstream
        # The version of the test the reviews were written against, when
        # the user names it (--reviewed): line numbers and quotations are
        # read against it.
        if reviewed is not None:
            self.references['reviewed'] = reviewed
        self.helper_notes = []
        self.helper_names = findings_mod.nova_helper_names(
            findings=self.helper_notes)
        self.canonical = _make_version(self.test_source, (), 'canonical')
        self.known_digests = identify.known_digests(self.references)
        self.fingerprint = json.dumps(
            dict(env.versions(), static_gate=static_gate,
                 reviewed=hashlib.sha256(
                     (reviewed or '').encode()).hexdigest()
                 if reviewed is not None else None), sort_keys=True)
        # Memos: many reviews propose the same changes; editing and gating
        # depend only on the changes, so each distinct one is done once.
        self._applied = {}
        self._unsafe = {}

    def apply(self, changes, reviewed=None):
        """edits.apply_changes on the canonical test, memoised.

        ``reviewed`` (a :class:`identify.Identified`) is the version the
        review was written against: when it is not ours, what the changes
        make is ported onto ours three ways (:mod:`versions.port`).
        """
        base = reviewed.digests if reviewed and \
            reviewed.name != identify.OURS else None
        key = (base, reviewed.deletable if base else None) + tuple(
            (c.kind, c.target, tuple(sorted(c.fields().items())))
            for c in changes)
        if key not in self._applied:
            if base is None:
                proposed = edits.apply_changes(self.test_source, changes,
                                               canonical.nova_reader)
            else:
                proposed = self._apply_ported(changes, reviewed)
            self._applied[key] = proposed
        cached = self._applied[key]
        # Re-attach this review's Change objects (spans differ).
        return model.ProposedVersion(
            cached.test_source, dict(cached.nova_overlay),
            [model.Applied(change, a.applied, a.reason)
             for change, a in zip(changes, cached.applied)])

    def _apply_ported(self, changes, reviewed):
        """Listings ported from the reviewed version, then the rest.

        A listing, snippet or diff shows the reviewed version's code, so
        what it makes of ours is ported (:meth:`_port`).  Changes that
        name their place (a line, a statement, a name) were already
        mapped onto ours when they were read: they apply after the port.
        """
        listed = [c for c in changes if c.kind in _LISTING_KINDS]
        rest = [c for c in changes if c.kind not in _LISTING_KINDS]
        first = self._port(edits.apply_changes(
            self.test_source, listed, canonical.nova_reader), reviewed)
        then = edits.apply_changes(first.test_source, rest,
                                   canonical.nova_reader)
        done = {id(a.change): a for a in first.applied + then.applied}
        return model.ProposedVersion(
            then.test_source, dict(first.nova_overlay, **then.nova_overlay),
            [done[id(c)] for c in changes])

    def _port(self, proposed, reviewed):
        """``proposed`` with its test ported from the reviewed version."""
        if proposed.test_source == self.test_source:
            return proposed
        try:
            source = port.port(reviewed.digests, self.test_source,
                               proposed.test_source, self.known_digests,
                               reviewed.deletable)
            port.keeps_assertions(self.test_source,
                                  proposed.test_source, source)
        except port.Conflict as exc:
            reason = ('written against the %s version; %s'
                      % (reviewed.name, exc))
            return model.ProposedVersion(
                self.test_source, dict(proposed.nova_overlay),
                [model.Applied(a.change, False, reason) if a.applied and
                 not _in_nova(a.change) else a for a in proposed.applied])
        return model.ProposedVersion(source, dict(proposed.nova_overlay),
                                     proposed.applied)

    def unsafe(self, version):
        if not self.static_gate:
            return []
        key = version.key()
        if key not in self._unsafe:
            self._unsafe[key] = _unsafe(version)
        return self._unsafe[key]


# Changes that show code of the reviewed version (see Context.apply).
_LISTING_KINDS = (model.TEST_FULL, model.TEST_SNIPPET, model.TEST_DIFF)


def _in_nova(change):
    """Whether a change edits a nova file (the overlay), not the test."""
    return change.kind == model.NOVA_DIFF or (change.target or '').startswith(
        'nova/')


def _make_version(test_source, overlay, label):
    """A run-layer Version of exactly the code that will run.

    Every source is decoded as Python would decode a file holding it
    (:func:`runs.source_text`: coding declaration, byte-order mark), so the
    static gate, the matrix's still-caught rule and the run all read one
    text; the version's identity is a digest of those bytes.
    """
    return runs.Version(runs.source_text(test_source),
                        tuple((path, runs.source_text(text))
                              for path, text in overlay), label=label)


def _version(proposed, label):
    return _make_version(proposed.test_source,
                         tuple(sorted(proposed.nova_overlay.items())), label)


def _unsafe(version):
    """Static gate over what a version would run.

    Overlaid nova files are judged against the installed originals, so
    only what the review adds counts.
    """
    found = list(safety.check(version.test_source, 'proposed test'))
    for path, text in version.overlay:
        try:
            baseline = canonical.nova_reader(path)
        except (OSError, ValueError):
            baseline = None
        found.extend(safety.check(text, path, baseline=baseline))
    return [f for f in found if f.kind == model.UNSAFE_CODE]


def _read(path, data, context):
    """(ParsedReview, anchored.Read or None) of one review.

    A review system's comments (Gerrit, GitHub, SARIF; recognised by
    content) are read by :mod:`claims.anchored`; the text its words were
    rendered into is parsed like any review.
    """
    if data is None:
        try:
            data = inputs.collect([path]).reviews[0].data
        except (inputs.InputError, IndexError):
            return container.read_review(path), None
    text, errors = container.decode_bytes(data)
    found = systems.sniff(text)
    system = None
    if found is not None:
        try:
            system = anchored.read(found[0], found[1], context.references,
                                   canonical.nova_reader)
        except systems.Unreadable as exc:
            errors = list(errors) + ['%s comments: %s' % (found[0], exc)]
            text = ''
        else:
            text = system.text
    parsed = container.parse_text(text, path)
    parsed.errors[:0] = errors
    if system is not None:
        parsed.notes[:0] = ['read as %s comments: %d comment(s)'
                            % (found[0], len(system.anchors))] + system.notes
    return parsed, system


def _anchored_version(system, context):
    """Ours, when suggestions were carried onto ours line by line."""
    return identify.Identified(
        identify.OURS, port.digests(context.test_source),
        'review-system comments made on the %s version(s); each suggestion '
        'was carried onto ours line by line' % ', '.join(system.revisions))


def prepare(path, context, data=None):
    """Parse, extract, check and apply one review; nothing is run.

    ``data``: the review's bytes, already read (:mod:`inputs`); else it
    is read from ``path``.
    """
    report = model.ReviewReport(path=path)
    parsed, system = _read(path, data, context)
    report.claims_no_defects = parsed.claims_no_defects
    report.cwe_ids = tuple(parsed.cwe_ids)
    reviewed = identify.identify(parsed, context.references,
                                 quotes.named_version(parsed.text))
    if system is not None and system.revisions:
        reviewed = _anchored_version(system, context)
    report.reviewed_version, report.reviewed_why = reviewed.name, reviewed.why
    report.read_notes = list(parsed.notes)
    changes, found = extract.extract(parsed, context.references)
    if system is not None:
        report.comments = list(system.anchors)
        changes = list(system.changes) + list(changes)
        found = list(system.findings) + list(found)
    if len(changes) > MAX_CLAIMS:
        found = list(found) + [model.Finding(
            model.INPUT_ERROR, 'the review makes %d claims; only the first '
            '%d are read (a review may make at most %d)'
            % (len(changes), MAX_CLAIMS, MAX_CLAIMS))]
        changes = changes[:MAX_CLAIMS]
    found = list(found) + list(findings_mod.check_claims(
        parsed, changes, context.references, context.helper_names))
    report.findings = found
    if not changes:
        report.verdict, report.reason = verdict_mod.without_changes(
            found, parsed.claims_no_defects, parsed.errors)
        return report

    label = os.path.basename(path)
    combined = context.apply(changes, reviewed)
    report.changes = [model.ChangeReport(a.change, a.applied, a.reason)
                      for a in combined.applied]
    applied = [c for c in report.changes if c.applied]
    refused = _unapplied_unsafe(report.changes) if context.static_gate \
        else []
    if refused:
        # Code the review proposes is judged even where it could not be
        # applied here: nothing runs, and the review is flagged for it.
        report.findings.extend(refused)
        report.verdict, report.reason = verdict_mod.unsafe(
            {f.message for f in refused}, applied=False)
        for item in report.changes:
            item.version_key = None
        return report
    if not applied:
        report.verdict, report.reason = verdict_mod.none_applied(
            report.changes)
        return report

    versions = {}
    proposed = _version(combined, label)
    versions[proposed.key()] = proposed
    report.proposed_key = proposed.key()
    if len(applied) > MAX_SEPARATE:
        report.findings.append(model.Finding(
            model.INPUT_ERROR, '%d changes were applied; with more than %d '
            'they are judged together only, not one by one'
            % (len(applied), MAX_SEPARATE)))
        for item in applied:
            item.version_key = proposed.key()
    elif len(applied) > 1:
        for index, item in enumerate(report.changes):
            if not item.applied:
                continue
            alone = context.apply([item.change], reviewed)
            if alone.applied and alone.applied[0].applied:
                version = _version(alone, '%s#%d' % (label, index + 1))
                versions.setdefault(version.key(), version)
                item.version_key = version.key()
    else:
        applied[0].version_key = proposed.key()

    unsafe = []
    for version in versions.values():
        unsafe.extend(context.unsafe(version))
    if unsafe:
        seen = set()
        for finding in unsafe:
            if finding.message not in seen:
                seen.add(finding.message)
                report.findings.append(finding)
        report.verdict, report.reason = verdict_mod.unsafe(seen)
        for item in report.changes:
            item.version_key = None
        report.proposed_key = None
        return report
    report.versions = versions
    return report


def _unapplied_unsafe(items):
    """Static-gate findings for the code of changes that were not applied.

    Only code that parses on its own is judged (a fragment that does not
    parse is reported by the edit that refused it, not guessed at).
    """
    found = []
    for item in items:
        if item.applied:
            continue
        code = item.change.fields().get('code') or ''
        if item.change.kind in (model.TEST_DIFF, model.NOVA_DIFF):
            code = diffs.new_side(code)
        code = runs.source_text(textwrap.dedent(code))
        for piece in safety.pieces(code):
            found.extend(f for f in safety.check(piece, 'proposed code')
                         if f.kind == model.UNSAFE_CODE)
    return found


def _prepare_safely(path, context, data=None):
    try:
        return prepare(path, context, data)
    except Exception as exc:
        # A review must never take the others down with it.
        report = model.ReviewReport(path=path, verdict=verdict_mod.UNVERIFIED)
        report.reason = 'internal error while reading this review: %s: %s' % (
            type(exc).__name__, exc)
        report.findings.append(model.Finding(
            model.INPUT_ERROR, report.reason + '\n' +
            ''.join(traceback.format_exception_only(type(exc), exc))))
        return report


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
    for a test-only version, those :func:`matrix.still_caught` proves it
    still catches are known instead of run.
    """
    order = [m for m in mutants.RUN_ORDER if m in caught]
    known = {}
    if not version.overlay:
        for mutant, assertion in matrix_mod.still_caught(
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


def _prepared_key(path, context, data=None):
    """Content key of a review's preparation, or None if unreadable."""
    if data is None:
        try:
            data = inputs.collect([path]).reviews[0].data
        except (inputs.InputError, IndexError):
            return None
    digest = hashlib.sha256()
    for part in (data, context.test_source.encode(),
                 context.references.get('upstream', '').encode(),
                 context.fingerprint.encode(),
                 os.path.basename(path).encode()):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def prepare_cached(path, context, store=None, data=None):
    """prepare(), answered from ``store`` when it can be.

    A review is prepared once per distinct content: the same bytes, the
    same canonical test and the same nova and package versions.
    """
    key = _prepared_key(path, context, data) if store is not None else None
    if key is not None:
        stored = store.read(key)
        if stored is not None:
            try:
                return document.load_prepared(path, stored)
            except (KeyError, TypeError, ValueError):
                pass
    report = _prepare_safely(path, context, data)
    if key is not None and not any(f.kind == model.INPUT_ERROR and
                                   f.message.startswith('internal error')
                                   for f in report.findings):
        store.write(key, document.dump_prepared(report))
    return report


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
    context = Context(opts.static_gate, opts.reviewed)
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
    budget = pool_mod.Budget(owner_runs=opts.review_runs,
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
            reports.append(prepare_cached(review.shown, context, store,
                                          review.data))
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
