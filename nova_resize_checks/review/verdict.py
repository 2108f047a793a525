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


"""Verdicts for reviews, from run results.

A review's proposed version is the canonical test (and nova) with every
concrete change it claims applied.  It ``breaks`` when it does not pass
against real nova, ``weakens`` when it passes against a mutant that the
canonical test catches, and is ``ok`` otherwise.  ``unsafe`` reviews were
refused by the static gate and never run, or were stopped by the run's
confinement (a run whose outcome is ``refused``); ``no-fix`` reviews
claim no change; ``unverified`` reviews claim changes none of which could
be applied.
"""

from nova_resize_checks.review import model
from nova_resize_checks.runs import results as run_results

BREAKS = model.BREAKS
WEAKENS = model.WEAKENS
UNSAFE = model.UNSAFE
OK = model.OK
NO_FIX = model.NO_FIX
UNVERIFIED = model.UNVERIFIED

VERDICTS = (BREAKS, WEAKENS, UNSAFE, OK, NO_FIX, UNVERIFIED)
FLAGGED = model.FLAGGED_VERDICTS
# What each verdict means, for reports and the documentation.
MEANINGS = {
    BREAKS: 'the proposed version does not pass against real nova',
    WEAKENS: 'it passes against a mutant the canonical test catches',
    UNSAFE: 'its code reaches outside a test: refused by the static gate '
            '(never run) or stopped by the confinement of its run',
    OK: 'every applied change held',
    NO_FIX: 'the review proposes no concrete change',
    UNVERIFIED: 'it proposes changes, none of which could be applied',
}
# Outcome names are the run layer's (one definition, runs.results).
REAL = run_results.REAL
PASS = run_results.PASS
REFUSED = run_results.REFUSED
SHAM = run_results.SHAM
FAIL = run_results.FAIL
SKIPPED = run_results.SKIPPED


def without_changes(findings, claims_no_defects, errors, verdict_line=0):
    """(verdict, reason) of a review that proposes no change.

    ``unverified`` when it claims fixes none of which became a change,
    else ``no-fix``.  A review that says nothing needs changing keeps the
    sentences that merely read like requests (a walk-through's "must move
    the server") as findings, not claims; only those after the statement
    (on or after ``verdict_line``): reviews open with their verdict, and
    "No security issues identified." after a list of requests is the
    verdict of one section, not of the requests before it.
    """
    claims = [f for f in findings if f.kind == model.UNPARSED_CLAIM]
    if claims_no_defects:
        claims = [f for f in claims
                  if not f.message.startswith(model.PROSE_CLAIM) or (
                      f.span is not None and f.span.start < verdict_line)]
    if claims:
        return UNVERIFIED, ('the review claims %d fix(es) but none could be '
                            'turned into a change: %s'
                            % (len(claims), claims[0].message))
    if errors:
        return NO_FIX, 'the review could not be read: ' + '; '.join(errors)
    return NO_FIX, 'the review proposes no concrete change'


def none_applied(items):
    """(``unverified``, reason): changes were read, none could be made."""
    return UNVERIFIED, ('none of the %d proposed change(s) could be '
                        'applied: %s' % (len(items), '; '.join(
                            dict.fromkeys(item.reason for item in items))))


def unsafe(messages, applied=True):
    """(``unsafe``, reason): the static gate refused the proposed code."""
    return UNSAFE, ('not run: %s reaches outside a test: %s' % (
        'the proposed code' if applied else 'code the review proposes '
        '(which could not be applied here)', '; '.join(sorted(messages)[:3])))


def catches(variant, result):
    """Whether ``result`` (of mutant ``variant``) catches the mutant.

    Only a failing assertion of the test catches a mutant: not a pass, a
    timeout, an error or a failure outside the test's own lines.  For a
    mutant that gets placement wrong, the assertion must read placement
    (as tests/functional/test_mutants.py demands of the canonical test).
    A result known without running (an unchanged catching assertion)
    catches.
    """
    if result.known:
        return True
    if result.outcome != FAIL or not result.failing_line:
        return False
    from nova_resize_checks import mutants

    mutant = mutants.MUTANTS.get(variant)
    if mutant is not None and mutant.placement_wrong:
        return bool(result.allocation_assertion)
    return True


def over_budget(result):
    """(``unverified``, reason): a run the review needs was not made."""
    return UNVERIFIED, ('not every run this review needs could be made: '
                        '%s (%s)' % (result.evidence, result.variant))


def given_unapplied(verdict, reason, items, real):
    """(verdict, reason) once the changes left unapplied are weighed.

    A version that errors against real nova (a name never bound, say)
    while some of the review's changes could not be made may error
    because of what is missing (the other half of a rename): that is no
    proof the review breaks the test, so the verdict is ``unverified``
    with both facts.  An assertion that fails, or a review whose changes
    were all made, keeps its verdict.
    """
    missing = [item for item in items if not item.applied]
    if verdict != BREAKS or not missing or real is None or \
            real.outcome == FAIL:
        return verdict, reason
    return UNVERIFIED, (
        '%s; but %d of the %d proposed change(s) could not be applied '
        '(%s: %s), and the error may come from what is missing'
        % (reason, len(missing), len(items), missing[0].change.summary,
           missing[0].reason))


def refused(results):
    """(UNSAFE, reason) when a run was stopped by the confinement."""
    for variant in sorted(results):
        result = results[variant]
        if result.outcome == REFUSED:
            return UNSAFE, ('the proposed code reached outside a test and '
                            'its confinement stopped it (%s run): %s'
                            % (variant, result.evidence))
    return None


def _placement_wrong(variant):
    from nova_resize_checks import mutants

    mutant = mutants.MUTANTS.get(variant)
    return mutant is not None and mutant.placement_wrong


def caught_by(canonical_results):
    """Mutants the canonical test catches (does not pass against)."""
    return sorted(variant for variant, result in canonical_results.items()
                  if variant != REAL and result.outcome != PASS)


def _against_real(real):
    """(BREAKS, reason) unless ``real`` (the run against nova) passed."""
    if real is None:
        return BREAKS, 'the proposed version was not run against real nova'
    if real.outcome == PASS:
        return None
    where = (' at line %d (%s)' % (real.failing_line, real.failing_code)
             if real.failing_line else '')
    return BREAKS, ('the proposed version does not pass against real '
                    'nova: %s%s: %s' % (real.outcome, where, real.evidence))


def _against_sham(sham, real):
    """(UNSAFE, reason) when the sham run's outcome differs from real's."""
    if sham is None or sham.outcome == SKIPPED or \
            sham.outcome == real.outcome:
        return None
    return UNSAFE, ('the proposed version tells the mutant machinery '
                    'apart from nova: it passes against real nova but '
                    'gives %s against real nova passed through the '
                    'machinery unchanged (the sham run): %s'
                    % (sham.outcome, sham.evidence))


def _survivors(results, caught):
    """(escaped, uncaught): caught mutants the proposed version misses.

    ``escaped`` it passes against; ``uncaught`` it fails against, but not
    by an assertion that catches them (see ``catches``).
    """
    escaped = [m for m in caught
               if results.get(m) is not None and
               results[m].outcome == PASS]
    uncaught = [m for m in caught
                if results.get(m) is not None and m not in escaped and
                results[m].outcome != SKIPPED and
                not catches(m, results[m])]
    return escaped, uncaught


def _weakens(results, escaped, uncaught, describe):
    """(WEAKENS, reason) naming the mutants that survive."""
    parts = []
    if escaped:
        parts.append('passes against mutant%s %s'
                     % ('s' if len(escaped) > 1 else '',
                        ', '.join(escaped)))
    for m in uncaught:
        r = results[m]
        parts.append('does not catch mutant %s with an assertion%s '
                     '(%s: %s)' % (
                         m, ' reading placement'
                         if _placement_wrong(m) else '', r.outcome,
                         r.evidence[:200]))
    reason = ('the proposed version %s, which the canonical test '
              'catches' % '; '.join(parts))
    more = describe(escaped + uncaught) if describe else None
    return WEAKENS, reason + ('; ' + more if more else '')


def _holds(results, caught):
    """(OK, reason): every caught mutant is caught again."""
    known = [m for m in caught
             if results.get(m) is not None and results[m].known]
    return OK, ('the proposed version passes against real nova and fails '
                'against every mutant the canonical test catches (%s)%s'
                % (', '.join(caught),
                   '; known without running for %d of them: an unchanged '
                   'assertion catches them' % len(known) if known else ''))


def judge_runs(results, caught, describe=None):
    """(verdict, reason) for a proposed version's {variant: RunResult}.

    ``describe``: given the surviving mutants, a sentence on what catches
    them in the canonical test (or None), added to a ``weakens`` reason.
    The first of these that holds decides: a run stopped by confinement;
    the run against real nova not passing; the sham run differing from
    it; a caught mutant surviving; else ``ok``.
    """
    real = results.get(REAL)
    decided = (refused(results) or _against_real(real) or
               _against_sham(results.get(SHAM), real))
    if decided:
        return decided
    escaped, uncaught = _survivors(results, caught)
    if escaped or uncaught:
        return _weakens(results, escaped, uncaught, describe)
    return _holds(results, caught)
