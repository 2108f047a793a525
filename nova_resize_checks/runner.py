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


"""The one runner: run test versions against real and mutated nova.

A *version* is a test file's source plus an optional overlay of nova files.
The runner deduplicates versions by normalised code, answers from an
on-disk cache keyed by content where it can, and runs the rest in parallel
child processes (``nova_resize_checks.child``), one per version, each
running every variant that is still needed with nova imported once.

Every run gets an outcome: ``pass``, ``fail``, ``error`` or ``timeout``, and
for anything but ``pass`` the evidence: the first failing test, its
traceback's last line and, when the failing line is in the test file, that
line and whether it is a placement assertion.
"""

import concurrent.futures
import dataclasses
import functools
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import typing

from nova_resize_checks import assertions
from nova_resize_checks import env
from nova_resize_checks import sandbox

REAL = 'real'
PASS = 'pass'
FAIL = 'fail'
ERROR = 'error'
TIMEOUT = 'timeout'
# Not run because it cannot matter: the version already fails against real
# nova, so no mutant run can change its verdict.
SKIPPED = 'skipped'
# The run tripped a resource limit of the sandbox (memory, file size, CPU).
LIMIT = 'limit'
OUTCOMES = (PASS, FAIL, ERROR, TIMEOUT, LIMIT, SKIPPED)
_LIMIT_SIGNALS = (-signal.SIGXCPU, -signal.SIGXFSZ)
_UUID = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
                   r'[0-9a-f]{12}')
_LIMIT_MARKERS = re.compile(r'^(MemoryError|OSError: \[Errno 27\] File too '
                            r'large)', re.M)
_SKIP_REASON = ('not run: the version does not pass against real nova, so '
                'no mutant can change its verdict')

DEFAULT_TIMEOUT = 180.0     # seconds per variant run
# Bound on a run derived from the canonical test: this many times its
# slowest run, never less than the floor (seconds).
TIMEOUT_FACTOR = 4.0
TIMEOUT_FLOOR = 60.0
_STARTUP_ALLOWANCE = 120.0  # importing nova in the child, per child
_CACHE_FORMAT = 4


@dataclasses.dataclass(frozen=True)
class Version:
    """A test source and the nova files it runs with."""
    test_source: str
    overlay: typing.Tuple[typing.Tuple[str, str], ...] = ()
    label: str = ''

    def normalized(self):
        return _normalized(self.test_source, self.overlay)

    # The key when already known (e.g. from the prepared-review cache), so
    # that large overlays need not be normalised again.
    known_key: str = dataclasses.field(default='', compare=False)

    def key(self):
        return self.known_key or _version_key(self.test_source, self.overlay)


@functools.lru_cache(maxsize=4096)
def _normalized(test_source, overlay):
    from nova_resize_checks.review import edits

    return json.dumps({
        'test': edits.normalize(test_source),
        'overlay': [[path, edits.normalize(text)]
                    for path, text in sorted(overlay)],
    }, sort_keys=True)


@functools.lru_cache(maxsize=4096)
def _version_key(test_source, overlay):
    return hashlib.sha256(
        _normalized(test_source, overlay).encode()).hexdigest()


@dataclasses.dataclass
class RunResult:
    variant: str
    outcome: str
    seconds: float = 0.0
    evidence: str = ''            # first failing assertion's message
    failing_test: str = ''
    failing_line: int = 0
    failing_code: str = ''
    allocation_assertion: bool = False
    cached: bool = False

    def to_dict(self):
        return dataclasses.asdict(self)


def default_cache_dir():
    base = os.environ.get('XDG_CACHE_HOME') or os.path.join(
        os.path.expanduser('~'), '.cache')
    return os.path.join(base, 'nova-resize-checks', 'runs')


class JsonStore(object):
    """JSON documents on disk, one file per key.

    Writes go to a temporary file in the same directory and are renamed
    into place, so readers never see half an entry; unreadable entries are
    ignored, and an entry is only returned for the key it was written for.
    """

    def __init__(self, directory, fmt=_CACHE_FORMAT):
        self.directory = directory
        self.format = fmt

    def _path(self, key):
        return os.path.join(self.directory, key[:2], key + '.json')

    def read(self, key):
        try:
            with open(self._path(key)) as f:
                data = json.load(f)
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get(
                'format') != self.format or data.get('key') != key:
            return None
        return data.get('payload')

    def write(self, key, payload):
        path = self._path(key)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path),
                                       suffix='.tmp')
            try:
                with os.fdopen(fd, 'w') as f:
                    json.dump({'format': self.format, 'key': key,
                               'payload': payload}, f)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, path)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        except (OSError, TypeError, ValueError):
            # A cache that cannot be written only costs time.
            pass


class Cache(JsonStore):
    """Run results, one entry per (version, variant, environment)."""

    def get(self, key):
        data = self.read(key)
        try:
            result = RunResult(**data)
        except TypeError:
            return None
        result.cached = True
        return result

    def put(self, key, result):
        self.write(key, result.to_dict())


def _environment_fingerprint():
    versions = env.versions()
    return json.dumps(versions, sort_keys=True)


def _outcome_of(records, module_file, source):
    """Fold a variant's test records into one RunResult-like dict."""
    if not records:
        return {'outcome': ERROR, 'evidence': 'no tests ran'}
    bad = [r for r in records if r['status'] != PASS]
    if not bad:
        return {'outcome': PASS}
    first = bad[0]
    status = first['status']
    outcome = {'fail': FAIL, 'timeout': TIMEOUT}.get(status, ERROR)
    text = first.get('traceback') or ''
    found = {'outcome': outcome, 'failing_test': first['id'],
             'evidence': _last_line(text) or status}
    site = assertions.failure_site(text, module_file, source)
    if site is not None:
        found.update(failing_line=site.line, failing_code=site.code,
                     allocation_assertion=site.allocation and
                     outcome == FAIL)
        if site.message:
            found['evidence'] = assertions.first_line(
                site.message, 500) or found['evidence']
    if _LIMIT_MARKERS.search(text):
        found['outcome'] = LIMIT
    # Placement hands out fresh UUIDs on every run; evidence must not change
    # between runs of the same version.
    found['evidence'] = _UUID.sub('<uuid>', found['evidence'])
    return found


def _last_line(text):
    message = assertions.exception_message(text)
    if message:
        return assertions.first_line(message, 500)
    lines = [line for line in (text or '').splitlines() if line.strip()]
    return lines[-1].strip()[:500] if lines else ''


def _module_name(path):
    """'nova/compute/manager.py' -> 'nova.compute.manager'."""
    name = path[:-3] if path.endswith('.py') else path
    return name.replace('/', '.')


class Runner(object):
    """Run versions against variants; see the module docstring."""

    def __init__(self, variants, jobs=None, timeout=DEFAULT_TIMEOUT,
                 cache_dir=None, use_cache=True, progress=None,
                 python=None, skip_mutants=True):
        self.variants = list(variants)
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.timeout = float(timeout)
        self.cache = Cache(cache_dir or default_cache_dir()) \
            if use_cache else None
        self.progress = progress or (lambda event, **kw: None)
        self.python = python or sys.executable
        # Skip mutant runs of versions that fail against real nova.
        self.skip_mutants = skip_mutants
        # Added to the run timeout before a child that shows no progress
        # is killed (it covers importing nova in a new child).
        self.startup_allowance = _STARTUP_ALLOWANCE
        self._fingerprint = _environment_fingerprint()
        self.stats = {'runs': 0, 'cached': 0, 'children': 0,
                      'run_seconds': 0.0}
        self._lock = threading.Lock()
        self._idle = []

    def _key(self, version_key, variant):
        return hashlib.sha256(json.dumps(
            [version_key, variant, self._fingerprint, _CACHE_FORMAT]
        ).encode()).hexdigest()

    def run(self, versions):
        """Return {version.key(): {variant: RunResult}} for all versions."""
        unique = {}
        for version in versions:
            unique.setdefault(version.key(), version)
        results = {key: {} for key in unique}
        todo = []
        for key, version in unique.items():
            missing = []
            for variant in self.variants:
                cached = self.cache.get(self._key(key, variant)) \
                    if self.cache else None
                if cached is not None:
                    results[key][variant] = cached
                    self.stats['cached'] += 1
                else:
                    missing.append(variant)
            real = results[key].get(REAL)
            if self.skip_mutants and real is not None and \
                    real.outcome != PASS:
                for variant in missing:
                    results[key][variant] = RunResult(
                        variant=variant, outcome=SKIPPED,
                        evidence=_SKIP_REASON)
                missing = []
            if missing:
                todo.append((key, version, missing))
        self.progress('plan', total=sum(len(m) for _, _, m in todo),
                      cached=self.stats['cached'])
        pending = list(todo)
        attempts = 0
        while pending and attempts < 2:
            attempts += 1
            work = _WorkQueue(pending, self.skip_mutants)
            pending = []
            workers = min(self.jobs, work.size())
            with concurrent.futures.ThreadPoolExecutor(self.jobs) as pool:
                futures = [pool.submit(self._serve_worker, work)
                           for _ in range(workers)]
                for future in concurrent.futures.as_completed(futures):
                    for produced, unfinished in future.result():
                        for key, variant_results in produced.items():
                            results[key].update(variant_results)
                        pending.extend(unfinished)
        for key, version, missing in pending:
            # Still unfinished after a retry in a fresh child.
            for variant in missing:
                results[key].setdefault(variant, RunResult(
                    variant=variant, outcome=ERROR,
                    evidence='not run: the child running it died twice'))
        return results

    def _run_batch(self, batch):
        """Run a batch in one child; returns (produced, unfinished)."""
        with tempfile.TemporaryDirectory(prefix='nrc-run-') as tmp:
            output = os.path.join(tmp, 'results.jsonl')
            cmd = [self.python, '-m', 'nova_resize_checks.child',
                   '--path', tmp, '--output', output,
                   '--timeout', str(self.timeout), '--sandbox', tmp]
            if self.skip_mutants:
                cmd.append('--stop-on-real-failure')
            overlay = batch[0][1].overlay
            for index, (path, text) in enumerate(overlay):
                overlay_file = os.path.join(tmp, 'overlay_%d.py' % index)
                with open(overlay_file, 'w') as f:
                    f.write(text)
                cmd += ['--overlay', '%s=%s' % (_module_name(path),
                                                overlay_file)]
            modules = []
            for key, version, variants in batch:
                module = 'nrc_version_%s' % key[:16]
                modules.append(module)
                with open(os.path.join(tmp, module + '.py'), 'w') as f:
                    f.write(version.test_source)
                cmd += ['--case', '%s=%s' % (module, ','.join(variants))]
            with self._lock:
                self.stats['children'] += 1
            lines, timed_out, returncode, _ = self._watch(
                cmd, tmp, output)
        return [self._fold(batch, modules, lines, timed_out, returncode)]

    def _serve_worker(self, work):
        """Feed tasks from ``work`` to one long-lived child.

        The child imports nova once and runs task after task; a child that
        hangs or dies is replaced for the next task.  Returns a list of
        (produced, unfinished) pairs.
        """
        out = []
        child = None
        try:
            while True:
                item = work.take()
                if item is None:
                    break
                produced, unfinished = {}, []
                if item[1].overlay:
                    # Nova modules served from an overlay: a child of its
                    # own, never shared with other versions.
                    try:
                        for pair in self._run_batch([item]):
                            out.append(pair)
                            produced.update(pair[0])
                    finally:
                        work.done(item, produced.get(item[0], {}))
                    continue
                try:
                    if child is None:
                        child = self._idle_child()
                    module, lines, timed_out, returncode = child.run_case(
                        item)
                    produced, unfinished = self._fold(
                        [item], [module], lines, timed_out, returncode)
                    if timed_out or returncode is not None:
                        child.close()
                        child = None
                finally:
                    work.done(item, produced.get(item[0], {}))
                out.append((produced, unfinished))
                for key, variant_results in work.skipped().items():
                    out.append(({key: variant_results}, []))
        finally:
            if child is not None:
                with self._lock:
                    self._idle.append(child)
        return out

    def _idle_child(self):
        """A serve child left by an earlier run() call, or a new one."""
        with self._lock:
            if self._idle:
                return self._idle.pop()
            self.stats['children'] += 1
        return _ServeChild(self)

    def close(self):
        """Stop the serve children kept between run() calls."""
        with self._lock:
            idle, self._idle = self._idle, []
        for child in idle:
            child.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _fold(self, batch, modules, lines, timed_out, returncode):
        """Turn a child's output lines into results for ``batch``.

        Returns (produced, unfinished): results per version key and the
        (key, version, variants) left to run in a fresh child.
        """
        env_error = next((line['environment_error'] for line in lines
                          if 'environment_error' in line), None)
        if env_error:
            raise env.EnvironmentProblem(env_error)
        produced, unfinished = {}, []
        started = [(line['case'], line['started']) for line in lines
                   if 'started' in line]
        done = {(line['case'], line['variant']): line for line in lines
                if 'variant' in line}
        hung = started[-1] if started and started[-1] not in done else None
        for index, (key, version, variants) in enumerate(batch):
            produced[key] = {}
            left = []
            for variant in variants:
                line = done.get((index, variant))
                if line is None and (index, variant) == hung:
                    why = ('killed after no progress for %.0fs'
                           % (self.timeout + self.startup_allowance)
                           if timed_out else 'the child died (exit %s) '
                           'during this run' % returncode)
                    if timed_out:
                        outcome = TIMEOUT
                    elif returncode in _LIMIT_SIGNALS:
                        outcome = LIMIT
                        why = ('the child was stopped by signal %d: a '
                               'resource limit' % -returncode)
                    else:
                        outcome = ERROR
                    result = RunResult(variant=variant, outcome=outcome,
                                       evidence=why)
                elif line is None:
                    left.append(variant)
                    continue
                elif 'skipped' in line:
                    result = RunResult(variant=variant, outcome=SKIPPED,
                                       evidence=line['skipped'])
                else:
                    folded = _outcome_of(line['tests'],
                                         modules[index] + '.py',
                                         version.test_source)
                    result = RunResult(variant=variant,
                                       seconds=line.get('seconds', 0.0),
                                       **folded)
                    # Only results of complete runs are cached.
                    if self.cache:
                        self.cache.put(self._key(key, variant), result)
                    with self._lock:
                        self.stats['runs'] += 1
                        self.stats['run_seconds'] += result.seconds
                produced[key][variant] = result
                self.progress('done', version=version.label or key[:12],
                              variant=variant, outcome=result.outcome)
            if left:
                if REAL in produced[key] and self.skip_mutants and \
                        produced[key][REAL].outcome != PASS:
                    for variant in left:
                        produced[key][variant] = RunResult(
                            variant=variant, outcome=SKIPPED,
                            evidence=_SKIP_REASON)
                else:
                    unfinished.append((key, version, left))
        return produced, unfinished

    def _watch(self, cmd, cwd, output):
        """Run the child; kill its process group when it stops progressing.

        Progress is a new line in the output file; the allowance is one
        run's timeout plus the time to import nova.
        """
        start = time.monotonic()
        proc = subprocess.Popen(
            cmd, cwd=cwd, env=sandbox.child_env(cwd),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True,
            preexec_fn=sandbox.limits)
        allowance = self.timeout + self.startup_allowance
        last_size, last_change = -1, time.monotonic()
        timed_out = False
        while True:
            try:
                proc.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                pass
            try:
                size = os.path.getsize(output)
            except OSError:
                size = 0
            now = time.monotonic()
            if size != last_size:
                last_size, last_change = size, now
            elif now - last_change > allowance:
                timed_out = True
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except OSError:
                    pass
                proc.wait()
                break
        lines = []
        try:
            with open(output) as f:
                for raw in f:
                    try:
                        lines.append(json.loads(raw))
                    except ValueError:
                        break   # a line cut short by a kill
        except OSError:
            pass
        return lines, timed_out, proc.returncode, time.monotonic() - start


class _ServeChild(object):
    """A ``nova_resize_checks.child --serve`` process and its output."""

    def __init__(self, runner):
        self.runner = runner
        self.tmp = tempfile.mkdtemp(prefix='nrc-serve-')
        self.output = os.path.join(self.tmp, 'results.jsonl')
        open(self.output, 'w').close()
        cmd = [runner.python, '-m', 'nova_resize_checks.child', '--serve',
               '--path', self.tmp, '--output', self.output,
               '--timeout', str(runner.timeout), '--sandbox', self.tmp]
        if runner.skip_mutants:
            cmd.append('--stop-on-real-failure')
        self.proc = subprocess.Popen(
            cmd, cwd=self.tmp, stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=sandbox.child_env(self.tmp), start_new_session=True,
            preexec_fn=sandbox.limits)
        self.offset = 0
        self.partial = b''
        self.cases = 0
        self.preamble = []

    def _read_new(self):
        try:
            with open(self.output, 'rb') as f:
                f.seek(self.offset)
                data = f.read()
        except OSError:
            return []
        self.offset += len(data)
        data = self.partial + data
        *complete, self.partial = data.split(b'\n')
        lines = []
        for raw in complete:
            try:
                lines.append(json.loads(raw))
            except ValueError:
                continue
        return lines

    def run_case(self, item):
        """Run one (key, version, variants) in this child.

        Returns (module, lines, timed_out, returncode): ``lines`` are this
        case's lines renumbered as case 0 (for Runner._fold); returncode is
        set when the child ended.
        """
        key, version, variants = item
        index = self.cases
        self.cases += 1
        module = 'nrc_version_%s' % key[:16]
        with open(os.path.join(self.tmp, module + '.py'), 'w') as f:
            f.write(version.test_source)
        request = json.dumps({'case': index, 'names': [module],
                              'variants': list(variants),
                              'timeout': self.runner.timeout})
        lines = list(self.preamble)
        try:
            self.proc.stdin.write(request.encode() + b'\n')
            self.proc.stdin.flush()
        except OSError:
            return module, lines, False, self.proc.wait()
        allowance = self.runner.timeout + self.runner.startup_allowance
        last_change = time.monotonic()
        while True:
            new = self._read_new()
            if new:
                last_change = time.monotonic()
            for line in new:
                if 'case' not in line:
                    self.preamble.append(line)
                    lines.append(line)
                elif line['case'] == index:
                    if line.get('finished'):
                        return module, lines, False, None
                    lines.append(dict(line, case=0))
            returncode = self.proc.poll()
            if returncode is not None:
                lines.extend(dict(line, case=0) for line in self._read_new()
                             if line.get('case') == index)
                return module, lines, False, returncode
            if time.monotonic() - last_change > allowance:
                self.kill()
                return module, lines, True, None
            time.sleep(0.1)

    def kill(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass
        self.proc.wait()

    def close(self):
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)


class _WorkQueue(object):
    """Tasks for the serve workers, one (version, variants) at a time.

    A version's real run goes first; its mutant runs are queued (one task
    per mutant, so that they spread over the workers) only when the real
    run passed, and are answered ``skipped`` otherwise.
    """

    def __init__(self, items, skip_mutants=True):
        self.cond = threading.Condition()
        self.tasks = []
        self.deferred = {}
        self.in_flight = 0
        self.skip_mutants = skip_mutants
        self._skipped = {}
        for key, version, variants in sorted(items,
                                             key=lambda i: -len(i[2])):
            if version.overlay:
                # Runs in a one-shot child that stops after a failing real
                # run by itself: keep its variants together.
                self.tasks.append((key, version, list(variants)))
            elif REAL in variants and skip_mutants:
                self.tasks.append((key, version, [REAL]))
                rest = [v for v in variants if v != REAL]
                if rest:
                    self.deferred[key] = (version, rest)
            else:
                self.tasks.extend((key, version, [variant])
                                  for variant in variants)

    def size(self):
        return len(self.tasks)

    def take(self):
        """Next task, or None when nothing is left or can come."""
        with self.cond:
            while not self.tasks and self.in_flight:
                self.cond.wait()
            if not self.tasks:
                return None
            self.in_flight += 1
            return self.tasks.pop(0)

    def done(self, item, results):
        key = item[0]
        with self.cond:
            self.in_flight -= 1
            if key in self.deferred and REAL in item[2]:
                version, rest = self.deferred.pop(key)
                real = results.get(REAL)
                if real is not None and real.outcome == PASS:
                    # Mutant runs go first: they are all that is left of
                    # their version.
                    self.tasks[:0] = [(key, version, [variant])
                                      for variant in rest]
                else:
                    self._skipped[key] = {
                        variant: RunResult(variant=variant,
                                           outcome=SKIPPED,
                                           evidence=_SKIP_REASON)
                        for variant in rest}
            self.cond.notify_all()

    def skipped(self):
        with self.cond:
            found, self._skipped = self._skipped, {}
        return found
