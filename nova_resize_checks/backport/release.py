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


"""A nova release's source tree from PyPI, without git.

``release_tree('19.0.1')`` runs ``pip download --no-deps --no-binary
:all: nova==19.0.1`` (the release's sdist), unpacks it and returns the
unpacked tree.  Trees are cached under the XDG cache directory
(``$XDG_CACHE_HOME/nova-resize-checks/releases/nova-VERSION``, default
``~/.cache/...``): a release is downloaded once.  A tree is put in place
with one rename when it is complete, so an interrupted download leaves
nothing that looks cached, and a lock file makes concurrent callers wait
for one download.
"""

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile

VERSION = re.compile(r'^[0-9]+(\.[0-9]+)*((a|b|rc)[0-9]+)?'
                     r'(\.post[0-9]+)?(\.dev[0-9]+)?$')
_PIP_TIMEOUT = 1800
_MARKER = 'nova-resize-checks-release.json'
# What pip prints when it cannot reach an index.
_NETWORK = ('NewConnectionError', 'ConnectionError', 'Could not fetch URL',
            'Max retries exceeded', 'Temporary failure in name resolution',
            'ProxyError', 'SSLError', 'ReadTimeoutError')


# The oldest nova this package's own environment runs (requirements.txt);
# older ones run in the release matrix's environments.
OLDEST_INSTALLABLE = 28
MATRIX_NOTE = ('README "Release matrix"; a release tox.ini does not list '
               'is one more factor of its series')
# nova's major version -> the series it was released for, up to the last
# one before OLDEST_INSTALLABLE (tox.ini's matrix-<series>-<release>).
SERIES = {16: 'pike', 17: 'queens', 18: 'rocky', 19: 'stein', 20: 'train',
          21: 'ussuri', 22: 'victoria', 23: 'wallaby', 24: 'xena',
          25: 'yoga', 26: 'zed', 27: '2023.1'}


def major(version):
    """The major version of a release number, or None."""
    head = (version or '').split('.', 1)[0]
    return int(head) if head.isdecimal() else None


def matrix_env(version):
    """The release matrix's tox environment for an old release, or None.

    ``matrix-rocky-18.2.1`` for 18.2.1: the series' Python and
    upper-constraints with that nova (MATRIX_NOTE).  None from
    OLDEST_INSTALLABLE on: those run in this package's environment.
    """
    series = SERIES.get(major(version))
    if series is None or not VERSION.match(version or ''):
        return None
    return 'matrix-%s-%s' % (series, version)


class ReleaseError(Exception):
    """The release's source cannot be had; the message says why."""


def cache_root(environ=None):
    """Where release trees are cached (created on first use)."""
    environ = os.environ if environ is None else environ
    base = environ.get('XDG_CACHE_HOME') or os.path.join(
        environ.get('HOME') or os.path.expanduser('~'), '.cache')
    return os.path.join(base, 'nova-resize-checks', 'releases')


def check_version(version):
    """``version`` if it is a release number (19.0.1, 20.0.0.0rc1)."""
    if not VERSION.match(version or ''):
        raise ReleaseError('%r is not a nova release number (e.g. 19.0.1)'
                           % version)
    return version


def _pip_error(output):
    """pip's own error lines (ERROR: ...), or its last line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [re.sub(r' \(from versions: [^)]*\)', '', line)
              for line in lines if line.startswith('ERROR:')]
    if errors:
        return ' '.join(errors)[:600]
    return (lines[-1] if lines else 'no output')[:600]


def download(version, destination, pip=None):
    """Run pip download for nova==version into ``destination``; the file.

    ``pip`` is the command (a list) that runs pip, by default this
    interpreter's ``python -m pip``.
    """
    pip = list(pip or [sys.executable, '-m', 'pip'])
    cmd = pip + ['download', '--no-deps', '--no-binary', ':all:',
                 '--disable-pip-version-check', '--no-input',
                 '--progress-bar', 'off', '--dest', destination,
                 'nova==%s' % version]
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT,
                              timeout=_PIP_TIMEOUT, check=False)
    except OSError as exc:
        raise ReleaseError('cannot run pip (%s): %s' % (
            ' '.join(pip), exc.strerror or exc))
    except subprocess.TimeoutExpired:
        raise ReleaseError('pip download nova==%s did not finish within '
                           '%ss' % (version, _PIP_TIMEOUT))
    output = proc.stdout.decode('utf-8', 'replace')
    if proc.returncode:
        if 'No module named pip' in output:
            raise ReleaseError('pip is not available (%s): %s' % (
                ' '.join(pip), _pip_error(output)))
        network = [line.strip() for line in output.splitlines()
                   if any(mark in line for mark in _NETWORK)]
        if network:
            hint = 'the index cannot be reached: %s' % network[0][:300]
        elif 'Could not find a version' in output:
            hint = 'no such release on the index pip uses'
        else:
            hint = 'is PyPI reachable?'
        raise ReleaseError('pip download nova==%s failed (exit %d; %s): %s'
                           % (version, proc.returncode, hint,
                              _pip_error(output)))
    found = [name for name in os.listdir(destination)
             if name.startswith(('nova-%s.' % version,
                                 'nova-%s-' % version))]
    if len(found) != 1:
        raise ReleaseError('pip download nova==%s left %s in %s, expected '
                           'one sdist' % (version, found or 'nothing',
                                          destination))
    return os.path.join(destination, found[0])


def _inside(root, name):
    path = os.path.realpath(os.path.join(root, name))
    return path == root or path.startswith(root + os.sep)


def unpack(archive, destination):
    """Unpack an sdist (.tar.gz or .zip) into ``destination``; its top.

    Members that would land outside ``destination`` (absolute paths,
    ``..``, links pointing out, device files) are refused.
    """
    root = os.path.realpath(destination)
    os.makedirs(root, exist_ok=True)
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as handle:
                names = handle.namelist()
                for name in names:
                    if not _inside(root, name):
                        raise ReleaseError('%s: member %r is outside the '
                                           'archive' % (archive, name))
                handle.extractall(root)
        else:
            with tarfile.open(archive) as handle:
                members = handle.getmembers()
                names = [member.name for member in members]
                for member in members:
                    bad = not _inside(root, member.name) or not (
                        member.isfile() or member.isdir())
                    if member.issym() or member.islnk():
                        bad = not _inside(root, os.path.join(
                            os.path.dirname(member.name), member.linkname))
                    if bad:
                        raise ReleaseError('%s: member %r is outside the '
                                           'archive or not a plain file'
                                           % (archive, member.name))
                if hasattr(tarfile, 'data_filter'):
                    handle.extractall(root, filter='data')
                else:
                    handle.extractall(root)
    except (tarfile.TarError, zipfile.BadZipFile, OSError) as exc:
        raise ReleaseError('%s: cannot unpack: %s' % (archive, exc))
    tops = {name.split('/', 1)[0] for name in names if name.strip('/')}
    if len(tops) != 1:
        raise ReleaseError('%s: expected one top directory, found %s'
                           % (archive, sorted(tops)[:5]))
    return os.path.join(root, tops.pop())


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def cached(version, cache=None):
    """(tree, record) of a cached release, or None."""
    home = os.path.join(cache or cache_root(), 'nova-%s' % version)
    try:
        with open(os.path.join(home, _MARKER)) as handle:
            record = json.load(handle)
    except (OSError, ValueError):
        return None
    tree = os.path.join(home, record.get('tree', ''))
    if not os.path.isfile(os.path.join(tree, 'nova', 'compute',
                                       'manager.py')):
        return None
    return tree, record


def release_tree(version, cache=None, pip=None):
    """(tree, record) of nova ``version``'s sdist, downloaded if needed.

    ``record`` says which file it came from (``sdist``, ``sha256``) and
    whether this call downloaded it (``downloaded``).
    """
    check_version(version)
    cache = cache or cache_root()
    hit = cached(version, cache)
    if hit:
        return hit[0], dict(hit[1], downloaded=False)
    try:
        os.makedirs(cache, exist_ok=True)
        lock = open(os.path.join(cache, '.lock-nova-%s' % version), 'w')
    except OSError as exc:
        raise ReleaseError('cannot write the cache %s: %s' % (
            cache, exc.strerror or exc))
    with lock:
        # One download per release: another process may be fetching it.
        fcntl.flock(lock, fcntl.LOCK_EX)
        hit = cached(version, cache)
        if hit:
            return hit[0], dict(hit[1], downloaded=False)
        return _fetch(version, cache, pip)


def _fetch(version, cache, pip):
    try:
        work = tempfile.mkdtemp(prefix='.nova-%s-' % version, dir=cache)
    except OSError as exc:
        raise ReleaseError('cannot write the cache %s: %s' % (
            cache, exc.strerror or exc))
    try:
        archive = download(version, os.path.join(work, 'download'), pip)
        home = os.path.join(work, 'home')
        top = unpack(archive, home)
        if not os.path.isfile(os.path.join(top, 'nova', 'compute',
                                           'manager.py')):
            raise ReleaseError('%s has no nova/compute/manager.py: not '
                               'nova\'s source' % os.path.basename(archive))
        record = {'version': version, 'sdist': os.path.basename(archive),
                  'sha256': _sha256(archive),
                  'tree': os.path.basename(top)}
        with open(os.path.join(home, _MARKER), 'w') as handle:
            json.dump(record, handle, indent=1, sort_keys=True)
        final = os.path.join(cache, 'nova-%s' % version)
        try:
            os.rename(home, final)
        except OSError:
            # Another process cached it meanwhile (or a broken leftover
            # is in the way: replace it).
            if not cached(version, cache):
                shutil.rmtree(final, ignore_errors=True)
                os.rename(home, final)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    tree, record = cached(version, cache)
    return tree, dict(record, downloaded=True)
