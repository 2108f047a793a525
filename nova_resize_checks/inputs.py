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


"""What the commands read, checked before anything runs.

Review paths: a regular file named on the command line, ``-`` (standard
input) or ``/dev/null`` (an empty review), or a directory, walked in
sorted order for files with a review suffix.  Every file is opened
non-blocking (a FIFO named ``*.md`` cannot hang the tool) and only
regular files are read; a walk does not follow symbolic links unless
asked to.  A review that is missing, unreadable, too large or not text is
an :class:`InputError` for the whole command, never a verdict: the
caller exits 2 before starting a run.  File names that are not UTF-8 are
shown escaped (:func:`report.safe.path`).

``--reviewed`` (a file, or a ref of a nova git repository) is read here
too.
"""

import dataclasses
import errno
import os
import stat
import sys

from nova_resize_checks.report import safe

REVIEW_SUFFIXES = ('.txt', '.md', '.markdown', '.rst', '.review', '.json',
                   '.sarif')
# Files beside reviews that are not reviews (a sample's expectation).
SIDECAR_SUFFIXES = ('.expect.json',)
MAX_REVIEW_BYTES = 1024 * 1024
MAX_REVIEWED_BYTES = 4 * 1024 * 1024
STDIN = '-'


class InputError(Exception):
    """Input the command cannot use; the message says which and why."""


@dataclasses.dataclass
class Review:
    """One review, read: its path as given and as shown, and its bytes."""
    path: str
    data: bytes

    @property
    def shown(self):
        return safe.path(self.path)


@dataclasses.dataclass
class Collected:
    reviews: list
    # Entries of walked directories that were left alone, one line each
    # (symbolic links not followed, FIFOs, devices, sockets).
    skipped: list


def _read(path, follow):
    """The bytes of regular file ``path``; raises OSError or InputError."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, 'O_NOCTTY', 0) | \
        getattr(os, 'O_CLOEXEC', 0)
    if not follow:
        flags |= os.O_NOFOLLOW
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if stat.S_ISCHR(st.st_mode) and os.path.samefile(path,
                                                         os.devnull):
            return b''
        if not stat.S_ISREG(st.st_mode):
            raise InputError('%s: not a regular file (use - to read a '
                             'review from standard input)' % safe.path(path))
        if st.st_size > MAX_REVIEW_BYTES:
            raise InputError('%s: %d bytes, larger than the %d a review may '
                             'have' % (safe.path(path), st.st_size,
                                       MAX_REVIEW_BYTES))
        chunks, size = [], 0
        while size <= MAX_REVIEW_BYTES:
            block = os.read(fd, 65536)
            if not block:
                break
            chunks.append(block)
            size += len(block)
    finally:
        os.close(fd)
    if size > MAX_REVIEW_BYTES:
        raise InputError('%s: larger than the %d bytes a review may have'
                         % (safe.path(path), MAX_REVIEW_BYTES))
    return b''.join(chunks)


def _stdin(stream=None):
    stream = stream if stream is not None else sys.stdin
    buffer = getattr(stream, 'buffer', None)
    if stream is None or buffer is None:
        raise InputError('-: there is no standard input to read a review '
                         'from')
    data = buffer.read(MAX_REVIEW_BYTES + 1)
    if len(data) > MAX_REVIEW_BYTES:
        raise InputError('-: standard input holds more than the %d bytes '
                         'a review may have' % MAX_REVIEW_BYTES)
    return data


def _text_problem(review):
    """Why ``review`` is not a text review, or None."""
    from nova_resize_checks.review.read import container

    _text, errors = container.decode_bytes(review.data)
    if errors:
        return '%s: %s' % (review.shown, '; '.join(errors))
    return None


def _walk(root, follow, skipped):
    found = []
    for top, dirs, names in os.walk(root, followlinks=follow):
        dirs.sort()
        if not follow:
            for name in list(dirs):
                if os.path.islink(os.path.join(top, name)):
                    skipped.append('%s: a symbolic link, not followed '
                                   '(--follow-symlinks follows it)'
                                   % safe.path(os.path.join(top, name)))
        for name in sorted(names):
            if not name.endswith(REVIEW_SUFFIXES) or name.endswith(
                    SIDECAR_SUFFIXES):
                continue
            path = os.path.join(top, name)
            try:
                st = os.stat(path) if follow else os.lstat(path)
            except OSError as exc:
                raise InputError('%s: %s' % (safe.path(path),
                                             exc.strerror or exc))
            if stat.S_ISLNK(st.st_mode):
                skipped.append('%s: a symbolic link, not followed '
                               '(--follow-symlinks follows it)'
                               % safe.path(path))
            elif not stat.S_ISREG(st.st_mode):
                skipped.append('%s: not a regular file, not read'
                               % safe.path(path))
            else:
                found.append(path)
    return found


def collect(paths, follow_symlinks=False, stdin=None):
    """Read every review ``paths`` name; returns :class:`Collected`.

    Raises InputError, naming every path that cannot be used, before
    anything runs.
    """
    problems, reviews, skipped = [], [], []
    for path in paths:
        try:
            if path == STDIN:
                reviews.append(Review('<stdin>', _stdin(stdin)))
                continue
            if os.path.isdir(path):
                found = _walk(path, follow_symlinks, skipped)
                if not found:
                    problems.append('%s: no review files (%s) in this '
                                    'directory' % (safe.path(path),
                                                   ', '.join(
                                                       REVIEW_SUFFIXES)))
                for name in found:
                    reviews.append(Review(name, _read(name,
                                                      follow_symlinks)))
                continue
            reviews.append(Review(path, _read(path, True)))
        except InputError as exc:
            problems.append(str(exc))
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                why = 'a symbolic link, not followed'
            else:
                why = exc.strerror or str(exc)
                if exc.errno == errno.ENOENT:
                    why = 'no such file or directory'
            problems.append('%s: %s' % (safe.path(path), why))
    for review in reviews:
        problem = _text_problem(review)
        if problem:
            problems.append(problem)
    if problems:
        raise InputError('; '.join(problems))
    return Collected(reviews, skipped)


def reviewed_source(reviewed, nova_git=None):
    """The text of the version ``--reviewed`` names, or None.

    ``reviewed``: a file, or with ``nova_git`` a git ref of that nova
    repository.  Raises InputError.
    """
    if nova_git and not reviewed:
        raise InputError('--nova-git needs --reviewed REF')
    if not reviewed:
        return None
    if nova_git:
        from nova_resize_checks.backport import gitrefs
        from nova_resize_checks.backport import static
        from nova_resize_checks import canonical

        try:
            data = gitrefs.read_file(
                gitrefs.resolve_git_dir(nova_git), reviewed,
                canonical.UPSTREAM_PATH)
        except (gitrefs.GitError, static.StaticCheckError) as exc:
            raise InputError('--reviewed %s: %s' % (safe.line(reviewed),
                                                    exc))
    else:
        try:
            fd = os.open(reviewed, os.O_RDONLY | os.O_NONBLOCK)
            with os.fdopen(fd, 'rb') as f:
                if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                    raise InputError('--reviewed %s: not a regular file'
                                     % safe.path(reviewed))
                data = f.read(MAX_REVIEWED_BYTES + 1)
        except OSError as exc:
            raise InputError('--reviewed %s: %s' % (
                safe.path(reviewed), exc.strerror or exc))
        if len(data) > MAX_REVIEWED_BYTES:
            raise InputError('--reviewed %s: larger than 4 MiB, not a '
                             'version of the test' % safe.path(reviewed))
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError:
        raise InputError('--reviewed %s: not UTF-8 text'
                         % safe.path(reviewed))
