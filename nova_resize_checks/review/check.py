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
several reviews run once.  The result is plain data; :mod:`report` renders.

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
import traceback

from nova_resize_checks import canonical
from nova_resize_checks import env
from nova_resize_checks import matrix as matrix_mod
from nova_resize_checks import mutants
from nova_resize_checks.review import diffs
from nova_resize_checks.review import edits
from nova_resize_checks.review import extract
from nova_resize_checks.review import findings as findings_mod
from nova_resize_checks.review import model
from nova_resize_checks.review import parse
from nova_resize_checks.review import safety
from nova_resize_checks.review import texts
from nova_resize_checks.review import verdict as verdict_mod
from nova_resize_checks.runs import cache as cache_mod
from nova_resize_checks.runs import pool as pool_mod
from nova_resize_checks.runs import results as runs

REVIEW_SUFFIXES = ('.txt', '.md', '.markdown', '.rst', '.review')
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


def collect(paths):
    """Review files named by ``paths`` (files, or directories of them).

    Returns (files, problems); a path that does not exist is a problem, not
    an exception.  Directories are walked in sorted order; only files with
    a review suffix are taken from them (sidecar files such as
    ``*.expect.json`` are skipped).
    """
    files, problems = [], []
    for path in paths:
        if os.path.isdir(path):
            found = []
            for root, dirs, names in os.walk(path):
                dirs.sort()
                for name in sorted(names):
                    if name.endswith(REVIEW_SUFFIXES):
                        found.append(os.path.join(root, name))
            if not found:
                problems.append('%s: no review files (%s) in this directory'
                                % (path, ', '.join(REVIEW_SUFFIXES)))
            files.extend(found)
        elif os.path.isfile(path):
            files.append(path)
        else:
            problems.append('%s: no such file or directory' % path)
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
        self.fingerprint = json.dumps(
            dict(env.versions(), static_gate=static_gate,
                 reviewed=hashlib.sha256(
                     (reviewed or '').encode()).hexdigest()
                 if reviewed is not None else None), sort_keys=True)
        # Memos: many reviews propose the same changes; editing and gating
        # depend only on the changes, so each distinct one is done once.
        self._applied = {}
        self._unsafe = {}

    def apply(self, changes):
        """edits.apply_changes on the canonical test, memoised."""
        key = tuple((c.kind, c.target, tuple(sorted(c.fields().items())))
                    for c in changes)
        if key not in self._applied:
            proposed = edits.apply_changes(self.test_source, changes,
                                           canonical.nova_reader)
            self._applied[key] = proposed
        cached = self._applied[key]
        # Re-attach this review's Change objects (spans differ).
        return model.ProposedVersion(
            cached.test_source, dict(cached.nova_overlay),
            [model.Applied(change, a.applied, a.reason)
             for change, a in zip(changes, cached.applied)])

    def unsafe(self, version):
        if not self.static_gate:
            return []
        key = version.key()
        if key not in self._unsafe:
            self._unsafe[key] = _unsafe(version)
        return self._unsafe[key]


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


def prepare(path, context):
    """Parse, extract, check and apply one review; nothing is run."""
    report = model.ReviewReport(path=path)
    parsed = parse.read_review(path)
    report.claims_no_defects = parsed.claims_no_defects
    report.cwe_ids = tuple(parsed.cwe_ids)
    changes, found = extract.extract(parsed, context.references)
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
        claims = [f for f in found if f.kind == model.UNPARSED_CLAIM]
        if parsed.claims_no_defects:
            # The review says nothing needs changing and proposes no code:
            # sentences that merely read like requests (a walk-through's
            # "must move the server") stay findings, not claims.
            claims = [f for f in claims if not f.message.startswith(
                extract.PROSE_CLAIM)]
        if claims:
            # It claims fixes, but none could be made into a change.
            report.verdict = verdict_mod.UNVERIFIED
            report.reason = ('the review claims %d fix(es) but none could '
                             'be turned into a change: %s' % (
                                 len(claims), claims[0].message))
        else:
            report.verdict = verdict_mod.NO_FIX
            report.reason = ('the review proposes no concrete change' if
                             not parsed.errors else 'the review could not '
                             'be read: ' + '; '.join(parsed.errors))
        return report

    label = os.path.basename(path)
    combined = context.apply(changes)
    report.changes = [model.ChangeReport(a.change, a.applied, a.reason)
                      for a in combined.applied]
    applied = [c for c in report.changes if c.applied]
    refused = _unapplied_unsafe(report.changes) if context.static_gate \
        else []
    if refused:
        # Code the review proposes is judged even where it could not be
        # applied here: nothing runs, and the review is flagged for it.
        report.findings.extend(refused)
        report.verdict = verdict_mod.UNSAFE
        report.reason = ('not run: code the review proposes (which could '
                         'not be applied here) reaches outside a test: %s'
                         % '; '.join(sorted({f.message for f in refused})
                                     [:3]))
        for item in report.changes:
            item.version_key = None
        return report
    if not applied:
        report.verdict = verdict_mod.UNVERIFIED
        report.reason = ('none of the %d proposed change(s) could be '
                         'applied: %s' % (len(changes), '; '.join(
                             c.reason for c in report.changes)))
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
            alone = context.apply([item.change])
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
        report.verdict = verdict_mod.UNSAFE
        report.reason = ('not run: the proposed code reaches outside a '
                         'test: %s' % '; '.join(sorted(seen)[:3]))
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
        if not code.strip() or texts.parse_python(code) is None:
            continue
        found.extend(f for f in safety.check(code, 'proposed code')
                     if f.kind == model.UNSAFE_CODE)
    return found


def _prepare_safely(path, context):
    try:
        return prepare(path, context)
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
        found[mutant] = runs.RunResult(variant=mutant, outcome=outcome,
                                       seconds=run['seconds'],
                                       evidence=evidence)
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


_PREPARED_FORMAT = 4


def _span(data):
    return model.Span(*data) if data else None


def _dump_prepared(report):
    """A prepared (not yet run) model.ReviewReport as JSON-able data."""
    return {
        'verdict': report.verdict, 'reason': report.reason,
        'claims_no_defects': report.claims_no_defects,
        'cwe_ids': list(report.cwe_ids),
        'changes': [{
            'change': dict(dataclasses.asdict(item.change),
                           kind=item.change.kind,
                           span=item.change.span.as_list()),
            'applied': item.applied, 'reason': item.reason,
            'version_key': item.version_key} for item in report.changes],
        'findings': [{'kind': f.kind, 'message': f.message,
                      'span': f.span.as_list() if f.span else None}
                     for f in report.findings],
        'proposed_key': report.proposed_key,
        'versions': {key: {'test_source': v.test_source,
                           'overlay': [list(pair) for pair in v.overlay],
                           'label': v.label}
                     for key, v in report.versions.items()},
    }


def _load_prepared(path, data):
    report = model.ReviewReport(path=path, verdict=data['verdict'],
                                reason=data['reason'],
                                claims_no_defects=data['claims_no_defects'],
                                cwe_ids=tuple(data['cwe_ids']),
                                proposed_key=data['proposed_key'])
    for item in data['changes']:
        fields = dict(item['change'], span=_span(item['change']['span']))
        report.changes.append(model.ChangeReport(
            model.change(**fields), item['applied'], item['reason'],
            item['version_key']))
    report.findings = [model.Finding(f['kind'], f['message'],
                                     _span(f['span']))
                       for f in data['findings']]
    report.versions = {
        key: runs.Version(v['test_source'],
                          tuple(tuple(p) for p in v['overlay']),
                          v['label'])
        for key, v in data['versions'].items()}
    if any(key != version.key() for key, version in report.versions.items()):
        raise ValueError('a stored version is not the one its key names')
    return report


def _prepared_key(path, context):
    """Content key of a review's preparation, or None if unreadable."""
    try:
        with open(path, 'rb') as f:
            data = f.read(parse.MAX_REVIEW_BYTES + 1)
    except OSError:
        return None
    digest = hashlib.sha256()
    for part in (data, context.test_source.encode(),
                 context.references.get('upstream', '').encode(),
                 context.fingerprint.encode(),
                 os.path.basename(path).encode()):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def prepare_cached(path, context, store=None):
    """prepare(), answered from ``store`` when it can be.

    A review is prepared once per distinct content: the same bytes, the
    same canonical test and the same nova and package versions.
    """
    key = _prepared_key(path, context) if store is not None else None
    if key is not None:
        data = store.read(key)
        if data is not None:
            try:
                return _load_prepared(path, data)
            except (KeyError, TypeError, ValueError):
                pass
    report = _prepare_safely(path, context)
    if key is not None and not any(f.kind == model.INPUT_ERROR and
                                   f.message.startswith('internal error')
                                   for f in report.findings):
        store.write(key, _dump_prepared(report))
    return report


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


def check(paths, jobs=None, timeout=None, use_cache=True, cache_dir=None,
          progress=None, static_gate=True, confined=True, reviewed=None,
          review_runs=REVIEW_RUNS, review_seconds=REVIEW_RUN_SECONDS,
          total_runs=INVOCATION_RUNS, total_seconds=INVOCATION_RUN_SECONDS):
    """Run the meta-check; returns (reports, summary).

    ``timeout`` bounds each run in seconds; None derives the bound from the
    canonical test's run times (see derived_timeout).  Runs are confined
    (:mod:`nova_resize_checks.runs.confinement`); when that is not possible
    here this raises ``confinement.Unavailable`` before anything runs,
    unless ``confined=False`` (the user's explicit ``--unconfined``).

    Budgets: a review may start at most ``review_runs`` runs and
    ``review_seconds`` of run time (a version shared by several reviews
    runs while one of them has budget left), the invocation at most
    ``total_runs`` and ``total_seconds``; None is no limit.  A review whose
    runs were cut by a budget is ``unverified`` (unless what did run
    already flags it), and the others still complete.
    """
    files, problems = collect(paths)
    context = Context(static_gate, reviewed)
    variants = [runs.REAL] + list(mutants.RUN_ORDER)
    store = None
    if use_cache:
        store = cache_mod.JsonStore(
            os.path.join(os.path.dirname(
                cache_dir or cache_mod.default_dir()), 'prepared'),
            _PREPARED_FORMAT)
    confinement = pool_mod.open_confinement(cache_dir) if confined else None
    given = budget_from_environment()
    review_runs = given.get('review_runs', review_runs)
    review_seconds = given.get('review_seconds', review_seconds)
    total_runs = given.get('total_runs', total_runs)
    total_seconds = given.get('total_seconds', total_seconds)
    budget = pool_mod.Budget(owner_runs=review_runs,
                             owner_seconds=review_seconds,
                             total_runs=total_runs,
                             total_seconds=total_seconds)
    runner = pool_mod.Pool(
        variants, confinement, jobs=jobs,
        timeout=timeout or pool_mod.DEFAULT_TIMEOUT, use_cache=use_cache,
        cache_dir=cache_dir, progress=progress, stop_at_survivor=True,
        caught=verdict_mod.catches, sham=True, budget=budget)
    with runner, concurrent.futures.ThreadPoolExecutor(2) as background:
        # The canonical test first: every verdict is relative to it, and
        # its run times give the bound for every other run.  It runs (and
        # its matrix is measured) while the reviews are read.
        canonical_future = background.submit(
            runner.run, [context.canonical],
            {context.canonical.key(): [runs.REAL]})
        matrix_future = background.submit(
            matrix_mod.compute, use_cache=use_cache, jobs=runner.jobs,
            directory=os.path.join(os.path.dirname(
                cache_dir or cache_mod.default_dir()), 'matrix'))
        reports = []
        for path in files:
            reports.append(prepare_cached(path, context, store))
            if progress:
                progress('prepared', path=path)
        real = canonical_future.result()[context.canonical.key()][runs.REAL]
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
        canonical_results = dict(_canonical_results(matrix), real=real)
        caught = verdict_mod.caught_by(canonical_results)
        if timeout is None:
            runner.timeout = derived_timeout(canonical_results)
        # A proposal that normalises to the canonical test (comments only,
        # say) is the canonical version: it is not run a second time.
        versions = [v for report in reports for v in report.versions.values()
                    if v.key() != context.canonical.key()]
        for index, report in enumerate(reports):
            for key in report.versions:
                budget.owners.setdefault(key, []).append(index)
        plan, known = {}, {}
        for version in versions:
            plan[version.key()], known[version.key()] = _plan(
                version, matrix, caught, context)
        results = runner.run(versions, plan, known)
    results[context.canonical.key()] = canonical_results
    for report in reports:
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
            report.verdict = verdict_mod.UNVERIFIED
            report.reason = ('not every run this review needs could be '
                             'made: %s (%s)' % (over.evidence, over.variant))
    summary = {
        'problems': problems,
        'canonical': {variant: result for variant, result in
                      canonical_results.items()},
        'caught_by_canonical': caught,
        'versions': len(results),
        'runs': runner.stats,
        'budget': {'review_runs': review_runs,
                   'review_seconds': review_seconds,
                   'total_runs': total_runs, 'total_seconds': total_seconds,
                   'spent_runs': budget.total[0],
                   'spent_seconds': round(budget.total[1], 1)},
        'timeout': runner.timeout,
        'static_gate': static_gate,
        'confinement': (confinement.description if confinement else
                        'none: run unconfined at the user\'s request '
                        '(--unconfined)'),
        'concurrency': env.concurrency(),
        'helper_notes': context.helper_notes,
    }
    return reports, summary
