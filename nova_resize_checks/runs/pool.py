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
change the version's verdict (the skip rule,
:func:`~nova_resize_checks.runs.skip.skip_rest`): after a failing real run
(no mutant can change the verdict of a version that already fails against
real nova) and, when the caller asks for it, after the first mutant the
version survives (one survivor decides).  The caller may name, per
version, the variants to run and results it already knows without running
(see :meth:`Pool.run`).

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
import sys
import tempfile
import threading
import time

from nova_resize_checks import children
from nova_resize_checks import env
from nova_resize_checks.runs import budget as budget_mod
from nova_resize_checks.runs import cache as cache_mod
from nova_resize_checks.runs import confinement as confinement_mod
from nova_resize_checks.runs import filesystem
from nova_resize_checks.runs import folding
from nova_resize_checks.runs import results
from nova_resize_checks.runs import skip
from nova_resize_checks.runs import watch

DEFAULT_TIMEOUT = 180.0     # seconds per variant run
# Bound on a run derived from the canonical test: this many times its
# slowest run, never less than the floor (seconds).
TIMEOUT_FACTOR = 4.0
TIMEOUT_FLOOR = 60.0
STARTUP_ALLOWANCE = 60.0    # importing nova in a new worker (~2 s)
CASE_DIR = '/tmp/case'      # where a confined worker sees its version


def _module_name(path):
    """'nova/compute/manager.py' -> 'nova.compute.manager'."""
    name = path[:-3] if path.endswith('.py') else path
    return name.replace('/', '.')


def _not_run(variants, outcome, why, **fields):
    """{variant: RunResult} for ``variants`` left unrun, and ``why``."""
    return {variant: results.RunResult(variant=variant, outcome=outcome,
                                       evidence='not run: %s' % why,
                                       **fields)
            for variant in variants}


class Pool(object):
    """Run versions against variants; see the module docstring.

    ``confinement``: a :class:`confinement.Confinement` (see
    :func:`confinement.probe`), or None to run unconfined, which the caller
    must have been told to ask for explicitly.
    """

    def __init__(self, variants, confinement, jobs=None,
                 timeout=DEFAULT_TIMEOUT, cache_dir=None, use_cache=True,
                 progress=None, python=None, skip_mutants=True,
                 stop_at_survivor=False, caught=None, sham=False,
                 budget=None):
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
        # Whether a mutant's result catches it (see skip.default_caught).
        self.caught = caught or skip.default_caught
        # Run the sham after the mutants of a version they all caught.
        self.sham = sham
        self.budget = budget or budget_mod.Budget()
        self.startup_allowance = STARTUP_ALLOWANCE
        self._fingerprint = json.dumps(
            dict(env.versions(), concurrency=env.concurrency(),
                 code=env.code_digest()), sort_keys=True)
        self.stats = {'runs': 0, 'cached': 0, 'workers': 0,
                      'run_seconds': 0.0, 'worker_seconds': 0.0}
        self._lock = threading.Lock()
        # {version key: (start, stop)}: wall-clock times (time.time()) of
        # each version's work unit, waiting for its lock included.
        self.times = {}

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
            missing = self._missing(key, variants.get(key, self.variants),
                                    found[key])
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

    def _missing(self, key, wanted, found):
        """The variants of version ``key`` still to run, of ``wanted``.

        ``found``: the version's results so far; what the cache has and
        what the skip rule decides without a run are added to it.
        """
        missing = []
        for variant in wanted:
            if variant in found:
                continue
            cached = self._cached(key, variant)
            if cached is not None:
                found[variant] = cached
                self.stats['cached'] += 1
            else:
                missing.append(variant)
        skipped = self._skip_rest(found, missing)
        if skipped is not None:
            found.update(skipped)
            missing = []
        if self.sham and not missing:
            cached = self._cached(key, results.SHAM)
            if cached is not None:
                found[results.SHAM] = cached
            elif skip.wants_sham(found, self.caught):
                missing = [results.SHAM]
        return missing

    def _cached(self, key, variant):
        """The cache's result for ``variant`` of version ``key``, or None."""
        return self.cache.get(self._key(key, variant)) \
            if self.cache else None

    def _skip_rest(self, produced, variants):
        """The skip rule with this pool's settings (None: they run)."""
        return skip.skip_rest(produced, variants, self.stop_at_survivor,
                              self.caught) if self.skip_mutants else None

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
            skipped = self._skip_rest(dict(prior, **got), remaining) \
                if remaining else None
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
        """Run a version's variants, one fresh sandbox each, in order.

        Returns {variant: RunResult}.  Each variant runs in its own
        confined reporter and test process (see
        :mod:`~nova_resize_checks.runs.worker`): nothing one run leaves
        behind reaches the next, and every run starts the same way, so
        nothing inside tells a run which variant it is or how many came
        before.  Between runs the skip rule decides whether the rest can
        matter; the sham (real nova through the mutant machinery) runs
        last, when the version was caught by every mutant it ran against.
        """
        produced = dict(prior or {})
        runnable = version.runnable()
        if runnable is not None:
            produced.update(_not_run(variants, results.ERROR, runnable))
            return produced
        files, overlay, job = self._case(key, version)
        todo = list(variants)
        while todo:
            refused = self.budget.refuse(key)
            if refused is not None:
                produced.update(_not_run(todo, results.SKIPPED, refused,
                                         over_budget=True))
                break
            variant = todo.pop(0)
            produced[variant] = self._run_confirmed(
                key, version, files, overlay, job, variant)
            self.progress('done', version=version.label or key[:12],
                          variant=variant, outcome=produced[variant].outcome,
                          seconds=produced[variant].seconds)
            skipped = self._skip_rest(produced, todo)
            if skipped:
                produced.update(skipped)
                self.progress('skipped', count=len(skipped))
                break
            if not todo and self.sham and skip.wants_sham(produced,
                                                          self.caught):
                todo.append(results.SHAM)
        return produced

    def _case(self, key, version):
        """(files, overlay, job) that every run of a version shares.

        ``files``: (name, text) to write, the test module first; ``overlay``:
        (nova module, file name) pairs; ``job``: what the worker is told,
        but for the variant.
        """
        module = 'nrc_version_%s' % key[:16]
        files = [(module + '.py', version.test_source)]
        overlay = []
        for index, (path, text) in enumerate(version.overlay):
            name = 'overlay_%d.py' % index
            files.append((name, text))
            overlay.append((_module_name(path), name))
        job = {'module': module, 'timeout': self.timeout,
               'startup': self.startup_allowance,
               'unconfined': self.confinement is None}
        return files, overlay, job

    def _run_confirmed(self, key, version, files, overlay, job, variant):
        """``variant``'s RunResult; a doubtful failure of real nova reruns.

        The rerun, when the budget allows it, decides.
        """
        result = self._run_variant(
            key, version, files, overlay, dict(job, variant=variant))
        if variant == results.REAL and result.failed_outside and \
                self.budget.refuse(key) is None:
            # Real nova failed, but not in the version's own code: an
            # assertion of nova's test machinery, a thread's race in
            # a fixture.  One more run tells that apart from the
            # version's failing (which fails again).
            again = self._run_variant(
                key, version, files, overlay, dict(job, variant=variant))
            if again.outcome != results.PASS:
                again.evidence = '%s (ran twice; the first run failed ' \
                    'outside the test\'s own code too: %s)' % (
                        again.evidence, result.evidence[:200])
            result = again
        return result

    def _run_variant(self, key, version, files, overlay, job):
        """One fresh sandbox for one variant; returns its RunResult.

        Every run gets its files written afresh (and dated the epoch), so
        that nothing it sees is older than the run itself.
        """
        with tempfile.TemporaryDirectory(prefix='nrc-run-') as scratch:
            os.chmod(scratch, 0o755)
            case = os.path.join(scratch, 'case')
            os.mkdir(case)
            inside = CASE_DIR if self.confinement else case
            for name, text in files:
                target = os.path.join(case, name)
                with open(target, 'wb') as f:
                    f.write(results.run_bytes(text))
                os.chmod(target, 0o644)
                os.utime(target, (0, 0))
            os.chmod(case, 0o755)
            os.utime(case, (0, 0))
            job = dict(job, file=os.path.join(inside, files[0][0]),
                       overlay=[[name, os.path.join(inside, filename)]
                                for name, filename in overlay])
            return self._run_sandbox(key, version, case, scratch, job)

    def _run_sandbox(self, key, version, case, scratch, job):
        variant = job['variant']
        module = job['module']
        argv = [self.python, '-m', 'nova_resize_checks.runs.worker']
        stdin = json.dumps(job).encode('utf-8')
        allowance = self.timeout + self.startup_allowance + 30
        deadline = allowance + 30
        cgroup = None
        if self.confinement is not None:
            cgroup = self.confinement.new_cgroup()
            cmd = self.confinement.command(
                argv, read_only=[(case, CASE_DIR)],
                etc_dir=filesystem.write_etc(
                    os.path.join(scratch, 'etc')))
            finished = watch.run(
                cmd, allowance, deadline, stdin_data=stdin,
                env=dict(confinement_mod.LAUNCHER_ENV),
                pass_fds=self.confinement.pass_fds(),
                preexec_fn=self._limits(deadline, cgroup))
        else:
            os.makedirs(os.path.join(case, 'home'), exist_ok=True)
            run_env = confinement_mod.environment(case)
            run_env['PYTHONPATH'] = os.pathsep.join(
                p for p in sys.path if p)
            finished = watch.run(argv, allowance, deadline, env=run_env,
                                 cwd=case, stdin_data=stdin)
        if cgroup is not None:
            cgroup.remove()
        with self._lock:
            self.stats['workers'] += 1
            self.stats['worker_seconds'] += finished.seconds
        result, complete = self._fold(variant, module, version, finished)
        self.budget.charge(key, finished.seconds)
        with self._lock:
            self.stats['runs'] += 1
            self.stats['run_seconds'] += result.seconds
        if complete and self.cache and self.write_cache and \
                not children.cancelled():
            self.cache.put(self._key(key, variant), result)
        return result

    def _limits(self, deadline, cgroup=None):
        confinement = self.confinement

        def limits():
            if cgroup is not None:
                cgroup.enter()
            confinement.limits()
            import resource

            cpu = int(2 * deadline) + 60
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
        return limits

    def _fold(self, variant, module, version, finished):
        """(RunResult, complete) from a reporter's stream and its end.

        See :func:`~nova_resize_checks.runs.folding.fold`.
        """
        return folding.fold(variant, module, version, finished,
                            confined=self.confinement is not None,
                            bound=self.timeout + self.startup_allowance)


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
