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


"""Run versions against real and mutated nova: one fresh process each.

:class:`Pool` answers what it can from the cache, then runs every other
version in a worker of its own (:mod:`~nova_resize_checks.runs.worker`),
``jobs`` at a time, confined unless the caller asked for
``confinement=None`` explicitly.  A worker runs its version's variants in
order, real nova first, and stops when nothing it could still run can
change the version's verdict (the skip rule, :func:`skip_rest`): after a
failing real run (no mutant can change the verdict of a version that
already fails against real nova) and, when the caller asks for it, after
the first mutant the version survives (one survivor decides).  The caller
may name, per version, the variants to run and results it already knows
without running (see :meth:`Pool.run`).

Every variant gets a :class:`~nova_resize_checks.runs.results.RunResult`:
``pass``, ``fail``, ``error``, ``timeout``, ``limit``, ``refused`` (the
confinement stopped something the run attempted) or ``skipped``; a result
the caller knew is passed through as given (``known`` set).  Only the
parent writes the cache, and only results of confined, complete runs
that the user did not interrupt.

A version's runs are one work unit with a lock in the cache
(:meth:`Cache.lock`): a second invocation on the same cache that needs a
version another is running waits for it and takes its results from the
cache, running only what is still missing.
"""

import concurrent.futures
import hashlib
import json
import os
import signal
import sys
import tempfile
import threading
import time

from nova_resize_checks import children
from nova_resize_checks import env
from nova_resize_checks.runs import cache as cache_mod
from nova_resize_checks.runs import confinement as confinement_mod
from nova_resize_checks.runs import failure
from nova_resize_checks.runs import guard
from nova_resize_checks.runs import protocol
from nova_resize_checks.runs import results
from nova_resize_checks.runs import watch

DEFAULT_TIMEOUT = 180.0     # seconds per variant run
# Bound on a run derived from the canonical test: this many times its
# slowest run, never less than the floor (seconds).
TIMEOUT_FACTOR = 4.0
TIMEOUT_FLOOR = 60.0
STARTUP_ALLOWANCE = 60.0    # importing nova in a new worker (~2 s)
SKIP_REASON = ('not run: the version does not pass against real nova, so '
               'no mutant can change its verdict')
SURVIVOR_REASON = ('not run: the version already passes against mutant %s, '
                   'which decides its verdict')
CASE_DIR = '/tmp/case'      # where a confined worker sees its version
_SIGNALS = {-signal.SIGXCPU: 'CPU time', -signal.SIGXFSZ: 'file size',
            128 + signal.SIGXCPU: 'CPU time',
            128 + signal.SIGXFSZ: 'file size'}
_SIGSYS = (-signal.SIGSYS, 128 + signal.SIGSYS)


def skip_rest(produced, variants, stop_at_survivor=False):
    """The skip rule, in one place.

    ``produced``: the results a version has so far ({variant:
    RunResult}).  Returns results for ``variants`` left unrun because they
    cannot change its verdict -- its real run did not pass, or (with
    ``stop_at_survivor``) it passed against a mutant it was run against --
    or None when they must run.
    """
    real = produced.get(results.REAL)
    if real is None:
        return None
    if real.outcome != results.PASS:
        reason = SKIP_REASON
    else:
        survivors = [variant for variant, result in produced.items()
                     if variant != results.REAL and not result.known and
                     result.outcome == results.PASS]
        if not (stop_at_survivor and survivors):
            return None
        reason = SURVIVOR_REASON % survivors[0]
    return {variant: results.RunResult(variant=variant,
                                       outcome=results.SKIPPED,
                                       evidence=reason)
            for variant in variants if variant != results.REAL}


def _module_name(path):
    """'nova/compute/manager.py' -> 'nova.compute.manager'."""
    name = path[:-3] if path.endswith('.py') else path
    return name.replace('/', '.')


class Pool(object):
    """Run versions against variants; see the module docstring.

    ``confinement``: a :class:`confinement.Confinement` (see
    :func:`confinement.probe`), or None to run unconfined, which the caller
    must have been told to ask for explicitly.
    """

    def __init__(self, variants, confinement, jobs=None,
                 timeout=DEFAULT_TIMEOUT, cache_dir=None, use_cache=True,
                 progress=None, python=None, skip_mutants=True,
                 stop_at_survivor=False):
        self.variants = list(variants)
        self.confinement = confinement
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.timeout = float(timeout)
        # An unconfined run could write the cache: nothing is stored then.
        self.cache = cache_mod.Cache(cache_dir or cache_mod.default_dir()) \
            if use_cache else None
        self.write_cache = confinement is not None
        self.progress = progress or (lambda event, **kw: None)
        self.python = python or sys.executable
        self.skip_mutants = skip_mutants
        self.stop_at_survivor = stop_at_survivor
        self.startup_allowance = STARTUP_ALLOWANCE
        self._fingerprint = json.dumps(
            dict(env.versions(), concurrency=env.concurrency()),
            sort_keys=True)
        self.stats = {'runs': 0, 'cached': 0, 'workers': 0,
                      'run_seconds': 0.0, 'worker_seconds': 0.0}
        # {version key: (start, stop)}: wall-clock times (time.time()) of
        # each version's work unit, waiting for its lock included.
        self.times = {}
        self._lock = threading.Lock()

    def close(self):
        if self.confinement is not None:
            self.confinement.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _key(self, version_key, variant):
        return hashlib.sha256(json.dumps(
            [version_key, variant, self._fingerprint, cache_mod.FORMAT]
        ).encode()).hexdigest()

    def run(self, versions, variants=None, known=None):
        """Return {version.key(): {variant: RunResult}} for all versions.

        ``variants``: {version key: [variant, ...]}, the variants to run
        for that version, in order (default: the pool's).  ``known``:
        {version key: {variant: RunResult}}, results the caller already
        knows without running; they are passed through and never cached.
        """
        variants = variants or {}
        known = known or {}
        unique = {}
        for version in versions:
            unique.setdefault(version.key(), version)
        found = {key: dict(known.get(key, {})) for key in unique}
        todo = []
        for key, version in unique.items():
            missing = []
            for variant in variants.get(key, self.variants):
                if variant in found[key]:
                    continue
                cached = self.cache.get(self._key(key, variant)) \
                    if self.cache else None
                if cached is not None:
                    found[key][variant] = cached
                    self.stats['cached'] += 1
                else:
                    missing.append(variant)
            skipped = skip_rest(found[key], missing,
                                self.stop_at_survivor) \
                if self.skip_mutants else None
            if skipped is not None:
                found[key].update(skipped)
                missing = []
            if missing:
                todo.append((key, version, missing))
        self.progress('plan', total=sum(len(m) for _, _, m in todo),
                      cached=self.stats['cached'])
        # Big versions (most variants) first, so the tail is short.
        todo.sort(key=lambda item: -len(item[2]))
        with concurrent.futures.ThreadPoolExecutor(self.jobs) as pool:
            futures = {pool.submit(self._unit, key, version, missing,
                                   dict(found[key])): key
                       for key, version, missing in todo}
            try:
                for future in concurrent.futures.as_completed(futures):
                    found[futures[future]].update(future.result())
            except BaseException:
                # Interrupted: start nothing more (the running workers
                # are being killed by children.cancel()).
                pool.shutdown(wait=False, cancel_futures=True)
                raise
        return found

    def _unit(self, key, version, variants, prior):
        """A version's work unit under its lock; {variant: RunResult}.

        Another invocation may have run some of ``variants`` since
        :meth:`run` looked at the cache (while this one waited for the
        lock, or just before): those come from the cache, and only the
        rest run.
        """
        start = time.time()
        lock = self.cache.lock(self._key(key, 'lock'), children.cancelled) \
            if self.cache and self.write_cache else None
        try:
            got = {}
            if lock is not None:
                # Another invocation may have finished this unit since
                # run() looked, whether or not this one had to wait.
                for variant in variants:
                    cached = self.cache.get(self._key(key, variant))
                    if cached is not None:
                        got[variant] = cached
                if got:
                    with self._lock:
                        self.stats['cached'] += len(got)
                    self.progress('cached', count=len(got))
            remaining = [v for v in variants if v not in got]
            skipped = skip_rest(dict(prior, **got), remaining,
                                self.stop_at_survivor) \
                if self.skip_mutants and remaining else None
            if skipped:
                got.update(skipped)
                self.progress('skipped', count=len(skipped))
                remaining = []
            if remaining:
                got.update(self._run_one(key, version, remaining,
                                         dict(prior, **got)))
            return got
        finally:
            if lock is not None:
                lock.release()
            with self._lock:
                self.times[key] = (start, time.time())

    def _run_one(self, key, version, variants, prior=None):
        """One fresh worker for one version; returns {variant: RunResult}."""
        with tempfile.TemporaryDirectory(prefix='nrc-case-') as case:
            os.chmod(case, 0o755)
            module = 'nrc_version_%s' % key[:16]
            with open(os.path.join(case, module + '.py'), 'w') as f:
                f.write(version.test_source)
            inside = CASE_DIR if self.confinement else case
            argv = [self.python, '-m', 'nova_resize_checks.runs.worker',
                    '--dir', inside, '--module', module,
                    '--timeout', str(self.timeout)]
            for index, (path, text) in enumerate(version.overlay):
                name = 'overlay_%d.py' % index
                with open(os.path.join(case, name), 'w') as f:
                    f.write(text)
                argv += ['--overlay', '%s=%s' % (_module_name(path),
                                                 os.path.join(inside, name))]
            for variant in variants:
                argv += ['--variant', variant]
            if self.skip_mutants:
                argv.append('--stop-on-real-failure')
            if self.stop_at_survivor:
                argv.append('--stop-at-survivor')
            for name in os.listdir(case):
                os.chmod(os.path.join(case, name), 0o644)
            allowance = self.timeout + self.startup_allowance
            deadline = self.startup_allowance + (
                self.timeout + 30) * len(variants)
            if self.confinement is not None:
                cmd = self.confinement.command(
                    argv, read_only=[(case, CASE_DIR)])
                finished = watch.run(
                    cmd, allowance, deadline,
                    pass_fds=self.confinement.pass_fds(),
                    preexec_fn=self._limits(deadline))
            else:
                argv.append('--unconfined')
                os.makedirs(os.path.join(case, 'home'), exist_ok=True)
                run_env = confinement_mod.environment(case)
                run_env['PYTHONPATH'] = os.pathsep.join(
                    p for p in sys.path if p)
                finished = watch.run(argv, allowance, deadline,
                                     env=run_env, cwd=case)
        with self._lock:
            self.stats['workers'] += 1
            self.stats['worker_seconds'] += finished.seconds
        return self._fold(key, version, module, variants, finished,
                          prior or {})

    def _limits(self, deadline):
        confinement = self.confinement

        def limits():
            confinement.limits()
            import resource

            cpu = int(2 * deadline) + 60
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
        return limits

    def _fold(self, key, version, module, variants, finished, prior=None):
        stream = protocol.read(finished.data)
        produced = {}
        complete = True
        for variant in variants:
            records = stream.tests.get(variant)
            if variant in stream.done and records is not None:
                fields = failure.fold(records, module + '.py',
                                      version.test_source)
                produced[variant] = results.RunResult(
                    variant=variant, seconds=round(stream.done[variant], 3),
                    **fields)
            elif variant in stream.started or not produced:
                produced[variant] = self._cut_short(variant, stream,
                                                    finished)
                complete = False
                break
            else:
                break
        if stream.attempts:
            complete = False
            for result in produced.values():
                if result.outcome != results.SKIPPED:
                    result.outcome = results.REFUSED
                    attempts = list(dict.fromkeys(stream.attempts))
                    result.attempts = attempts
                    result.evidence = 'confinement refused: %s' % (
                        '; '.join(attempts[:3]))
        for variant in variants:
            if variant in produced:
                continue
            skipped = skip_rest(dict(prior or {}, **produced), [variant],
                                self.stop_at_survivor)
            if skipped:
                produced.update(skipped)
            else:
                produced[variant] = results.RunResult(
                    variant=variant, outcome=results.ERROR,
                    evidence='not run: the worker ended before this '
                             'variant')
        skipped = 0
        for variant, result in produced.items():
            if result.outcome == results.SKIPPED:
                skipped += 1
                continue
            with self._lock:
                self.stats['runs'] += 1
                self.stats['run_seconds'] += result.seconds
            if complete and self.cache and self.write_cache and \
                    result.outcome != results.REFUSED and \
                    not children.cancelled():
                self.cache.put(self._key(key, variant), result)
            self.progress('done', version=version.label or key[:12],
                          variant=variant, outcome=result.outcome,
                          seconds=result.seconds)
        if skipped:
            self.progress('skipped', count=skipped)
        return produced

    def _cut_short(self, variant, stream, finished):
        """The result of the variant a worker was running when it ended."""
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
                evidence='killed after no progress for %.0fs'
                         % (self.timeout + self.startup_allowance))
        if code in _SIGSYS and self.confinement is not None:
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
        why = 'the worker died (exit status %s) during this run' % code
        if stream.unreadable:
            why += '; ' + stream.unreadable
        if tail and ('MemoryError' in tail[-1] or 'bwrap:' in tail[-1]):
            why += ': %s' % tail[-1][:300]
        outcome = results.LIMIT if tail and 'MemoryError' in tail[-1] \
            else results.ERROR
        return results.RunResult(variant=variant, outcome=outcome,
                                 evidence=why)


def open_confinement(cache_dir=None):
    """Probe confinement, hiding the cache.

    Raises confinement.Unavailable.
    """
    cache_dir = cache_dir or cache_mod.default_dir()
    try:
        os.makedirs(cache_dir, exist_ok=True)
    except OSError:
        pass
    return confinement_mod.probe(hide=[os.path.dirname(cache_dir)])
