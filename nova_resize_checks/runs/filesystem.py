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


"""The allow-list view of the filesystem a confined run sees.

What a run reads (the interpreter, its standard library, the virtualenv or
site-packages nova and this package come from, the shared libraries those
load), found on the host, and the bwrap arguments that show only that,
read-only, with a private tmpfs ``/tmp`` and synthesised ``/etc`` files
(see :mod:`~nova_resize_checks.runs.confinement`).
"""

import os
import shutil
import subprocess
import sys

TMPFS_BYTES = 256 * 1024 ** 2
RUN_DIR = '/tmp'
_ETC = {
    'passwd': 'root:x:0:0:root:/nonexistent:/usr/sbin/nologin\n'
              'nobody:x:65534:65534:nobody:/tmp/run/home:'
              '/usr/sbin/nologin\n',
    'group': 'root:x:0:\nnogroup:x:65534:\n',
    'hosts': '127.0.0.1 localhost run\n::1 localhost\n',
    'nsswitch.conf': 'passwd: files\ngroup: files\nhosts: files\n',
}


def inside(path, root):
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _links_and_target(path):
    """([(link, target)], real path) to make ``path`` resolve inside.

    Every symbolic link met on the way (in a directory or at the end) is
    recreated inside as it is outside, so that the path names resolve
    the same; the real file or directory is what gets bound.
    """
    links = []
    path = os.path.abspath(path)
    for _ in range(40):
        parts = path.strip(os.sep).split(os.sep)
        for depth in range(1, len(parts) + 1):
            prefix = os.sep + os.sep.join(parts[:depth])
            if os.path.islink(prefix):
                target = os.readlink(prefix)
                links.append((prefix, target))
                rest = parts[depth:]
                path = os.path.normpath(os.path.join(
                    os.path.dirname(prefix), target, *rest))
                break
        else:
            return links, path
    return links, os.path.realpath(path)


def _package_paths(name):
    """The directories of package ``name``.

    Its metadata is in site-packages, with every other distribution's.
    """
    import importlib.util

    found = []
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.submodule_search_locations:
        found.extend(spec.submodule_search_locations)
    return found


def needed_trees():
    """Directories a run reads: Python, the venv, site-packages, packages."""
    import site
    import sysconfig

    paths = [sysconfig.get_paths()[key] for key in (
        'stdlib', 'platstdlib', 'purelib', 'platlib')]
    if sys.prefix != sys.base_prefix:
        # A virtualenv: its pyvenv.cfg (how Python knows it runs in one)
        # and site-packages (above) belong to the environment nova comes
        # from; not the rest of it, where tox keeps its logs (every
        # variable it passed on) and temporary files.
        paths.append(os.path.join(sys.prefix, 'pyvenv.cfg'))
    paths.append(os.path.join(sys.prefix, 'etc', 'nova'))
    try:
        paths.extend(site.getsitepackages())
    except AttributeError:
        pass
    for name in ('nova_resize_checks', 'nova', 'placement'):
        paths.extend(_package_paths(name))
    found = []
    for path in paths:
        if path and os.path.exists(path):
            real = os.path.realpath(path)
            if real not in found:
                found.append(real)
    return _outermost(found)


def _outermost(paths):
    """``paths`` outermost first; a path inside another is covered by it."""
    kept = []
    for path in sorted(paths, key=lambda p: (p.count(os.sep), p)):
        if not any(inside(path, tree) for tree in kept):
            kept.append(path)
    return kept


def shared_libraries(trees, executable):
    """Shared libraries the interpreter and the extension modules load."""
    import ctypes.util

    objects = [executable]
    for tree in trees:
        for root, _dirs, names in os.walk(tree):
            objects.extend(os.path.join(root, n) for n in names
                           if n.endswith('.so') or '.so.' in n)
    libraries = set()
    ldd = shutil.which('ldd')
    for start in range(0, len(objects), 200) if ldd else ():
        try:
            out = subprocess.run([ldd] + objects[start:start + 200],
                                 stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, timeout=120,
                                 check=False).stdout.decode('utf-8',
                                                            'replace')
        except (OSError, subprocess.TimeoutExpired):
            continue
        for line in out.splitlines():
            line = line.strip()
            if '=>' in line:
                line = line.split('=>', 1)[1].strip()
            path = line.split(' (', 1)[0].strip()
            if path.startswith(os.sep) and os.path.exists(path):
                libraries.add(path)
    # Loaded by name at run time, not linked: libseccomp (pyseccomp),
    # libgcc_s (thread cancellation).
    for name in ('seccomp', 'gcc_s', 'c'):
        soname = ctypes.util.find_library(name)
        for directory in ('/lib/x86_64-linux-gnu', '/usr/lib64', '/lib64',
                          '/usr/lib', '/lib', '/usr/lib/x86_64-linux-gnu',
                          '/lib/aarch64-linux-gnu'):
            if soname and os.path.exists(os.path.join(directory, soname)):
                libraries.add(os.path.join(directory, soname))
                break
    return sorted(p for p in libraries
                  if not any(inside(p, tree) for tree in trees))


def write_etc(directory):
    """The synthesised /etc files of a run, in ``directory``.

    Written afresh for each run (by the pool), so that no file a run sees
    is older than the run: nothing dates it against the others.
    """
    os.makedirs(directory, exist_ok=True)
    os.chmod(directory, 0o755)
    for name, text in _ETC.items():
        path = os.path.join(directory, name)
        with open(path, 'w') as f:
            f.write(text)
        os.chmod(path, 0o644)
    return directory


def arguments(trees, libraries, hidden, etc_dir):
    """bwrap arguments for the filesystem a run sees.

    ``trees`` and ``libraries`` (and the interpreter) bound read-only,
    ``hidden`` covered by an empty tmpfs, ``etc_dir`` holding the run's
    synthesised /etc files (see :func:`write_etc`).
    """
    # The private /tmp first: a tree that lives under /tmp on the host
    # (a virtualenv made in a temporary directory) is bound on top of
    # it, not hidden by it.
    args = ['--perms', '1777', '--size', str(TMPFS_BYTES),
            '--tmpfs', RUN_DIR]
    kept, links = _binds_and_links(
        list(trees) + list(libraries) + [sys.executable])
    args += _parent_dirs(kept, links)
    for path in kept:
        args += ['--ro-bind', path, path]
    # Links after the binds: a link inside a bound tree exists already.
    for link, target in sorted(links.items()):
        if not any(inside(link, k) for k in kept):
            args += ['--symlink', target, link]
    for root in hidden:
        args += ['--tmpfs', root]
    return args + _system_files(etc_dir)


def _binds_and_links(wanted):
    """(paths to bind, {link: target}) that make ``wanted`` resolve inside.

    The paths to bind are real ones, outermost first; a path inside
    another is covered by it.
    """
    links, binds = {}, []
    for path in wanted:
        chain, real = _links_and_target(path)
        for link, target in chain:
            links.setdefault(link, target)
        if os.path.exists(real) and real not in binds:
            binds.append(real)
    return _outermost(binds), links


def _parent_dirs(kept, links):
    """bwrap arguments making the directories above the binds and links.

    Every directory above a bind or a link, made traversable (bwrap
    would make them 0700, closed to the run's uid).
    """
    parents = set()
    for path in kept + list(links) + ['/etc/x', '/dev/x']:
        parent = os.path.dirname(path)
        while parent not in ('/', '', RUN_DIR) and not any(
                inside(parent, k) for k in kept):
            parents.add(parent)
            parent = os.path.dirname(parent)
    args = []
    for parent in sorted(parents, key=lambda p: (p.count(os.sep), p)):
        if parent in links:
            continue
        args += ['--perms', '0755', '--dir', parent]
    return args


def _system_files(etc_dir):
    """bwrap arguments for /etc's and /dev's few files and a private /proc."""
    args = ['--ro-bind', '/etc/ld.so.cache', '/etc/ld.so.cache'] \
        if os.path.exists('/etc/ld.so.cache') else []
    for name in sorted(_ETC):
        args += ['--ro-bind', os.path.join(etc_dir, name),
                 '/etc/' + name]
    for device in ('null', 'zero', 'urandom'):
        args += ['--dev-bind', '/dev/' + device, '/dev/' + device]
    args += ['--symlink', '/proc/self/fd', '/dev/fd',
             '--proc', '/proc']
    return args
