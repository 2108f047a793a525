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


"""The skip rule: whether a version's remaining variants can matter.

A version that does not pass against real nova keeps its verdict whatever
a mutant does; with ``stop_at_survivor``, neither does one that already
survived a mutant.  The sham (real nova through the mutant machinery)
runs last, only for a version every mutant it ran against caught.
"""

from nova_resize_checks.runs import results

SKIP_REASON = ('not run: the version does not pass against real nova, so '
               'no mutant can change its verdict')
SURVIVOR_REASON = ('not run: the version already does not catch mutant %s '
                   '(no failing assertion), which decides its verdict')


def default_caught(variant, result):
    """Whether ``result`` catches mutant ``variant``: a failing assertion.

    A pass, a timeout or an error never catches a mutant.
    """
    return result.outcome == results.FAIL


def skip_rest(produced, variants, stop_at_survivor=False,
              caught=default_caught):
    """The skip rule, in one place.

    ``produced``: the results a version has so far ({variant:
    RunResult}).  Returns results for ``variants`` left unrun because they
    cannot change its verdict -- its real run did not pass, or (with
    ``stop_at_survivor``) a mutant it was run against was not ``caught``
    (see :func:`default_caught`) -- or None when they must run.
    """
    real = produced.get(results.REAL)
    if real is None:
        return None
    if real.outcome != results.PASS:
        reason = SKIP_REASON
    else:
        survivors = [variant for variant, result in produced.items()
                     if variant not in (results.REAL, results.SHAM) and
                     not result.known and
                     result.outcome != results.SKIPPED and
                     not caught(variant, result)]
        if not (stop_at_survivor and survivors):
            return None
        reason = SURVIVOR_REASON % survivors[0]
    return {variant: results.RunResult(variant=variant,
                                       outcome=results.SKIPPED,
                                       evidence=reason)
            for variant in variants
            if variant not in (results.REAL, results.SHAM)}


def wants_sham(produced, caught=default_caught):
    """Whether the sham runs next: every mutant run so far was ``caught``.

    ``produced``: the results a version has so far; only when it passed
    against real nova and has no result for the sham yet.
    """
    real = produced.get(results.REAL)
    ran = [v for v, r in produced.items()
           if v not in (results.REAL, results.SHAM) and not r.known
           and r.outcome != results.SKIPPED]
    return (results.SHAM not in produced and real is not None and
            real.outcome == results.PASS and ran and
            all(caught(v, produced[v]) for v in ran))
