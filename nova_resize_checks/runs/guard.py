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


"""The worker's side of the confinement: identity, seccomp, a reporter.

Called by :mod:`nova_resize_checks.runs.worker` inside the sandbox, after
nova is imported and before any review code is:

* :func:`drop_identity` leaves uid 0 of the run's own user namespace for
  uid/gid 65534 (when the tool runs as root, see
  :mod:`~nova_resize_checks.runs.confinement`);
* :func:`load_filter` loads a seccomp filter that kills the whole run
  (SIGSYS) on a system call a test has no business making: creating
  processes (fork, vfork, clone without CLONE_THREAD), exec, ptrace and
  access to other processes' memory, sockets of any family (socketpair
  stays allowed), signals to any process but itself, namespace and mount
  changes, io_uring, BPF, perf, kernel keyrings and modules, mknod,
  ``connect``/``bind``/``listen``, ``sendmsg``, ``sendto`` with a
  destination address, ``memfd_create`` and ``memfd_secret``.  A
  killed run cannot hide its attempt in a ``try``: the parent sees the
  signal;
* :func:`install_reporter` adds an audit hook that, for the events Python
  raises, refuses and reports what was attempted (the parent turns any
  report into the ``refused`` outcome).  It is a witness, not the
  boundary: code in the same process can defeat an audit hook, but not
  the namespaces, the read-only filesystem or the seccomp filter.
"""

import errno
import os
import sys

NOBODY = 65534
# The run's own writable directory: its HOME and TMPDIR, on the run's
# private tmpfs /tmp.  Not /tmp itself: the Python installation or this
# repository may be bound back read-only somewhere under /tmp.
WORK_DIR = '/tmp/run'
SIGSYS_EVIDENCE = (
    'confinement: the seccomp filter killed the run (SIGSYS): it made a '
    'system call a test has no business making (a new process, exec, '
    'ptrace, a socket, an addressed datagram, memfd, a signal to another '
    'process, a namespace or mount change)')

_KILLED = ('fork', 'vfork', 'execve', 'execveat', 'ptrace',
           'process_vm_readv', 'process_vm_writev', 'unshare', 'setns',
           'mount', 'umount2', 'pivot_root', 'chroot', 'io_uring_setup',
           'io_uring_enter', 'io_uring_register', 'bpf', 'perf_event_open',
           'userfaultfd', 'keyctl', 'add_key', 'request_key', 'init_module',
           'finit_module', 'delete_module', 'kexec_load', 'socket',
           'mknod', 'mknodat', 'tkill', 'rt_sigqueueinfo',
           'rt_tgsigqueueinfo', 'pidfd_open', 'pidfd_send_signal',
           'pidfd_getfd', 'kcmp', 'open_by_handle_at', 'name_to_handle_at',
           'fanotify_init', 'move_mount', 'open_tree', 'fsopen', 'fsmount',
           'fspick', 'mount_setattr', 'quotactl', 'acct', 'swapon',
           'swapoff', 'reboot', 'syslog', 'settimeofday', 'clock_settime',
           'adjtimex', 'sethostname', 'setdomainname', 'iopl', 'ioperm',
           'vhangup', 'lookup_dcookie',
           # Addressed traffic: a socketpair's socket may not be pointed at
           # a path (connect, bind) nor given a destination per message
           # (sendmsg's address is in memory the filter cannot read, so it
           # goes whole; sendto only with an address, below).
           'connect', 'bind', 'listen', 'sendmsg', 'sendmmsg',
           # Memory outside RLIMIT_AS and the tmpfs size.
           'memfd_create', 'memfd_secret')
CLONE_THREAD = 0x00010000


def drop_identity():
    """Become uid/gid 65534 if the sandbox started us as uid 0."""
    if os.getuid() != 0:
        return
    os.setgroups([])
    os.setresgid(NOBODY, NOBODY, NOBODY)
    os.setresuid(NOBODY, NOBODY, NOBODY)
    if os.getuid() != NOBODY or os.geteuid() != NOBODY:
        raise RuntimeError('could not drop to uid %d' % NOBODY)


def undumpable():
    """No process of the same uid may read this one's memory or fds.

    ``/proc/PID/mem``, ``/proc/PID/fd`` and ptrace need the target to be
    dumpable (or CAP_SYS_PTRACE, which a run does not have).
    """
    import ctypes

    PR_SET_DUMPABLE = 4
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0,
                                               0) != 0:
        raise RuntimeError('could not make the reporter undumpable')


# What pyseccomp looks for with ctypes.util.find_library, which runs
# ldconfig or a compiler: neither is in a run's view, the loader's cache is.
_SONAMES = {'c': 'libc.so.6', 'seccomp': 'libseccomp.so.2'}


def _import_pyseccomp():
    import ctypes.util

    if 'pyseccomp' in sys.modules:
        return sys.modules['pyseccomp']
    real = ctypes.util.find_library

    def find_library(name):
        return _SONAMES.get(name) or real(name)

    ctypes.util.find_library = find_library
    try:
        import pyseccomp
    finally:
        ctypes.util.find_library = real
    return pyseccomp


def load_filter():
    """Load the seccomp filter for the rest of this process's life."""
    seccomp = _import_pyseccomp()

    me = os.getpid()
    flt = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    for name in _KILLED:
        try:
            flt.add_rule(seccomp.KILL_PROCESS, name)
        except (ValueError, OSError, RuntimeError):
            # A system call this architecture does not have.
            pass
    # Threads only: a clone without CLONE_THREAD is a new process.
    flt.add_rule(seccomp.KILL_PROCESS, 'clone',
                 seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_THREAD, 0))
    # clone3 hides its flags in memory seccomp cannot read; glibc falls
    # back to clone when it is missing.
    flt.add_rule(seccomp.ERRNO(errno.ENOSYS), 'clone3')
    # Signals only to itself (kill with pid 0 or -1 reaches others).
    flt.add_rule(seccomp.KILL_PROCESS, 'kill', seccomp.Arg(0, seccomp.NE, me))
    flt.add_rule(seccomp.KILL_PROCESS, 'tgkill',
                 seccomp.Arg(0, seccomp.NE, me))
    # send() is sendto() with no address; a destination address is refused.
    flt.add_rule(seccomp.KILL_PROCESS, 'sendto',
                 seccomp.Arg(4, seccomp.NE, 0))
    # Limits of other processes (its own are pid 0: glibc's setrlimit).
    flt.add_rule(seccomp.KILL_PROCESS, 'prlimit64',
                 seccomp.Arg(0, seccomp.NE, 0))
    flt.load()


_WRITE_FLAGS = (os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT |
                os.O_TRUNC)
_PROCESS_EVENTS = frozenset((
    'subprocess.Popen', 'os.system', 'os.exec', 'os.spawn', 'os.posix_spawn',
    'os.fork', 'os.forkpty', 'pty.spawn', 'os.startfile'))
_ALWAYS = frozenset((
    'socket.connect', 'socket.sendto', 'socket.sendmsg', 'socket.bind',
    'socket.getaddrinfo', 'socket.gethostbyname', 'socket.gethostbyaddr',
    'os.kill', 'os.killpg', 'resource.setrlimit', 'resource.prlimit',
    'ctypes.dlopen', 'ctypes.dlsym', 'ctypes.cdata', 'ctypes.addressof',
    'ctypes.call_function', 'sys.setprofile', 'sys.settrace',
    'sys._current_frames', 'os.setxattr', 'os.removexattr', 'os.mknod',
    'os.mkfifo', 'os.chown', 'os.chflags', 'os.lchflags', 'webbrowser.open',
    'ftplib.connect', 'smtplib.connect',
    'http.client.connect', 'urllib.Request', 'poplib.connect',
    'imaplib.open', 'telnetlib.Telnet.open', 'nntplib.connect'))
# Events that change the filesystem: (indexes of path arguments, indexes
# of dir_fd arguments), as CPython raises them.  Every path must stay inside
# the run directory and no dir_fd may be given (a dir_fd can point
# anywhere).
_PATH_EVENTS = {
    'os.remove': ((0,), (1,)), 'os.rmdir': ((0,), (1,)),
    'os.rename': ((0, 1), (2, 3)), 'os.truncate': ((0,), ()),
    'os.chmod': ((0,), (2,)), 'os.mkdir': ((0,), (2,)),
    'os.utime': ((0,), (4,)), 'os.symlink': ((1,), (2,)),
    'os.link': ((0, 1), (2, 3)), 'shutil.rmtree': ((0,), (1,)),
    'shutil.copyfile': ((1,), ()), 'shutil.copytree': ((1,), ()),
    'shutil.move': ((1,), ()), 'shutil.chown': ((0,), ())}


def _describe(event, args):
    shown = []
    for arg in tuple(args)[:3]:
        text = repr(arg)
        shown.append(text if len(text) < 120 else text[:117] + '...')
    return '%s(%s)' % (event, ', '.join(shown))


def _path_checks(realpath=os.path.realpath, isabs=os.path.isabs,
                 join=os.path.join, fsdecode=os.fsdecode,
                 readlink=os.readlink, root=WORK_DIR):
    """(inside, allowed) bound to the functions as they are now.

    Code run later cannot change what the reporter uses by patching ``os``
    or this module's globals.
    """

    def inside(path):
        try:
            real = realpath(fsdecode(path))
        except (TypeError, ValueError):
            return False
        return real == root or real.startswith(root + '/')

    def allowed(path, dir_fd=None):
        """Whether changing ``path`` (relative to ``dir_fd``) stays inside."""
        if isinstance(path, int):
            # An open file: where it lives is not known here.
            return False
        if not isinstance(path, (str, bytes)):
            return path is None
        path = fsdecode(path)
        if isinstance(dir_fd, int) and dir_fd >= 0 and not isabs(path):
            try:
                base = readlink('/proc/self/fd/%d' % dir_fd)
            except OSError:
                return False
            path = join(base, path)
        return isabs(path) and inside(path)

    return inside, allowed


# What of the run's own /proc/self a test may open: not the links that
# lead out of it (its root or cwd, another task's files, mapped files).
_PROC_LINKS = frozenset(('root', 'cwd', 'exe', 'map_files', 'task', 'fd',
                         'fdinfo', 'ns'))


def _other_process(path, normpath=os.path.normpath):
    """Whether ``path`` reaches /proc beyond the run's own process.

    ``..`` is resolved first: "/proc/self/../1/environ" is pid 1's.
    """
    if not path.startswith('/'):
        return False
    parts = normpath(path).split('/')
    if len(parts) < 3 or parts[1] != 'proc':
        return False
    if parts[2] not in ('self', 'thread-self'):
        return True
    return len(parts) > 3 and parts[3] in _PROC_LINKS


def _open_refused(args, inside, other_process, isabs, fsdecode,
                  write_flags):
    """Whether an ``open`` writes outside the run or reaches another process.

    Everything it uses comes in as an argument, bound by the hook.
    """
    path, mode, flags = (tuple(args) + (None, None))[:3]
    writing = (isinstance(mode, str) and any(c in mode
                                             for c in 'wax+')) or (
        isinstance(flags, int) and flags & write_flags)
    if isinstance(path, int):
        return False
    if writing and path not in ('/dev/null', b'/dev/null') and (
            not isabs(fsdecode(path)) or not inside(path)):
        # Relative paths may be relative to any dir_fd: reported.
        return True
    return isinstance(path, (str, bytes)) and other_process(fsdecode(path))


def _connect_refused(args, inside, isabs, fsdecode):
    """Whether ``sqlite3.connect`` opens a database outside memory and the run.

    Everything it uses comes in as an argument, bound by the hook.
    """
    database = tuple(args)[0] if args else None
    name = fsdecode(database) if isinstance(
        database, (str, bytes)) else ''
    return not (name == ':memory:' or name.startswith('file::memory:')
                or (isabs(name) and inside(name)))


def _change_refused(spec, args, allowed):
    """Whether a filesystem change leaves the run (see :data:`_PATH_EVENTS`).

    ``spec``: the event's (path indexes, dir_fd indexes).  Every path is
    checked, whatever the first one says.
    """
    given = tuple(args) + (None,) * 5
    paths, dir_fds = spec
    refused = False
    for number, index in enumerate(paths):
        fd = given[dir_fds[min(number, len(dir_fds) - 1)]] \
            if dir_fds else None
        if not allowed(given[index], fd):
            refused = True
    return refused


def install_reporter(report):
    """Refuse and ``report(text)`` what a test has no business doing."""
    _inside, _allowed = _path_checks()

    def hook(event, args, report=report, _inside=_inside, _allowed=_allowed,
             _other_process=_other_process,
             _describe=_describe, PermissionError=PermissionError,
             _PATH_EVENTS=_PATH_EVENTS, _ALWAYS=_ALWAYS,
             _PROCESS_EVENTS=_PROCESS_EVENTS, isabs=os.path.isabs,
             fsdecode=os.fsdecode, _WRITE_FLAGS=_WRITE_FLAGS,
             _open_refused=_open_refused, _connect_refused=_connect_refused,
             _change_refused=_change_refused):
        if event in _PROCESS_EVENTS or event in _ALWAYS:
            refused = True
        elif event == 'socket.__new__':
            refused = True
        elif event == 'open':
            refused = _open_refused(args, _inside, _other_process, isabs,
                                    fsdecode, _WRITE_FLAGS)
        elif event == 'sqlite3.connect':
            refused = _connect_refused(args, _inside, isabs, fsdecode)
        elif event in _PATH_EVENTS:
            refused = _change_refused(_PATH_EVENTS[event], args, _allowed)
        else:
            refused = False
        if not refused:
            return
        text = _describe(event, args)
        report(text)
        raise PermissionError('confinement: %s refused' % text)

    sys.addaudithook(hook)
