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
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import typing

from nova_resize_checks import assertions
from nova_resize_checks import env

REAL = 'real'
PASS = 'pass'
FAIL = 'fail'
ERROR = 'error'
TIMEOUT = 'timeout'
# Not run because it cannot matter: the version already fails against real
# nova, so no mutant run can change its verdict.
SKIPPED = 'skipped'
OUTCOMES = (PASS, FAIL, ERROR, TIMEOUT, SKIPPED)
_SKIP_REASON = ('not run: the version does not pass against real nova, so '
                'no mutant can change its verdict')

DEFAULT_TIMEOUT = 180.0     # seconds per variant run
_STARTUP_ALLOWANCE = 120.0  # importing nova in the child, per child
_CACHE_FORMAT = 2


@dataclasses.dataclass(frozen=True)
class Version:
    """A test source and the nova files it runs with."""
    test_source: str
    overlay: typing.Tuple[typing.Tuple[str, str], ...] = ()
    label: str = ''

    def normalized(self):
        from nova_resize_checks.review import edits

        return json.dumps({
            'test': edits.normalize(self.test_source),
            'overlay': [[path, edits.normalize(text)]
                        for path, text in sorted(self.overlay)],
        }, sort_keys=True)

    def key(self):
        return hashlib.sha256(self.normalized().encode()).hexdigest()


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


class Cache(object):
    """Run results on disk, one JSON file per (version, variant, env).

    Writes go to a temporary file in the same directory and are renamed
    into place, so readers never see half an entry; unreadable entries are
    ignored.
    """

    def __init__(self, directory):
        self.directory = directory

    def _path(self, key):
        return os.path.join(self.directory, key[:2], key + '.json')

    def get(self, key):
        try:
            with open(self._path(key)) as f:
                data = json.load(f)
            if data.get('format') != _CACHE_FORMAT or data.get(
                    'key') != key:
                return None
            result = RunResult(**data['result'])
        except (OSError, ValueError, TypeError, KeyError):
            return None
        result.cached = True
        return result

    def put(self, key, result):
        path = self._path(key)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path),
                                       suffix='.tmp')
            with os.fdopen(fd, 'w') as f:
                json.dump({'format': _CACHE_FORMAT, 'key': key,
                           'result': result.to_dict()}, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except OSError:
            # A cache that cannot be written only costs time.
            pass


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
        self._fingerprint = _environment_fingerprint()
        self.stats = {'runs': 0, 'cached': 0, 'children': 0,
                      'run_seconds': 0.0}
        self._lock = threading.Lock()

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
        if todo:
            with concurrent.futures.ThreadPoolExecutor(self.jobs) as pool:
                futures = [pool.submit(self._run_child, key, version,
                                       missing)
                           for key, version, missing in todo]
                for future in concurrent.futures.as_completed(futures):
                    key, produced = future.result()
                    results[key].update(produced)
        return results

    def _run_child(self, key, version, variants):
        produced = {}
        with tempfile.TemporaryDirectory(prefix='nrc-run-') as tmp:
            module = 'nrc_version_%s' % key[:16]
            test_file = os.path.join(tmp, module + '.py')
            with open(test_file, 'w') as f:
                f.write(version.test_source)
            cmd = [self.python, '-m', 'nova_resize_checks.child',
                   '--path', tmp, '--output',
                   os.path.join(tmp, 'results.jsonl')]
            for index, (path, text) in enumerate(sorted(version.overlay)):
                overlay_file = os.path.join(tmp, 'overlay_%d.py' % index)
                with open(overlay_file, 'w') as f:
                    f.write(text)
                cmd += ['--overlay', '%s=%s' % (_module_name(path),
                                                overlay_file)]
            for variant in variants:
                cmd += ['--variant', variant]
            cmd += ['--timeout', str(self.timeout)]
            if self.skip_mutants:
                cmd.append('--stop-on-real-failure')
            cmd.append(module)
            child_env = dict(os.environ)
            child_env['PYTHONDONTWRITEBYTECODE'] = '1'
            limit = _STARTUP_ALLOWANCE + self.timeout * len(variants)
            start = time.monotonic()
            with self._lock:
                self.stats['children'] += 1
            proc = subprocess.Popen(
                cmd, cwd=tmp, env=child_env, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True)
            timed_out = False
            try:
                proc.wait(timeout=limit)
            except subprocess.TimeoutExpired:
                timed_out = True
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except OSError:
                    pass
                proc.wait()
            elapsed = time.monotonic() - start
            lines = []
            try:
                with open(os.path.join(tmp, 'results.jsonl')) as f:
                    for raw in f:
                        try:
                            lines.append(json.loads(raw))
                        except ValueError:
                            break   # a line cut short by a kill
            except OSError:
                pass
        env_error = next((line['environment_error'] for line in lines
                          if 'environment_error' in line), None)
        if env_error:
            raise env.EnvironmentProblem(env_error)
        done = {line['variant']: line for line in lines if 'variant' in line}
        started = [line['started'] for line in lines if 'started' in line]
        hung = started[-1] if started and started[-1] not in done else None
        for variant in variants:
            line = done.get(variant)
            if line is not None and 'skipped' in line:
                produced[variant] = RunResult(variant=variant,
                                              outcome=SKIPPED,
                                              evidence=line['skipped'])
                self.progress('done', version=version.label or key[:12],
                              variant=variant, outcome=SKIPPED)
                continue
            if line is None:
                if variant == hung or (hung is None and timed_out):
                    why = ('killed after %.0fs' % elapsed if timed_out
                           else 'the child died (exit %s) during this run'
                           % proc.returncode)
                    outcome = TIMEOUT if timed_out else ERROR
                else:
                    why = 'not run: the child stopped before it (%s)' % (
                        'killed after %.0fs' % elapsed if timed_out else
                        'exit %s' % proc.returncode)
                    outcome = TIMEOUT if timed_out else ERROR
                result = RunResult(variant=variant, outcome=outcome,
                                   evidence=why)
            else:
                folded = _outcome_of(line['tests'], module + '.py',
                                     version.test_source)
                result = RunResult(variant=variant,
                                   seconds=line.get('seconds', 0.0),
                                   **folded)
            produced[variant] = result
            # Results of a killed child are not cached: they depend on
            # load as much as on content.
            if self.cache and line is not None:
                self.cache.put(self._key(key, variant), result)
            with self._lock:
                self.stats['runs'] += 1
                self.stats['run_seconds'] += result.seconds
            self.progress('done', version=version.label or key[:12],
                          variant=variant, outcome=result.outcome)
        return key, produced
