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


"""One run's result, folded from its reporter's stream and how it ended.

The reporter's records decide for a run it ended cleanly; otherwise the
kernel's word (a signal, the time bound, a flood of output) does, and a
refusal the reporter forwarded decides whatever came after it.
"""

import signal

from nova_resize_checks.runs import failure
from nova_resize_checks.runs import guard
from nova_resize_checks.runs import protocol
from nova_resize_checks.runs import results
from nova_resize_checks.runs import watch

_SIGNALS = {-signal.SIGXCPU: 'CPU time', -signal.SIGXFSZ: 'file size',
            128 + signal.SIGXCPU: 'CPU time',
            128 + signal.SIGXFSZ: 'file size'}
_SIGSYS = (-signal.SIGSYS, 128 + signal.SIGSYS)


def fold(variant, module, version, finished, confined, bound):
    """(RunResult, complete) from a reporter's stream and its end.

    Complete (cacheable) only when the reporter forwarded the records
    of a clean run and nothing was refused, and the run was ``confined``.
    ``bound``: the seconds without progress after which it was killed.
    """
    stream = protocol.read(finished.data)
    attempts = list(dict.fromkeys(stream.attempts))
    if variant in stream.done and variant in stream.tests and \
            not stream.unreadable and not stream.ended:
        fields = failure.fold(stream.tests[variant], module + '.py',
                              version.test_source)
        result = results.RunResult(
            variant=variant, seconds=round(stream.done[variant], 3),
            **fields)
        complete = True
    elif variant in stream.ended:
        outcome, evidence, seconds = stream.ended[variant]
        if outcome not in results.OUTCOMES or outcome in (
                results.PASS, results.SKIPPED):
            outcome = results.ERROR
        result = results.RunResult(variant=variant, outcome=outcome,
                                   seconds=round(seconds, 3),
                                   evidence=evidence[:1000])
        if outcome == results.REFUSED:
            result.attempts = [evidence]
        complete = False
    else:
        result = cut_short(variant, stream, finished, confined, bound)
        complete = False
    if attempts:
        # A refusal the reporter forwarded decides, whatever the run
        # reported after it.
        result.outcome = results.REFUSED
        result.attempts = attempts + [a for a in result.attempts
                                      if a not in attempts]
        result.evidence = 'confinement refused: %s' % (
            '; '.join(attempts[:3]))
        complete = False
    if not confined:
        complete = False
    return result, complete


def cut_short(variant, stream, finished, confined, bound):
    """The result of a run whose reporter did not end it.

    ``confined`` and ``bound`` as for :func:`fold`.
    """
    code = finished.returncode
    if stream.environment_error:
        return results.RunResult(
            variant=variant, outcome=results.ERROR,
            evidence='environment: %s' % stream.environment_error[:500])
    if finished.flooded:
        return results.RunResult(
            variant=variant, outcome=results.LIMIT,
            evidence='the run wrote more than %d MiB of results'
                     % (watch.MAX_RESULT_BYTES // 1024 ** 2))
    if finished.timed_out:
        return results.RunResult(
            variant=variant, outcome=results.TIMEOUT,
            evidence='killed after no progress for %.0fs' % bound)
    if code in _SIGSYS and confined:
        return results.RunResult(
            variant=variant, outcome=results.REFUSED,
            evidence=guard.SIGSYS_EVIDENCE,
            attempts=[guard.SIGSYS_EVIDENCE])
    if code in _SIGNALS:
        return results.RunResult(
            variant=variant, outcome=results.LIMIT,
            evidence='the run was stopped by a resource limit (%s)'
                     % _SIGNALS[code])
    tail = [line for line in finished.stderr.splitlines()
            if line.strip()]
    why = 'the run ended (exit status %s) without a result' % code
    if stream.unreadable:
        why += '; ' + stream.unreadable
    if tail and 'bwrap:' in tail[-1]:
        why += ': %s' % tail[-1][:300]
    return results.RunResult(variant=variant, outcome=results.ERROR,
                             evidence=why)
