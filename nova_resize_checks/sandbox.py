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


"""The second layer around runs of review code: process limits and an
audit hook.

The static gate (:mod:`nova_resize_checks.review.safety`) refuses code
that reaches outside a test before anything runs.  This layer does not
trust it: every run happens in a child process that

* starts with a scrubbed environment, its own HOME and TMPDIR (the run
  directory) and resource limits (address space, file size, core dumps,
  CPU time), set by :func:`limits` in the parent through ``preexec_fn``;
  before each run the child moves its CPU limit to what it used so far
  plus a per-run budget (:func:`cpu_budget`).  Creating processes is
  refused outright by the audit hook, which is stricter than a process
  count limit (and, unlike RLIMIT_NPROC, also holds for root);
* installs :func:`install_audit_hook` once nova is imported, which refuses,
  for the rest of the process, creating processes (subprocess, os.system,
  exec, spawn, fork), network connections (any AF_INET/AF_INET6 connect),
  loading native libraries through ctypes, and writing, removing or
  renaming files outside the run directory.

A refusal raises ``PermissionError('sandbox: ...')`` inside the test, so
the run ends as an error whose evidence names what was refused.
"""

import os
import resource
import socket
import sys

MARK = 'sandbox:'
ADDRESS_SPACE = 6 * 1024 ** 3     # nova in one process needs ~1 GiB
FILE_SIZE = 256 * 1024 ** 2
# Variables a run may see; everything else (tokens, credentials, proxies)
# is dropped.
KEPT_ENV = ('PATH', 'LANG', 'LC_ALL', 'LANGUAGE', 'PYTHONPATH',
            'PYTHONHASHSEED', 'VIRTUAL_ENV', 'OS_DEBUG')

_PROCESS_EVENTS = ('subprocess.Popen', 'os.system', 'os.exec', 'os.spawn',
                   'os.posix_spawn', 'os.fork', 'os.forkpty', 'pty.spawn')
_PATH_EVENTS = {'os.remove': 0, 'os.rmdir': 0, 'os.rename': 0,
                'os.truncate': 0, 'shutil.rmtree': 0, 'os.chmod': 0,
                'os.chown': 0, 'os.mkdir': 0, 'os.symlink': 1,
                'os.link': 1}
_WRITE_FLAGS = (os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT |
                os.O_TRUNC)


def child_env(run_dir, base=None):
    """The environment a run child gets."""
    base = os.environ if base is None else base
    kept = {k: v for k, v in base.items() if k in KEPT_ENV}
    kept.update(HOME=run_dir, TMPDIR=run_dir, PYTHONDONTWRITEBYTECODE='1')
    return kept


def limits():
    """preexec_fn for run children: resource limits (POSIX only)."""
    for name, value, hard_too in (('RLIMIT_AS', ADDRESS_SPACE, False),
                                  ('RLIMIT_FSIZE', FILE_SIZE, False),
                                  ('RLIMIT_CORE', 0, False),
                                  ('RLIMIT_CPU', CPU_HARD, True)):
        limit = getattr(resource, name, None)
        if limit is None:
            continue
        try:
            soft, hard = resource.getrlimit(limit)
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(limit, (value, value if hard_too else hard))
        except (ValueError, OSError):
            pass


CPU_HARD = 4 * 3600              # a child's whole life, all its runs


def cpu_budget(seconds):
    """Allow this process ``seconds`` more CPU time from now (one run).

    The soft RLIMIT_CPU is moved to what was used so far plus the budget;
    past it the kernel sends SIGXCPU and the run ends as ``limit``.
    """
    limit = getattr(resource, 'RLIMIT_CPU', None)
    if limit is None or not seconds:
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = int(usage.ru_utime + usage.ru_stime) + 1
    try:
        soft, hard = resource.getrlimit(limit)
        wanted = used + int(seconds)
        if hard != resource.RLIM_INFINITY:
            wanted = min(wanted, hard)
        resource.setrlimit(limit, (wanted, hard))
    except (ValueError, OSError):
        pass


def _inside(path, allowed):
    try:
        real = os.path.realpath(os.fsdecode(path))
    except (TypeError, ValueError):
        return False
    return any(real == root or real.startswith(root + os.sep)
               for root in allowed)


def install_audit_hook(run_dir, extra_writable=()):
    """Refuse, from now on, what a test has no business doing."""
    allowed = tuple(os.path.realpath(p) for p in (run_dir,) +
                    tuple(extra_writable))
    inet = (socket.AF_INET, getattr(socket, 'AF_INET6', socket.AF_INET))

    def hook(event, args):
        if event in _PROCESS_EVENTS:
            raise PermissionError('%s %s refused: runs may not start '
                                  'processes' % (MARK, event))
        if event == 'socket.connect':
            sock = args[0]
            if getattr(sock, 'family', None) in inet:
                raise PermissionError('%s network connection to %r refused'
                                      % (MARK, args[1]))
        elif event == 'ctypes.dlopen':
            raise PermissionError('%s ctypes.dlopen(%r) refused'
                                  % (MARK, args[0]))
        elif event == 'open':
            path, mode, flags = (tuple(args) + (None, None))[:3]
            by_mode = isinstance(mode, str) and any(c in mode
                                                    for c in 'wax+')
            by_flags = isinstance(flags, int) and flags & _WRITE_FLAGS
            writing = by_mode or by_flags
            if writing and isinstance(path, (str, bytes)) and not \
                    _inside(path, allowed) and path not in ('/dev/null',
                                                            b'/dev/null'):
                raise PermissionError('%s writing %r refused: outside the '
                                      'run directory' % (MARK, path))
        elif event in _PATH_EVENTS:
            path = args[_PATH_EVENTS[event]] if args else None
            outside = not _inside(path, allowed)
            if isinstance(path, (str, bytes)) and outside:
                raise PermissionError('%s %s(%r) refused: outside the run '
                                      'directory' % (MARK, event, path))

    sys.addaudithook(hook)
